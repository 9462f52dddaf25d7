use crate::ids::{OrgId, UserId};
use crate::org::Slug;
use crate::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not an e-mail address")]
pub struct BadEmail(pub String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, BadEmail> {
        let s = s.trim();
        let ok = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
                    && s.len() <= 254
            }
            None => false,
        };
        if ok {
            Ok(Email(s.to_ascii_lowercase()))
        } else {
            Err(BadEmail(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person who signs in. The password hash and TOTP secret never leave the store except to the
/// code that checks them, so they are not part of this value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub role: Role,
    pub has_second_factor: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl std::str::FromStr for Email {
    type Err = BadEmail;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" A@B.org ").unwrap().as_str(), "a@b.org");
        assert!(Email::parse("nobody").is_err());
        assert!(Email::parse("a@b").is_err());
    }
}
