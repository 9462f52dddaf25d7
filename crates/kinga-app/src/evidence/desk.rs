//! What a custodian does from the web beside intake and reading: unlocking and locking an
//! organisation's keys in this process (each an audit entry), reading sealed fields (an audit
//! entry naming the fields before any value is handed out), and the custody actions that touch
//! no byte of the item: verification, transfer and deletion requests.
use super::{blocking_failed, EvidenceError, Result, Vault};
use kinga_domain::evidence::{CustodyEvent, CustodyKind, EvidenceId, EvidenceItem};
use kinga_domain::ids::{OrgId, ReportId};
use kinga_domain::org::Organisation;
use kinga_domain::report::Report;
use kinga_domain::Role;
use kinga_store::{AccessEvent, Actor, Scope, StoreError};
use std::sync::Arc;

/// Longest text a custody note keeps (names of courts and receipts, reasons).
pub const NOTE_LIMIT: usize = 2000;

/// The state of an organisation's keys as this server holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// `None` when the organisation has no keys yet.
    pub version: Option<i64>,
    pub unlocked: bool,
    /// Hex Ed25519 key a verifier of the organisation's dossiers needs.
    pub signing_public: Option<String>,
}

/// What a custodian records about an item without touching its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustodyNote {
    /// The item (or a copy of it) left the organisation's hands: to whom, and how.
    Transfer { to: String, note: Option<String> },
    /// Someone asked for the item to be deleted. Sealed originals are never altered, so the
    /// request is recorded for the legal officers to decide on, not carried out.
    DeletionRequest { reason: String },
}

/// The outcome of re-hashing an item now; the same words are its custody entry's detail.
#[derive(Debug, Clone)]
pub struct ItemCheck {
    pub intact: bool,
    /// The content was decrypted and re-hashed too (the organisation's keys were unlocked).
    pub decrypted: bool,
    pub detail: String,
    pub entry: CustodyEvent,
}

fn forbidden(why: &str) -> EvidenceError {
    EvidenceError::Forbidden(why.to_string())
}

/// Custody actions belong to the organisation that holds the item, whoever else may see it.
fn own_item(scope: &Scope, item: &EvidenceItem) -> Result<()> {
    if holds(scope, item.organisation_id) {
        Ok(())
    } else {
        Err(forbidden(
            "custody actions on an item are taken by the organisation that holds it",
        ))
    }
}

fn holds(scope: &Scope, org: OrgId) -> bool {
    scope.everything || scope.organisation_id == Some(org)
}

/// Whether the reader may re-hash the item and log the outcome: case workers of the holding
/// organisation. Pages ask this before offering the form, the vault before acting.
pub fn may_verify(scope: &Scope, role: Role, item: &EvidenceItem) -> bool {
    scope.everything || (role.works_cases() && holds(scope, item.organisation_id))
}

/// Whether the reader may record a transfer or a deletion request: those who answer for the
/// originals in court, the legal officers and administrators of the holding organisation.
pub fn may_note_custody(scope: &Scope, role: Role, item: &EvidenceItem) -> bool {
    scope.everything || (role.sees_sealed() && holds(scope, item.organisation_id))
}

/// Whether the reader may write (or replace) a report's protected source. Sealed fields are
/// the owning organisation's alone, and writing is allowed to those who already know the
/// source: the member who filed the report (usually its monitor) and the legal officers and
/// administrators, the only roles that may read sealed values. Analysts and coordinators triage
/// the report without ever learning who spoke, so they must not be able to replace the source
/// either; a network partner who can read the report holds none of its sealed data.
pub fn may_write_sealed(scope: &Scope, report: &Report) -> bool {
    if scope.everything {
        return true;
    }
    let Some(role) = scope.role else {
        return false;
    };
    holds(scope, report.organisation_id)
        && (role.sees_sealed()
            || (role.may_submit_reports() && scope.user_id == Some(report.submitted_by)))
}

impl Vault {
    #[tracing::instrument(skip_all)]
    pub async fn key_status(&self, org: &Organisation) -> Result<KeyStatus> {
        let current = self
            .store
            .org_key_sets(org.id)
            .await?
            .into_iter()
            .rfind(|k| k.retired_at.is_none());
        Ok(KeyStatus {
            version: current.as_ref().map(|k| k.version),
            unlocked: self.is_unlocked(org.id),
            signing_public: current.map(|k| k.signing_public),
        })
    }

    /// Opens the organisation's keys with its passphrase and keeps them in this process's
    /// memory. The audit entry is committed before the keys are usable; a wrong passphrase
    /// writes nothing and leaves the keys as they were.
    #[tracing::instrument(skip_all)]
    pub async fn unlock_recorded(
        &self,
        actor: &Actor,
        org: &Organisation,
        passphrase: &str,
    ) -> Result<KeyStatus> {
        let secret = self.open_secret(org, passphrase).await?;
        self.store
            .record_access(actor, AccessEvent::KeysUnlocked { org: org.id })
            .await?;
        self.keep_unlocked(org.id, Arc::new(secret));
        self.key_status(org).await
    }

    /// Drops the organisation's keys from this process's memory (requests already holding them
    /// finish). Returns false, writing nothing, when they were not unlocked.
    #[tracing::instrument(skip_all)]
    pub async fn lock_recorded(&self, actor: &Actor, org: &Organisation) -> Result<bool> {
        let removed = self
            .unlocked
            .write()
            .expect("key cache lock")
            .remove(&org.id)
            .is_some();
        if removed {
            self.store
                .record_access(actor, AccessEvent::KeysLocked { org: org.id })
                .await?;
        }
        Ok(removed)
    }

    /// The clear values, as [`Vault::open_report_fields`], with an audit entry naming who read
    /// which fields written before they are returned. No fields, no entry.
    #[tracing::instrument(skip_all)]
    pub async fn read_report_fields(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Role,
        report: ReportId,
    ) -> Result<Vec<(String, String)>> {
        let fields = self.open_report_fields(scope, role, report).await?;
        if !fields.is_empty() {
            self.store
                .record_access(
                    actor,
                    AccessEvent::SealedFieldsRead {
                        report,
                        fields: fields.iter().map(|(k, _)| k.clone()).collect(),
                    },
                )
                .await?;
        }
        Ok(fields)
    }

    /// Names of the sealed fields a report carries, without opening them.
    #[tracing::instrument(skip_all)]
    pub async fn sealed_field_names(&self, scope: &Scope, report: ReportId) -> Result<Vec<String>> {
        Ok(self
            .store
            .sealed_report_fields(scope, report)
            .await?
            .into_iter()
            .map(|f| f.field)
            .collect())
    }

    async fn visible_item(&self, scope: &Scope, id: EvidenceId) -> Result<EvidenceItem> {
        Ok(self
            .store
            .evidence(scope, id)
            .await?
            .ok_or(StoreError::NotFound)?)
    }

    /// Re-hashes the sealed original now: the encrypted file against the hash recorded at
    /// intake (no key needed) and, with the organisation's keys unlocked, the decrypted content
    /// against the original's SHA-256. The outcome, good or bad, is a `verify` custody entry.
    #[tracing::instrument(skip_all)]
    pub async fn verify_item(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Role,
        id: EvidenceId,
    ) -> Result<ItemCheck> {
        let item = self.visible_item(scope, id).await?;
        if !may_verify(scope, role, &item) {
            own_item(scope, &item)?;
            return Err(forbidden(
                "verification is for analysts, coordinators, legal officers and administrators",
            ));
        }
        let secret = self.secret(&item).ok();
        let decrypted = secret.is_some();
        let root = self.org_root(item.organisation_id);
        let (sha, sealed, wrapped, label) = (
            item.sha256.clone(),
            item.blob_sha256.clone(),
            item.wrapped_key.clone(),
            item.id.to_string(),
        );
        let outcome = tokio::task::spawn_blocking(move || {
            kinga_vault::blob::verify_sealed_file(&root, &sha, &sealed, &label)?;
            if let Some(s) = secret {
                let key = wrapped
                    .parse::<kinga_vault::WrappedKey>()
                    .and_then(|w| s.unwrap(&w))?;
                kinga_vault::blob::verify_blob(&root, &sha, &key, &label)?;
            }
            Ok::<(), kinga_vault::VaultError>(())
        })
        .await
        .map_err(blocking_failed)?;
        let detail = match (&outcome, decrypted) {
            (Ok(()), true) => {
                "intact: sealed file and decrypted content match their SHA-256".to_string()
            }
            (Ok(()), false) => {
                "intact: sealed file matches its SHA-256 (content not decrypted: keys locked)"
                    .to_string()
            }
            (Err(e), _) => format!("MISMATCH: {e}"),
        };
        let entry = self
            .store
            .record_custody(
                actor,
                scope,
                item.id,
                CustodyKind::Verify,
                Some(detail.clone()),
            )
            .await?;
        Ok(ItemCheck {
            intact: outcome.is_ok(),
            decrypted,
            detail,
            entry,
        })
    }

    /// Records a transfer or a deletion request in the item's custody chain. Nothing of the
    /// item changes: a deletion request is for the legal officers to decide on.
    #[tracing::instrument(skip_all)]
    pub async fn note_custody(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Role,
        id: EvidenceId,
        what: CustodyNote,
    ) -> Result<CustodyEvent> {
        if !scope.everything && !role.sees_sealed() {
            return Err(forbidden(
                "transfers and deletion requests are for legal officers and administrators",
            ));
        }
        let (kind, detail) = match what {
            CustodyNote::Transfer { to, note } => {
                let to = to.trim().to_string();
                if to.is_empty() || to.chars().count() > 300 {
                    return Err(EvidenceError::Invalid {
                        field: "to",
                        message: "name the person or organisation the item went to (at most 300 characters)".into(),
                    });
                }
                let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                if note
                    .as_ref()
                    .is_some_and(|n| n.chars().count() > NOTE_LIMIT)
                {
                    return Err(EvidenceError::Invalid {
                        field: "note",
                        message: format!("at most {NOTE_LIMIT} characters"),
                    });
                }
                (
                    CustodyKind::Transfer,
                    match note {
                        Some(n) => format!("to {to}; {n}"),
                        None => format!("to {to}"),
                    },
                )
            }
            CustodyNote::DeletionRequest { reason } => {
                let reason = reason.trim().to_string();
                if reason.is_empty() || reason.chars().count() > NOTE_LIMIT {
                    return Err(EvidenceError::Invalid {
                        field: "reason",
                        message: format!(
                            "a deletion request needs its reason (at most {NOTE_LIMIT} characters)"
                        ),
                    });
                }
                (CustodyKind::DeletionRequest, reason)
            }
        };
        let item = self.visible_item(scope, id).await?;
        own_item(scope, &item)?;
        Ok(self
            .store
            .record_custody(actor, scope, item.id, kind, Some(detail))
            .await?)
    }
}
