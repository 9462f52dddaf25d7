//! Who may see what. The rules live here, as data and pure functions, so that the SQL filters in
//! every storage backend and the in-memory checks in the access layer say the same thing.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How far a record travels beyond the organisation that owns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Published: anyone, including anonymous visitors, may read it.
    Public,
    /// Shared with every organisation that belongs to a network the owner belongs to.
    Network,
    /// The owning organisation only.
    Organisation,
    /// The owning organisation's staff who work cases (not monitors, not observers).
    Restricted,
    /// The owning organisation's legal officers and administrators only.
    Sealed,
}

impl Visibility {
    pub const ALL: [Visibility; 5] = [
        Visibility::Public,
        Visibility::Network,
        Visibility::Organisation,
        Visibility::Restricted,
        Visibility::Sealed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Network => "network",
            Visibility::Organisation => "organisation",
            Visibility::Restricted => "restricted",
            Visibility::Sealed => "sealed",
        }
    }

    /// The classes that a member of the owning organisation with `role` may read.
    pub fn readable_in_own_org(role: Role) -> Vec<Visibility> {
        let mut v = vec![
            Visibility::Public,
            Visibility::Network,
            Visibility::Organisation,
        ];
        if role.sees_restricted() {
            v.push(Visibility::Restricted);
        }
        if role.sees_sealed() {
            v.push(Visibility::Sealed);
        }
        v
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a visibility class (public, network, organisation, restricted, sealed)")]
pub struct UnknownVisibility(pub String);

impl FromStr for Visibility {
    type Err = UnknownVisibility;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Visibility::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| UnknownVisibility(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Monitor,
    Analyst,
    Coordinator,
    Legal,
    Admin,
    Observer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Monitor,
        Role::Analyst,
        Role::Coordinator,
        Role::Legal,
        Role::Admin,
        Role::Observer,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Monitor => "monitor",
            Role::Analyst => "analyst",
            Role::Coordinator => "coordinator",
            Role::Legal => "legal",
            Role::Admin => "admin",
            Role::Observer => "observer",
        }
    }

    pub fn sees_restricted(&self) -> bool {
        !matches!(self, Role::Monitor | Role::Observer)
    }

    pub fn sees_sealed(&self) -> bool {
        matches!(self, Role::Legal | Role::Admin)
    }

    /// Monitors see the reports they submitted and nothing else of the intake queue.
    pub fn sees_only_own_reports(&self) -> bool {
        matches!(self, Role::Monitor)
    }

    pub fn may_submit_reports(&self) -> bool {
        !matches!(self, Role::Observer)
    }

    /// Triage, incident building and verification: the analyst's desk.
    pub fn works_cases(&self) -> bool {
        matches!(
            self,
            Role::Analyst | Role::Coordinator | Role::Legal | Role::Admin
        )
    }

    /// Raising an alert calls on others to act, and recording a response speaks for what they
    /// did: the desk that weighs the evidence (analysts), the one that speaks for the
    /// organisation (coordinators) and administrators. Monitors report, observers read.
    pub fn raises_alerts(&self) -> bool {
        matches!(self, Role::Analyst | Role::Coordinator | Role::Admin)
    }

    pub fn administers(&self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Administrators hold the keys to everything an organisation owns, so a stolen password
    /// alone must not be enough for them.
    pub fn requires_second_factor(&self) -> bool {
        matches!(self, Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a role (monitor, analyst, coordinator, legal, admin, observer)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_is_for_legal_and_admin_only() {
        for role in Role::ALL {
            let sees = Visibility::readable_in_own_org(role).contains(&Visibility::Sealed);
            assert_eq!(sees, matches!(role, Role::Legal | Role::Admin), "{role}");
        }
    }

    #[test]
    fn alerts_are_raised_by_the_desks_that_weigh_and_speak() {
        let raisers: Vec<Role> = Role::ALL.into_iter().filter(Role::raises_alerts).collect();
        assert_eq!(raisers, [Role::Analyst, Role::Coordinator, Role::Admin]);
    }

    #[test]
    fn parses_round_trip() {
        for v in Visibility::ALL {
            assert_eq!(v.as_str().parse::<Visibility>().unwrap(), v);
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("boss".parse::<Role>().is_err());
    }
}
