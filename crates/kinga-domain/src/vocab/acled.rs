//! ACLED's event taxonomy (event type → sub-event type) and actor interaction codes, as ACLED
//! publishes them, so incidents can be exchanged with ACLED-coded data sets.
use std::sync::LazyLock;

const EVENT_CATEGORIES: &str = include_str!("../../data/acled_event_categories.csv");
const INTERACTION_CODES: &str = include_str!("../../data/acled_interaction_codes.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCategory {
    pub event_type: String,
    pub sub_event_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionCode {
    pub code: u8,
    pub label: String,
}

static CATEGORIES: LazyLock<Vec<EventCategory>> = LazyLock::new(|| {
    let mut r = csv::Reader::from_reader(EVENT_CATEGORIES.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded ACLED categories parse");
            EventCategory {
                event_type: rec[0].to_string(),
                sub_event_type: rec[1].to_string(),
            }
        })
        .collect()
});

static INTERACTIONS: LazyLock<Vec<InteractionCode>> = LazyLock::new(|| {
    let mut r = csv::Reader::from_reader(INTERACTION_CODES.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded ACLED interaction codes parse");
            let code: f64 = rec[1].parse().expect("numeric interaction code");
            InteractionCode {
                code: code as u8,
                label: rec[0].to_string(),
            }
        })
        .collect()
});

pub fn event_categories() -> &'static [EventCategory] {
    &CATEGORIES
}

pub fn event_types() -> Vec<&'static str> {
    let mut v: Vec<&str> = CATEGORIES.iter().map(|c| c.event_type.as_str()).collect();
    v.dedup();
    v
}

pub fn is_valid_pair(event_type: &str, sub_event_type: Option<&str>) -> bool {
    CATEGORIES
        .iter()
        .any(|c| c.event_type == event_type && sub_event_type.is_none_or(|s| c.sub_event_type == s))
}

pub fn interaction_codes() -> &'static [InteractionCode] {
    &INTERACTIONS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_is_loaded() {
        assert!(is_valid_pair("Violence against civilians", Some("Attack")));
        assert!(!is_valid_pair(
            "Violence against civilians",
            Some("Armed clash")
        ));
        assert_eq!(event_types().len(), 6);
        assert_eq!(interaction_codes()[0].label, "State Forces");
        assert_eq!(interaction_codes().len(), 8);
    }
}
