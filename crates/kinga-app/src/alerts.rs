//! Alerts and responses. Anyone signed in reads the alerts and responses within their scope;
//! the alert desk (coordinators, analysts and administrators) raises alerts, routes them
//! through their lifecycle and records responses, for its own organisation only. Kinga's own
//! command-line work uses the same desk on behalf of the organisation that owns the alert.
//!
//! An alert may cite only what the desk may see: every id of its basis is read with the desk's
//! own scope before anything is written, and an id that names no record and one that names a
//! record beyond the desk's sight get the same answer, so that citing cannot probe for records.
use crate::{AccessError, Member, Result, System};
use kinga_domain::alert::{
    Alert, AlertBasis, AlertMove, NewAlert, NewResponse, ResponseAction, MAX_BASIS_IDS,
};
use kinga_domain::ids::AlertId;
use kinga_domain::org::Organisation;
use kinga_domain::{Role, ValidationErrors};
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
    /// Refuses, writing nothing, an alert whose basis cites a record the desk cannot see.
    #[tracing::instrument(skip_all)]
    pub async fn raise(&self, new: NewAlert) -> Result<Raised> {
        self.check_basis(&new.basis).await?;
        Ok(self.store.raise_alert(&self.actor, new).await?)
    }

    /// Reads every cited id with the desk's scope; each one not found is named by its JSON path,
    /// with one message whether the record does not exist or is beyond the desk's sight. At most
    /// [`MAX_BASIS_IDS`] ids of each kind are read: a longer list is refused unread.
    async fn check_basis(&self, basis: &AlertBasis) -> Result<()> {
        const UNSEEN: &str = "names no record you may cite";
        let mut errors = ValidationErrors::new();
        let lists = [
            ("incidents", basis.incidents.len()),
            ("signals", basis.signals.len()),
            ("assessments", basis.assessments.len()),
            ("evidence", basis.evidence.len()),
        ];
        for (key, len) in lists {
            if len > MAX_BASIS_IDS {
                errors.push(
                    format!("$.{key}"),
                    format!("must list at most {MAX_BASIS_IDS}"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors).into());
        }
        let (store, scope) = (&self.store, &self.scope);
        for (i, id) in basis.incidents.iter().enumerate() {
            if store.incident(scope, *id).await?.is_none() {
                errors.push(format!("$.incidents[{i}]"), UNSEEN);
            }
        }
        for (i, id) in basis.signals.iter().enumerate() {
            if store.signal(scope, id).await?.is_none() {
                errors.push(format!("$.signals[{i}]"), UNSEEN);
            }
        }
        for (i, id) in basis.assessments.iter().enumerate() {
            if store.assessment(scope, *id, None).await?.is_none() {
                errors.push(format!("$.assessments[{i}]"), UNSEEN);
            }
        }
        for (i, id) in basis.evidence.iter().enumerate() {
            if store.evidence(scope, *id).await?.is_none() {
                errors.push(format!("$.evidence[{i}]"), UNSEEN);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(errors).into())
        }
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

#[cfg(test)]
mod basis_tests {
    use crate::records::AlertFilter;
    use crate::{Access, AccessError, Member, Principal};
    use kinga_domain::alert::NewAlert;
    use kinga_domain::event::Level;
    use kinga_domain::ids::OrgId;
    use kinga_domain::incident::NewIncident;
    use kinga_domain::org::{NewOrganisation, Slug};
    use kinga_domain::period::Period;
    use kinga_domain::risk::NewAssessment;
    use kinga_domain::user::Email;
    use kinga_domain::{Country, Role, ValidationErrors};
    use kinga_store::{NewSignal, NewSignalRun, SignalFilter, StoreError};
    use serde_json::{json, Value};
    use std::sync::Arc;

    fn alert(basis: Value) -> NewAlert {
        let mut body = json!({"country": "CAF", "level": "warning",
            "message_en": "Attack feared", "message_fr": "Attaque redoutée"});
        for (k, v) in basis.as_object().unwrap() {
            body[k] = v.clone();
        }
        NewAlert::parse(&body).unwrap()
    }

    fn incident(visibility: &str) -> NewIncident {
        NewIncident::parse(&json!({"title": "Attack on Bossangoa", "country": "CAF",
            "date_start": "2013-12-05", "visibility": visibility}))
        .unwrap()
    }

    fn refused(r: crate::Result<kinga_store::Raised>) -> ValidationErrors {
        match r {
            Err(AccessError::Store(StoreError::Invalid(v))) => v,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn paths(v: &ValidationErrors) -> Vec<&str> {
        v.errors.iter().map(|e| e.path.as_str()).collect()
    }

    #[tokio::test]
    async fn an_alert_cites_only_what_its_desk_may_see_and_a_refusal_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
            .await
            .unwrap();
        let access = Access::new(Arc::new(store));
        let system = access.system("test");
        let org = |slug: &'static str| NewOrganisation::parse(slug, slug, None, &[]).unwrap();
        let alpha = system.add_organisation(org("alpha")).await.unwrap();
        let bravo = system.add_organisation(org("bravo")).await.unwrap();
        // Alpha and bravo share a network.
        let peers = vec![alpha.id, bravo.id];
        let member = |org: &'static str, role: Role| {
            let (system, access, peers) = (&system, &access, peers.clone());
            async move {
                let email = Email::parse(&format!("{role}@{org}.org")).unwrap();
                let user = system
                    .add_user(
                        Slug::parse(org).unwrap(),
                        role,
                        email,
                        "a long enough passphrase here",
                        None,
                    )
                    .await
                    .unwrap();
                access.member(Principal { peers, user })
            }
        };
        let writes = |m: &Member, new: NewIncident| {
            let m = m.clone();
            async move {
                m.as_analyst()
                    .unwrap()
                    .create_incident(new)
                    .await
                    .unwrap()
                    .id
            }
        };
        let analyst = member("alpha", Role::Analyst).await;
        let admin = member("alpha", Role::Admin).await;
        let theirs = member("bravo", Role::Analyst).await;
        let own = writes(&analyst, incident("organisation")).await;
        let shared = writes(&theirs, incident("network")).await;
        let private = writes(&theirs, incident("organisation")).await;
        let sealed = writes(&admin, incident("sealed")).await;
        let random = kinga_domain::ids::IncidentId::new();

        let desk = analyst.as_alert_desk().unwrap();
        let count = || async { system.alerts(&AlertFilter::default()).await.unwrap().total };

        // Its own incident and a network peer's shared one may be cited.
        let raised = desk
            .raise(alert(
                json!({"incidents": [own.to_string(), shared.to_string()],
                "dedup_key": "cites-visible"}),
            ))
            .await
            .unwrap();
        assert!(raised.created);
        assert_eq!(raised.alert.basis.incidents, vec![own, shared]);
        assert_eq!(count().await, 1);

        // Another organisation's own incident and an id of nothing get the same answer.
        let e = refused(
            desk.raise(alert(json!({"incidents":
                [own.to_string(), private.to_string(), random.to_string()]})))
                .await,
        );
        assert_eq!(paths(&e), vec!["$.incidents[1]", "$.incidents[2]"]);
        assert_eq!(e.errors[0].message, e.errors[1].message);
        assert!(!e.to_string().contains(&private.to_string()));
        assert_eq!(count().await, 1);

        // A sealed incident is refused to the analyst and cited by the administrator.
        let e = refused(
            desk.raise(alert(json!({"incidents": [sealed.to_string()]})))
                .await,
        );
        assert_eq!(paths(&e), vec!["$.incidents[0]"]);
        assert_eq!(count().await, 1);
        let by_admin = admin.as_alert_desk().unwrap();
        assert!(
            by_admin
                .raise(alert(json!({"incidents": [sealed.to_string()]})))
                .await
                .unwrap()
                .created
        );
        assert_eq!(count().await, 2);

        // Signals and assessments: shared ones may be cited, a peer's own ones may not.
        let signal_run = |level: Level, owner: Option<OrgId>| NewSignalRun {
            level,
            period: Period::Week,
            measure: "events".into(),
            dataset: None,
            first_bucket: 2_000,
            last_bucket: 2_100,
            settings: "{}".into(),
            owner,
            signals: vec![NewSignal {
                country: Country::parse("CAF").unwrap(),
                admin1: None,
                bucket: 2_050,
                measure: "events".into(),
                method: "ewma".into(),
                observed: 12.0,
                expected: 0.75,
                score: 6.0,
                threshold: 3.0,
            }],
        };
        system
            .replace_signals(signal_run(Level::Country, None))
            .await
            .unwrap();
        system
            .replace_signals(signal_run(Level::Admin1, Some(bravo.id)))
            .await
            .unwrap();
        let signal_of = |level: Level| {
            let theirs = theirs.clone();
            async move {
                let filter = SignalFilter {
                    level: Some(level),
                    ..SignalFilter::default()
                };
                theirs.signals(&filter).await.unwrap().items[0].id.clone()
            }
        };
        let (shared_signal, their_signal) = (
            signal_of(Level::Country).await,
            signal_of(Level::Admin1).await,
        );
        let assessment = |visibility: &str| {
            let body = json!({"country": "CAF", "assessed_on": "2026-06-01",
                "visibility": visibility});
            let (system, bravo) = (&system, &bravo);
            async move {
                let new = NewAssessment::parse(&body).unwrap();
                system.create_assessment(bravo, new).await.unwrap().id
            }
        };
        let (shared_assessment, their_assessment) = (
            assessment("network").await,
            assessment("organisation").await,
        );
        let e = refused(
            desk.raise(alert(json!({
                "signals": [shared_signal, their_signal],
                "assessments": [shared_assessment.to_string(), their_assessment.to_string()],
            })))
            .await,
        );
        assert_eq!(paths(&e), vec!["$.signals[1]", "$.assessments[1]"]);
        assert_eq!(count().await, 2);
        assert!(
            desk.raise(alert(json!({"signals": [shared_signal],
                "assessments": [shared_assessment.to_string()], "dedup_key": "shared"})))
                .await
                .unwrap()
                .created
        );
        assert_eq!(count().await, 3);

        // Ids of nothing, of every kind, are checked the same way, every bad one named.
        let e = refused(
            desk.raise(alert(json!({
                "signals": ["no-such-signal"],
                "assessments": [kinga_domain::risk::AssessmentId::new().to_string()],
                "evidence": [kinga_domain::evidence::EvidenceId::new().to_string()],
            })))
            .await,
        );
        assert_eq!(
            paths(&e),
            vec!["$.signals[0]", "$.assessments[0]", "$.evidence[0]"]
        );
        assert_eq!(count().await, 3);

        // The command line's desk sees what the owner's administrator sees, and no more.
        let cli = system.alert_desk(&alpha).await.unwrap();
        let e = refused(
            cli.raise(alert(json!({"incidents": [private.to_string()]})))
                .await,
        );
        assert_eq!(paths(&e), vec!["$.incidents[0]"]);
        assert!(
            cli.raise(alert(
                json!({"incidents": [own.to_string(), sealed.to_string()],
                "dedup_key": "from-the-command-line"})
            ))
            .await
            .unwrap()
            .created
        );
        assert_eq!(count().await, 4);

        // A basis built past the parse's bound is refused unread.
        let mut long = alert(json!({}));
        long.basis.signals = (0..=kinga_domain::alert::MAX_BASIS_IDS)
            .map(|i| format!("sig-{i}"))
            .collect();
        assert_eq!(paths(&refused(desk.raise(long).await)), vec!["$.signals"]);
        assert_eq!(count().await, 4);
    }
}
