//! Alerts and responses. Anyone signed in reads the alerts and responses within their scope;
//! the alert desk (coordinators, analysts and administrators) raises alerts, routes them
//! through their lifecycle and records responses, for its own organisation only. Kinga's own
//! command-line work uses the same desk on behalf of the organisation that owns the alert.
use crate::{AccessError, Member, Result, System};
use kinga_domain::alert::{Alert, AlertMove, NewAlert, NewResponse, ResponseAction};
use kinga_domain::ids::AlertId;
use kinga_domain::org::Organisation;
use kinga_domain::Role;
use kinga_store::{Actor, AlertFilter, Page, Raised, ResponseFilter, Scope, Store, StoreError};
use std::sync::Arc;

impl Member {
    #[tracing::instrument(skip_all)]
    pub async fn alert(&self, id: AlertId) -> Result<Option<Alert>> {
        let scope = self.principal().scope();
        Ok(self.store().alert(&scope, id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn alerts(&self, filter: &AlertFilter) -> Result<Page<Alert>> {
        let scope = self.principal().scope();
        Ok(self.store().alerts(&scope, filter).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn responses(&self, filter: &ResponseFilter) -> Result<Page<ResponseAction>> {
        let scope = self.principal().scope();
        Ok(self.store().responses(&scope, filter).await?)
    }

    /// The desk that raises and routes alerts and records responses.
    pub fn as_alert_desk(&self) -> Result<AlertDesk> {
        let p = self.principal();
        if !p.user.role.raises_alerts() {
            return Err(AccessError::Forbidden(p.user.role));
        }
        Ok(AlertDesk {
            store: self.store().clone(),
            actor: p.actor(),
            scope: p.scope(),
        })
    }
}

/// Raises alerts, moves them and records responses for one organisation: a signed-in member of
/// the desk, or Kinga's own work on the organisation's behalf.
pub struct AlertDesk {
    store: Arc<dyn Store>,
    actor: Actor,
    scope: Scope,
}

impl AlertDesk {
    /// The alert and whether it is new; an alert with the same dedup key is given back as it is.
    #[tracing::instrument(skip_all)]
    pub async fn raise(&self, new: NewAlert) -> Result<Raised> {
        Ok(self.store.raise_alert(&self.actor, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn alert(&self, id: AlertId) -> Result<Option<Alert>> {
        Ok(self.store.alert(&self.scope, id).await?)
    }

    /// Moves the alert; with `expected_version`, refuses when someone moved it meanwhile.
    #[tracing::instrument(skip_all, fields(alert = %id, wanted = %wanted))]
    pub async fn move_alert(
        &self,
        id: AlertId,
        wanted: AlertMove,
        expected_version: Option<u32>,
    ) -> Result<Alert> {
        Ok(self
            .store
            .move_alert(&self.actor, &self.scope, id, wanted, expected_version)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn record_response(&self, new: NewResponse) -> Result<ResponseAction> {
        Ok(self
            .store
            .record_response(&self.actor, &self.scope, new)
            .await?)
    }
}

impl System {
    /// Every alert, whoever owns it: whoever runs the command line holds the database.
    #[tracing::instrument(skip_all)]
    pub async fn alerts(&self, filter: &AlertFilter) -> Result<Page<Alert>> {
        Ok(self.store.alerts(&self.sees_everything(), filter).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn responses(&self, filter: &ResponseFilter) -> Result<Page<ResponseAction>> {
        Ok(self
            .store
            .responses(&self.sees_everything(), filter)
            .await?)
    }

    /// The alert desk of `org`, recorded as `system:<task>` on its behalf.
    #[tracing::instrument(skip_all, fields(org = %org.slug))]
    pub async fn alert_desk(&self, org: &Organisation) -> Result<AlertDesk> {
        let peers = self.store.network_peers(org.id).await?;
        Ok(AlertDesk {
            store: self.store.clone(),
            actor: self.acting_for(org),
            scope: owner_scope(org.id, peers),
        })
    }

    /// The alert `id` and the desk of the organisation that owns it, for moving it or
    /// answering it from the command line.
    #[tracing::instrument(skip_all, fields(alert = %id))]
    pub async fn owners_alert_desk(&self, id: AlertId) -> Result<(Alert, AlertDesk)> {
        let alert = self
            .store
            .alert(&self.sees_everything(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let peers = self.store.network_peers(alert.organisation_id).await?;
        let desk = AlertDesk {
            store: self.store.clone(),
            actor: self.acting_for_id(alert.organisation_id, alert.organisation.clone()),
            scope: owner_scope(alert.organisation_id, peers),
        };
        Ok((alert, desk))
    }
}

/// What the owning organisation's administrator would see: its own alerts of every class.
fn owner_scope(org: kinga_domain::ids::OrgId, peers: Vec<kinga_domain::ids::OrgId>) -> Scope {
    Scope {
        user_id: None,
        organisation_id: Some(org),
        role: Some(Role::Admin),
        network_peers: peers,
        own_reports_only: false,
        everything: false,
    }
}

#[cfg(test)]
mod tests {
    use crate::records::AlertFilter;
    use crate::{Access, AccessError, Principal};
    use kinga_domain::alert::{AlertMove, AlertStatus, NewAlert};
    use kinga_domain::org::NewOrganisation;
    use kinga_domain::user::Email;
    use kinga_domain::Role;
    use serde_json::json;
    use std::sync::Arc;

    fn new_alert() -> NewAlert {
        NewAlert::parse(
            &json!({"country": "CAF", "level": "urgent", "dedup_key": "k",
            "message_en": "Attack feared", "message_fr": "Attaque redoutée"}),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn the_desk_is_for_those_who_raise_alerts_and_reads_are_for_everyone_in_scope() {
        let dir = tempfile::tempdir().unwrap();
        let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
            .await
            .unwrap();
        let access = Access::new(Arc::new(store));
        let system = access.system("test");
        let org = |slug: &'static str| NewOrganisation::parse(slug, slug, None, &[]).unwrap();
        let alpha = system.add_organisation(org("alpha")).await.unwrap();
        system.add_organisation(org("bravo")).await.unwrap();
        let member = |org: &'static str, role: Role| {
            let (system, access) = (&system, &access);
            async move {
                let email = Email::parse(&format!("{role}@{org}.org")).unwrap();
                let user = system
                    .add_user(
                        kinga_domain::org::Slug::parse(org).unwrap(),
                        role,
                        email,
                        "a long enough passphrase here",
                        None,
                    )
                    .await
                    .unwrap();
                access.member(Principal {
                    peers: vec![user.organisation_id],
                    user,
                })
            }
        };
        for role in [Role::Monitor, Role::Legal] {
            let m = member("alpha", role).await;
            assert!(
                matches!(m.as_alert_desk(), Err(AccessError::Forbidden(r)) if r == role),
                "{role}"
            );
        }
        let coordinator = member("alpha", Role::Coordinator).await;
        let desk = coordinator.as_alert_desk().unwrap();
        let raised = desk.raise(new_alert()).await.unwrap();
        assert!(raised.created);
        assert!(!desk.raise(new_alert()).await.unwrap().created);
        let observer = member("alpha", Role::Observer).await;
        assert!(matches!(
            observer.as_alert_desk(),
            Err(AccessError::Forbidden(Role::Observer))
        ));
        assert_eq!(
            observer
                .alerts(&AlertFilter::default())
                .await
                .unwrap()
                .total,
            1
        );
        let outsider = member("bravo", Role::Admin).await;
        assert!(outsider.alert(raised.alert.id).await.unwrap().is_none());
        let theirs = outsider.as_alert_desk().unwrap();
        assert!(theirs
            .move_alert(raised.alert.id, AlertMove::Close, None)
            .await
            .is_err());

        // The command line acts for the owner.
        let (found, owners) = system.owners_alert_desk(raised.alert.id).await.unwrap();
        assert_eq!(found.organisation_id, alpha.id);
        let ack = owners
            .move_alert(found.id, AlertMove::Acknowledge, Some(found.version))
            .await
            .unwrap();
        assert_eq!(ack.status, AlertStatus::Acknowledged);
        assert_eq!(ack.acknowledged_by.as_deref(), Some("system:test"));
    }
}
