//! Kinga's own work done for one organisation: its keys, its evidence, its imports. The audit
//! chain records it as `system:<task>` on that organisation's behalf, so its history shows
//! what was done for it and by which command.
use crate::records::{Actor, Scope};
use crate::System;
use kinga_domain::ids::OrgId;
use kinga_domain::org::{Organisation, Slug};

impl System {
    /// Who is recorded for work done for `org`.
    pub fn acting_for(&self, org: &Organisation) -> Actor {
        self.acting_for_id(org.id, org.slug.clone())
    }

    /// [`Self::acting_for`] when only the organisation's id and slug are at hand (a record's
    /// owner).
    pub fn acting_for_id(&self, org: OrgId, slug: Slug) -> Actor {
        self.actor.clone().acting_for(org, slug)
    }

    /// What Kinga's own work reads: every record, whoever owns it, since whoever runs it
    /// already holds the database.
    pub fn sees_everything(&self) -> Scope {
        Scope::maintenance()
    }
}
