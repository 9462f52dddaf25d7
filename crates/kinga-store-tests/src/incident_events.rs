//! The incident ↔ event story: an analyst cites the dataset rows that record what an incident
//! documents, Kinga suggests the candidates of the incident's region and dates, and nobody
//! outside the licence of a row (ACLED) or the visibility of the incident learns of a citation.
use crate::RawSql;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, Event, NewEvent};
use kinga_domain::ids::IncidentId;
use kinga_domain::incident::{Incident, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation};
use kinga_domain::user::{Email, User};
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::{Country, Role};
use kinga_store::*;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date")
}

fn event(dataset: Dataset, id: &str, date: &str, country: &str, admin1: &str, best: u32) -> Event {
    let mut n = NewEvent::new(
        dataset,
        id,
        d(date),
        Country::parse(country).expect("ISO code"),
    );
    n.admin1 = Some(admin1.into());
    n.place_name = Some(format!("{admin1} village"));
    n.violence_type = Some(ViolenceType::OneSided);
    n.civilian_targeting = true;
    n.fatalities.best = Some(best);
    n.validate().expect("valid event")
}

fn ged(id: &str, date: &str, admin1: &str, best: u32) -> Event {
    event(Dataset::UcdpGed, id, date, "CAF", admin1, best)
}

fn r(s: &str) -> EventRef {
    s.parse().expect("event reference")
}

async fn org(store: &dyn Store, slug: &str, networks: &[&str]) -> Organisation {
    let nets: Vec<String> = networks.iter().map(ToString::to_string).collect();
    store
        .add_organisation(
            &Actor::system("conformance"),
            NewOrganisation::parse(slug, slug, Some("CAF"), &nets).expect("valid organisation"),
        )
        .await
        .expect("organisation added")
}

/// An analyst of `o`, with the actor that records their writes and the scope of their reads.
async fn analyst(store: &dyn Store, o: &Organisation) -> (User, Actor, Scope) {
    let u = store
        .add_user(
            &Actor::system("conformance"),
            NewUser {
                organisation: o.slug.clone(),
                role: Role::Analyst,
                email: Email::parse(&format!("analyst@{}.org", o.slug)).expect("e-mail"),
                password_hash: "$argon2id$placeholder-for-storage-tests".into(),
                totp_secret: None,
            },
        )
        .await
        .expect("user added");
    let actor = Actor {
        user_id: Some(u.id),
        label: u.email.to_string(),
        organisation_id: Some(o.id),
        organisation: Some(o.slug.clone()),
    };
    let scope = Scope {
        user_id: Some(u.id),
        organisation_id: Some(o.id),
        role: Some(Role::Analyst),
        network_peers: store.network_peers(o.id).await.expect("peers"),
        own_reports_only: false,
        everything: false,
    };
    (u, actor, scope)
}

async fn incident(store: &dyn Store, actor: &Actor, start: &str, end: &str) -> Incident {
    let new = NewIncident::parse(&json!({
        "title": "Attack on Bossangoa", "country": "CAF", "date_start": start, "date_end": end,
        "admin1": "Ouham", "visibility": "network", "fatalities_best": 40
    }))
    .expect("valid incident");
    store
        .create_incident(actor, new)
        .await
        .expect("incident created")
}

fn ids(events: &[SuggestedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|s| s.event.reference().to_string())
        .collect()
}

fn cited_ids(events: &[CitedEvent]) -> Vec<String> {
    events
        .iter()
        .map(|c| c.citation.event.to_string())
        .collect()
}

fn cite(event: &str, note: Option<&str>) -> NewEventCitation {
    NewEventCitation {
        event: r(event),
        note: note.map(str::to_string),
    }
}

async fn suggestions(store: &dyn Store, scope: &Scope, id: IncidentId) -> Vec<String> {
    ids(&store
        .event_suggestions(scope, id, SuggestionWindow { days: 3, limit: 20 })
        .await
        .expect("suggestions"))
}

pub async fn incident_events_story(store: &dyn Store) {
    let a = org(store, "cite-alpha", &["cite-net"]).await;
    let b = org(store, "cite-bravo", &["cite-net"]).await;
    let c = org(store, "cite-charlie", &[]).await;
    let (_, actor_a, scope_a) = analyst(store, &a).await;
    let (_, actor_b, scope_b) = analyst(store, &b).await;
    let (_, _, scope_c) = analyst(store, &c).await;

    // Events of several datasets around 5 December 2013, Ouham; each organisation imports its
    // own ACLED copy.
    let shared = vec![
        ged("g-same-day", "2013-12-05", "Ouham", 60),
        ged("g-two-days", "2013-12-07", "Ouham", 5),
        ged("g-day-before", "2013-12-04", "Ouham", 30),
        ged("g-weeks-later", "2013-12-20", "Ouham", 80),
        ged("g-other-province", "2013-12-05", "Bangui", 90),
        event(
            Dataset::UcdpGed,
            "g-congo",
            "2013-12-05",
            "COD",
            "Nord-Ubangi",
            9,
        ),
        event(Dataset::Gdelt, "498212", "2013-12-05", "CAF", "Ouham", 0),
    ];
    let sys = Actor::system("import");
    store.upsert_events(&sys, shared).await.unwrap();
    store
        .upsert_events(
            &actor_a,
            vec![event(
                Dataset::Acled,
                "CEN-A",
                "2013-12-05",
                "CAF",
                "Ouham",
                20,
            )],
        )
        .await
        .unwrap();
    store
        .upsert_events(
            &actor_b,
            vec![event(
                Dataset::Acled,
                "CEN-B",
                "2013-12-05",
                "CAF",
                "Ouham",
                25,
            )],
        )
        .await
        .unwrap();

    let inc = incident(store, &actor_a, "2013-12-05", "2013-12-05").await;

    // Suggestions: the incident's province and dates ± 3 days, nearest first then deadliest;
    // never GDELT, another province, another country, or another organisation's ACLED rows.
    assert_eq!(
        suggestions(store, &scope_a, inc.id).await,
        vec![
            "ucdp-ged:g-same-day",
            "acled:CEN-A",
            "ucdp-ged:g-day-before",
            "ucdp-ged:g-two-days"
        ]
    );
    let full = store
        .event_suggestions(&scope_a, inc.id, SuggestionWindow::default())
        .await
        .unwrap();
    assert_eq!(
        full.iter().map(|s| s.days_apart).collect::<Vec<_>>(),
        vec![0, 0, 1, 2]
    );
    assert_eq!(full[0].event.fatalities.best, Some(60));
    assert_eq!(full[0].event.admin1.as_deref(), Some("Ouham"));
    assert_eq!(full[0].event.place_name.as_deref(), Some("Ouham village"));
    let wide = store
        .event_suggestions(&scope_a, inc.id, SuggestionWindow { days: 20, limit: 2 })
        .await
        .unwrap();
    assert_eq!(ids(&wide), vec!["ucdp-ged:g-same-day", "acled:CEN-A"]);
    let wide = store
        .event_suggestions(
            &scope_a,
            inc.id,
            SuggestionWindow {
                days: 20,
                limit: 20,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        wide.last().map(|s| s.days_apart),
        Some(15),
        "the later event joins a wider window"
    );
    assert!(matches!(
        store
            .event_suggestions(
                &scope_a,
                inc.id,
                SuggestionWindow {
                    days: 400,
                    limit: 5
                }
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    // A network peer sees the incident, and its own licensed rows among the candidates.
    assert_eq!(
        suggestions(store, &scope_b, inc.id).await,
        vec![
            "ucdp-ged:g-same-day",
            "acled:CEN-B",
            "ucdp-ged:g-day-before",
            "ucdp-ged:g-two-days"
        ]
    );
    // Outside the network the incident does not exist.
    assert!(matches!(
        store
            .event_suggestions(&scope_c, inc.id, SuggestionWindow::default())
            .await,
        Err(StoreError::NotFound)
    ));

    // Citing.
    let first = store
        .cite_event(
            &actor_a,
            &scope_a,
            inc.id,
            cite("ucdp-ged:g-same-day", Some("  Same village, same day.  ")),
        )
        .await
        .unwrap();
    assert_eq!(
        first.citation.note.as_deref(),
        Some("Same village, same day.")
    );
    assert_eq!(first.citation.cited_by, "analyst@cite-alpha.org");
    assert_eq!(first.citation.country, inc.country);
    assert_eq!(first.event.fatalities.best, Some(60));
    store
        .cite_event(&actor_a, &scope_a, inc.id, cite("acled:CEN-A", None))
        .await
        .unwrap();
    let again = store
        .cite_event(
            &actor_a,
            &scope_a,
            inc.id,
            cite("ucdp-ged:g-same-day", None),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let congo = store
        .cite_event(&actor_a, &scope_a, inc.id, cite("ucdp-ged:g-congo", None))
        .await;
    match congo {
        Err(StoreError::Invalid(e)) => assert!(e.to_string().contains("COD"), "{e}"),
        other => panic!("an event of another country is refused: {other:?}"),
    }
    for unseen in ["acled:CEN-B", "ucdp-ged:no-such-row"] {
        let refused = store
            .cite_event(&actor_a, &scope_a, inc.id, cite(unseen, None))
            .await;
        match refused {
            Err(StoreError::Invalid(e)) => assert!(e.to_string().contains("$.event"), "{e}"),
            other => panic!("{unseen} is not citable by alpha: {other:?}"),
        }
    }
    let long = "x".repeat(NOTE_MAX + 1);
    assert!(matches!(
        store
            .cite_event(
                &actor_a,
                &scope_a,
                inc.id,
                cite("ucdp-ged:g-two-days", Some(&long))
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    // Only the owning organisation codes its incident.
    assert!(matches!(
        store
            .cite_event(
                &actor_b,
                &scope_b,
                inc.id,
                cite("ucdp-ged:g-two-days", None)
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    let actor_c = Actor::system("conformance").acting_for(c.id, c.slug.clone());
    assert!(matches!(
        store
            .cite_event(
                &actor_c,
                &scope_c,
                inc.id,
                cite("ucdp-ged:g-two-days", None)
            )
            .await,
        Err(StoreError::NotFound)
    ));

    // Lists: the owner sees both citations; the network peer only the shared row's; outside
    // the network, nothing.
    let mine = store.cited_events(&scope_a, inc.id).await.unwrap();
    assert_eq!(cited_ids(&mine), vec!["ucdp-ged:g-same-day", "acled:CEN-A"]);
    assert_eq!(mine[1].event.fatalities.best, Some(20));
    assert_eq!(
        cited_ids(&store.cited_events(&scope_b, inc.id).await.unwrap()),
        vec!["ucdp-ged:g-same-day"],
        "another organisation never learns which ACLED row was cited"
    );
    assert!(matches!(
        store.cited_events(&scope_c, inc.id).await,
        Err(StoreError::NotFound)
    ));
    // Cited events are no longer suggested.
    assert_eq!(
        suggestions(store, &scope_a, inc.id).await,
        vec!["ucdp-ged:g-day-before", "ucdp-ged:g-two-days"]
    );

    // From the event's side.
    let citing = store
        .incidents_citing(&scope_b, &r("ucdp-ged:g-same-day"))
        .await
        .unwrap();
    assert_eq!(citing.len(), 1);
    assert_eq!(citing[0].code, inc.code);
    assert_eq!(citing[0].organisation, a.slug);
    assert!(store
        .incidents_citing(&scope_c, &r("ucdp-ged:g-same-day"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .incidents_citing(&scope_a, &r("acled:CEN-A"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.incidents_citing(&scope_b, &r("acled:CEN-A")).await,
        Err(StoreError::NotFound)
    ));

    // Removing a citation: the owner only, once.
    assert!(matches!(
        store
            .uncite_event(&actor_b, &scope_b, inc.id, &r("ucdp-ged:g-same-day"))
            .await,
        Err(StoreError::Rule(_))
    ));
    let removed = store
        .uncite_event(&actor_a, &scope_a, inc.id, &r("ucdp-ged:g-same-day"))
        .await
        .unwrap();
    assert_eq!(removed.id, first.citation.id);
    assert!(matches!(
        store
            .uncite_event(&actor_a, &scope_a, inc.id, &r("ucdp-ged:g-same-day"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        cited_ids(&store.cited_events(&scope_a, inc.id).await.unwrap()),
        vec!["acled:CEN-A"]
    );

    // An incident imported from a GED row cites that row in one step; again adds nothing.
    let mut imported = NewIncident::parse(&json!({
        "title": "GED row g-two-days", "country": "CAF", "date_start": "2013-12-07",
        "admin1": "Ouham", "visibility": "network"
    }))
    .expect("valid incident");
    imported.external_ref = Some("ucdp-ged:g-two-days".into());
    let batch = vec![ImportedIncident {
        incident: imported,
        perpetrators: vec![],
        source: None,
        citation_reference: None,
    }];
    store.import_incidents(&actor_a, batch).await.unwrap();
    assert_eq!(
        store
            .cite_matching_events(&actor_b, &Dataset::UcdpGed)
            .await
            .unwrap(),
        0,
        "bravo owns no imported incident"
    );
    assert_eq!(
        store
            .cite_matching_events(&actor_a, &Dataset::UcdpGed)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .cite_matching_events(&actor_a, &Dataset::UcdpGed)
            .await
            .unwrap(),
        0
    );
    let page = store
        .incidents(
            &scope_a,
            &kinga_domain::incident::IncidentFilter {
                text: Some("g-two-days".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let linked = store
        .cited_events(&scope_a, page.items[0].id)
        .await
        .unwrap();
    assert_eq!(cited_ids(&linked), vec!["ucdp-ged:g-two-days"]);

    // Every write is in the audit chain, and the chain and the records agree.
    let trail = store.audit_trail(&first.citation.id).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["cite", "uncite"]);
    assert_eq!(trail[0].entity, "incident_event");
    assert!(trail[1].after_digest.is_none());
    assert_eq!(store.verify().await.unwrap().first_break, None);
}

pub async fn incident_events_tampering_story(store: &dyn Store, raw: RawSql<'_>) {
    let a = org(store, "cite-tango", &[]).await;
    let (_, actor, scope) = analyst(store, &a).await;
    store
        .upsert_events(
            &Actor::system("import"),
            vec![ged("t-1", "2013-12-05", "Ouham", 3)],
        )
        .await
        .unwrap();
    let inc = incident(store, &actor, "2013-12-04", "2013-12-06").await;
    let cited = store
        .cite_event(
            &actor,
            &scope,
            inc.id,
            cite("ucdp-ged:t-1", Some("matches")),
        )
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw(format!(
        "UPDATE incident_events SET note = 'rewritten' WHERE id = '{}'",
        cited.citation.id
    ))
    .await;
    let broken = store.verify().await.unwrap().first_break.expect("caught");
    assert!(
        broken.contains(&format!("incident_event {}", cited.citation.id)),
        "{broken}"
    );
    raw(format!(
        "UPDATE incident_events SET note = 'matches' WHERE id = '{}'",
        cited.citation.id
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw(format!(
        "DELETE FROM incident_events WHERE id = '{}'",
        cited.citation.id
    ))
    .await;
    let broken = store.verify().await.unwrap().first_break.expect("caught");
    assert!(broken.contains(&cited.citation.id), "{broken}");
}
