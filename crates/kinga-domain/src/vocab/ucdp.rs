//! UCDP GED codes: the three types of organised violence and the date and place precision
//! scales, kept with their meanings so a precision code is never shown as a bare number.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolenceType {
    StateBased,
    NonState,
    OneSided,
}

impl ViolenceType {
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(ViolenceType::StateBased),
            2 => Some(ViolenceType::NonState),
            3 => Some(ViolenceType::OneSided),
            _ => None,
        }
    }

    pub fn code(&self) -> u8 {
        match self {
            ViolenceType::StateBased => 1,
            ViolenceType::NonState => 2,
            ViolenceType::OneSided => 3,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ViolenceType::StateBased => "state_based",
            ViolenceType::NonState => "non_state",
            ViolenceType::OneSided => "one_sided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::StateBased, Self::NonState, Self::OneSided]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// UCDP `date_prec`: how well the date of an event is known.
pub fn date_precision_meaning(code: u8) -> Option<&'static str> {
    Some(match code {
        1 => "exact date",
        2 => "within 2-6 days",
        3 => "within the week",
        4 => "within the month",
        5 => "more than a month, within the year",
        _ => return None,
    })
}

/// UCDP `where_prec`: how well the place of an event is known.
pub fn place_precision_meaning(code: u8) -> Option<&'static str> {
    Some(match code {
        1 => "exact location",
        2 => "within 25 km",
        3 => "second-order administrative division",
        4 => "first-order administrative division",
        5 => "linear feature or area larger than admin1",
        6 => "country only",
        7 => "international waters or airspace",
        _ => return None,
    })
}
