use kinga_domain::ids::{OrgId, UserId};
use kinga_domain::org::Slug;
use kinga_domain::{Role, Visibility};

/// Who is writing: recorded in the audit chain beside every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// The user's e-mail, or `system:<task>` for work Kinga does itself (imports, demo set-up).
    pub label: String,
    pub organisation_id: Option<OrgId>,
    pub organisation: Option<Slug>,
}

impl Actor {
    pub fn system(task: &str) -> Self {
        Actor {
            user_id: None,
            label: format!("system:{task}"),
            organisation_id: None,
            organisation: None,
        }
    }

    pub fn acting_for(mut self, org_id: OrgId, org: Slug) -> Self {
        self.organisation_id = Some(org_id);
        self.organisation = Some(org);
        self
    }
}

/// What a reader may see. Built by the access layer from the signed-in user; the store turns it
/// into one SQL condition so filtering happens in the database, never after paging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub user_id: Option<UserId>,
    pub organisation_id: Option<OrgId>,
    pub role: Option<Role>,
    /// Organisations sharing at least one network with the reader's (the reader's own included).
    pub network_peers: Vec<OrgId>,
    /// Set for monitors: of the intake queue they see only the reports they submitted.
    pub own_reports_only: bool,
    /// Kinga's own maintenance (verification, export): sees every record.
    pub everything: bool,
}

impl Scope {
    /// Anonymous visitors: published records only.
    pub fn public() -> Self {
        Scope {
            user_id: None,
            organisation_id: None,
            role: None,
            network_peers: vec![],
            own_reports_only: true,
            everything: false,
        }
    }

    pub fn maintenance() -> Self {
        Scope {
            everything: true,
            own_reports_only: false,
            ..Scope::public()
        }
    }

    /// The classes this reader may see in records its own organisation owns.
    pub fn own_org_classes(&self) -> Vec<Visibility> {
        match self.role {
            Some(role) => Visibility::readable_in_own_org(role),
            None => vec![Visibility::Public],
        }
    }
}
