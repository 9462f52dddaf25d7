//! How an alert moves: who may be asked to act next, and which moves each status allows. The
//! store applies these rules inside the write, so the check and the change cannot drift apart.
use super::{Alert, AlertLevel, AlertStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Hours within which the tier addressed should acknowledge an alert, by level. The one place
/// the defaults live; a later setting may change them per organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckTargets {
    pub urgent_hours: i64,
    pub warning_hours: i64,
    pub watch_hours: i64,
}

impl AckTargets {
    pub const DEFAULT: AckTargets = AckTargets {
        urgent_hours: 1,
        warning_hours: 24,
        watch_hours: 72,
    };

    pub fn target(&self, level: AlertLevel) -> Duration {
        Duration::hours(match level {
            AlertLevel::Urgent => self.urgent_hours,
            AlertLevel::Warning => self.warning_hours,
            AlertLevel::Watch => self.watch_hours,
        })
    }
}

impl Default for AckTargets {
    fn default() -> Self {
        AckTargets::DEFAULT
    }
}

/// What a desk does to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMove {
    /// The tier addressed has taken it up.
    Acknowledge,
    /// Sent to the next tier, with a new deadline for acknowledgement there.
    Escalate,
    /// A response was recorded against it.
    Respond,
    Close,
}

impl AlertMove {
    pub const ALL: [AlertMove; 4] = [
        AlertMove::Acknowledge,
        AlertMove::Escalate,
        AlertMove::Respond,
        AlertMove::Close,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AlertMove::Acknowledge => "acknowledge",
            AlertMove::Escalate => "escalate",
            AlertMove::Respond => "respond",
            AlertMove::Close => "close",
        }
    }
}

impl fmt::Display for AlertMove {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertMove {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlertMove::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| format!("'{}' is not a move of an alert", s.trim()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("an alert that is {from} cannot be {}", past(*.wanted))]
    NotFrom {
        from: AlertStatus,
        wanted: AlertMove,
    },
    #[error("the alert is already with the United Nations, the last tier")]
    LastTier,
}

fn past(m: AlertMove) -> &'static str {
    match m {
        AlertMove::Acknowledge => "acknowledged",
        AlertMove::Escalate => "escalated",
        AlertMove::Respond => "marked as responded to",
        AlertMove::Close => "closed",
    }
}

impl AlertStatus {
    /// The status `wanted` leads to from this one. An escalated alert is acknowledged again at
    /// its new tier; one that was responded to may still go up a tier when the response fell
    /// short; any open alert may be closed; a closed alert stays closed.
    pub fn after(&self, wanted: AlertMove) -> Result<AlertStatus, MoveRefused> {
        use AlertMove as M;
        use AlertStatus as S;
        let next = match (self, wanted) {
            (S::Raised | S::Escalated, M::Acknowledge) => S::Acknowledged,
            (S::Raised | S::Acknowledged | S::Escalated | S::Responded, M::Escalate) => {
                S::Escalated
            }
            (S::Raised | S::Acknowledged | S::Escalated, M::Respond) => S::Responded,
            (S::Raised | S::Acknowledged | S::Escalated | S::Responded, M::Close) => S::Closed,
            (from, wanted) => {
                return Err(MoveRefused::NotFrom {
                    from: *from,
                    wanted,
                })
            }
        };
        Ok(next)
    }

    pub fn is_open(&self) -> bool {
        *self != AlertStatus::Closed
    }

    /// The moves this status allows, for pages and help texts.
    pub fn moves(&self) -> Vec<AlertMove> {
        AlertMove::ALL
            .into_iter()
            .filter(|m| self.after(*m).is_ok())
            .collect()
    }
}

impl Alert {
    /// The alert after `wanted`, done by `by` at `now`; the version counts the change.
    pub fn moved(
        &self,
        wanted: AlertMove,
        by: &str,
        now: DateTime<Utc>,
        targets: &AckTargets,
    ) -> Result<Alert, MoveRefused> {
        let status = self.status.after(wanted)?;
        let mut next = self.clone();
        match wanted {
            AlertMove::Acknowledge => {
                next.acknowledged_at = Some(now);
                next.acknowledged_by = Some(by.to_string());
            }
            AlertMove::Escalate => {
                next.tier = self.tier.next().ok_or(MoveRefused::LastTier)?;
                // The next body has not acknowledged anything yet.
                next.acknowledged_at = None;
                next.acknowledged_by = None;
                next.ack_deadline = now + targets.target(self.level);
            }
            AlertMove::Respond => {}
            AlertMove::Close => next.closed_at = Some(now),
        }
        next.status = status;
        next.version = self.version + 1;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{NewAlert, Tier};
    use super::*;
    use crate::ids::OrgId;
    use crate::org::Slug;
    use serde_json::json;

    fn alert() -> Alert {
        NewAlert::parse(&json!({"country": "CAF", "level": "warning",
            "message_en": "Killings feared", "message_fr": "Des tueries sont à craindre"}))
        .unwrap()
        .raise(
            OrgId::new(),
            Slug::parse("alpha").unwrap(),
            "a@alpha.org".into(),
            crate::time::now(),
            &AckTargets::DEFAULT,
        )
    }

    #[test]
    fn the_lifecycle_allows_what_it_says() {
        use AlertMove as M;
        use AlertStatus as S;
        assert_eq!(S::Raised.after(M::Acknowledge), Ok(S::Acknowledged));
        assert_eq!(S::Escalated.after(M::Acknowledge), Ok(S::Acknowledged));
        assert!(S::Acknowledged.after(M::Acknowledge).is_err());
        assert_eq!(S::Responded.after(M::Escalate), Ok(S::Escalated));
        assert!(S::Responded.after(M::Respond).is_err());
        for s in [S::Raised, S::Acknowledged, S::Escalated, S::Responded] {
            assert_eq!(s.after(M::Close), Ok(S::Closed), "{s}");
        }
        assert!(S::Closed.moves().is_empty());
    }

    #[test]
    fn escalation_climbs_a_tier_with_a_new_deadline() {
        let a = alert();
        let later = a.raised_at + Duration::hours(30);
        let ack = a
            .moved(AlertMove::Acknowledge, "b", later, &AckTargets::DEFAULT)
            .unwrap();
        assert_eq!(ack.acknowledged_by.as_deref(), Some("b"));
        let up = ack
            .moved(AlertMove::Escalate, "b", later, &AckTargets::DEFAULT)
            .unwrap();
        assert_eq!(up.tier, Tier::Regional);
        assert_eq!(up.status, AlertStatus::Escalated);
        assert_eq!(up.ack_deadline, later + Duration::hours(24));
        assert_eq!(up.acknowledged_at, None);
        assert_eq!(up.version, 3);
    }

    #[test]
    fn nothing_moves_a_closed_alert_and_the_un_is_the_last_tier() {
        let now = crate::time::now();
        let t = AckTargets::DEFAULT;
        let closed = alert().moved(AlertMove::Close, "b", now, &t).unwrap();
        assert!(matches!(
            closed.moved(AlertMove::Acknowledge, "b", now, &t),
            Err(MoveRefused::NotFrom { .. })
        ));
        let mut at_un = alert();
        at_un.tier = Tier::Un;
        assert_eq!(
            at_un.moved(AlertMove::Escalate, "b", now, &t),
            Err(MoveRefused::LastTier)
        );
    }
}
