//! What one audited write did to one record, as the entry the chain will seal for it.
use crate::audited::Audited;
use kinga_domain::audit::{digest, AuditDraft};
use kinga_store::{AccessEvent, Actor};
use serde::Serialize;

/// One record's change: its kind and id, what was done, and the record's digest before and
/// after (none for a record that did not exist, or no longer does).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a change is only recorded once the chain appends it"]
pub struct Change {
    entity: &'static str,
    entity_id: String,
    action: &'static str,
    before: Option<String>,
    after: Option<String>,
    explanation: Option<String>,
}

impl Change {
    /// `action` done to `record`, with neither digest yet.
    pub fn of<R: Audited + ?Sized>(record: &R, action: &'static str) -> Self {
        Change {
            entity: R::ENTITY,
            entity_id: record.audit_id(),
            action,
            before: None,
            after: None,
            explanation: None,
        }
    }

    /// A record of kind `R` known only by its id, as when it is gone.
    pub fn on<R: Audited + ?Sized>(entity_id: impl ToString, action: &'static str) -> Self {
        Change {
            entity: R::ENTITY,
            entity_id: entity_id.to_string(),
            action,
            before: None,
            after: None,
            explanation: None,
        }
    }

    /// `record`, just written, under `action` ("create", "submit", "receive", …).
    pub fn new_record<R: Audited + Serialize>(record: &R, action: &'static str) -> Self {
        Change::of(record, action).after(digest(record))
    }

    /// `record`, created.
    pub fn created<R: Audited + Serialize>(record: &R) -> Self {
        Change::new_record(record, "create")
    }

    /// A record that was `before` and is now `after`.
    pub fn updated<R: Audited + Serialize>(action: &'static str, before: &R, after: &R) -> Self {
        Change::of(after, action)
            .before(digest(before))
            .after(digest(after))
    }

    /// A moment that changed no record (keys unlocked, sealed fields read). Its entity name is
    /// the access event's own, never an audited kind's, so it cannot stand in for a record's
    /// last change.
    pub fn access(event: &AccessEvent) -> Self {
        Change {
            entity: event.entity(),
            entity_id: event.entity_id(),
            action: event.action(),
            before: None,
            after: None,
            explanation: Some(event.explanation()),
        }
    }

    pub fn before(mut self, digest: impl Into<Option<String>>) -> Self {
        self.before = digest.into();
        self
    }

    pub fn after(mut self, digest: impl Into<Option<String>>) -> Self {
        self.after = digest.into();
        self
    }

    pub fn explained(mut self, text: impl Into<Option<String>>) -> Self {
        self.explanation = text.into();
        self
    }

    /// The entry as `actor` makes it, for the chain to seal.
    pub fn by(self, actor: &Actor) -> AuditDraft {
        AuditDraft {
            actor: actor.label.clone(),
            organisation: actor.organisation.as_ref().map(ToString::to_string),
            entity: self.entity,
            entity_id: self.entity_id,
            action: self.action,
            before_digest: self.before,
            after_digest: self.after,
            explanation: self.explanation,
        }
    }
}
