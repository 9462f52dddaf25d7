//! Moments that change no record but must be answerable later: who unlocked or locked an
//! organisation's keys, who read a report's sealed fields. Each is an entry of the audit chain
//! with no record behind it, so `kinga verify` checks it like any other link.
use crate::{Actor, Result};
use async_trait::async_trait;
use kinga_domain::audit::AuditEntry;
use kinga_domain::ids::{OrgId, ReportId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessEvent {
    /// The organisation's secret keys were opened in a server's memory.
    KeysUnlocked { org: OrgId },
    /// The organisation's secret keys were dropped from a server's memory.
    KeysLocked { org: OrgId },
    /// Sealed fields of a report were shown in clear; names the fields, never their values.
    SealedFieldsRead {
        report: ReportId,
        fields: Vec<String>,
    },
}

impl AccessEvent {
    /// The audit entity these entries carry: never the name of an audited table, so an access
    /// entry can not stand in for a record's last change.
    pub fn entity(&self) -> &'static str {
        match self {
            AccessEvent::KeysUnlocked { .. } | AccessEvent::KeysLocked { .. } => "org_keys_access",
            AccessEvent::SealedFieldsRead { .. } => "sealed_fields_access",
        }
    }

    pub fn action(&self) -> &'static str {
        match self {
            AccessEvent::KeysUnlocked { .. } => "unlock",
            AccessEvent::KeysLocked { .. } => "lock",
            AccessEvent::SealedFieldsRead { .. } => "read",
        }
    }

    pub fn entity_id(&self) -> String {
        match self {
            AccessEvent::KeysUnlocked { org } | AccessEvent::KeysLocked { org } => org.to_string(),
            AccessEvent::SealedFieldsRead { report, .. } => report.to_string(),
        }
    }

    pub fn explanation(&self) -> String {
        match self {
            AccessEvent::KeysUnlocked { .. } => {
                "organisation keys unlocked in server memory".into()
            }
            AccessEvent::KeysLocked { .. } => {
                "organisation keys locked (dropped from server memory)".into()
            }
            AccessEvent::SealedFieldsRead { fields, .. } => {
                format!("sealed fields shown in clear: {}", fields.join(", "))
            }
        }
    }
}

#[async_trait]
pub trait AccessLog: Send + Sync {
    /// Appends the event to the audit chain, durably, and returns its entry.
    async fn record_access(&self, actor: &Actor, event: AccessEvent) -> Result<AuditEntry>;
}
