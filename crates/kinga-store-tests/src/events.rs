//! The event-data story: imports that are idempotent and audited per batch, licensed rows kept
//! with their organisation, region time series, and verification that catches a row edited or
//! deleted behind Kinga's back.
use crate::RawSql;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, Event, Level, NewEvent};
use kinga_domain::org::{NewOrganisation, Organisation};
use kinga_domain::period::Period;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::{Country, Role};
use kinga_store::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date")
}

fn caf() -> Country {
    Country::parse("CAF").expect("ISO code")
}

fn ged(id: &str, date: &str, admin1: &str, violence: u8, best: u32) -> Event {
    let mut n = NewEvent::new(Dataset::UcdpGed, id, d(date), caf());
    n.admin1 = Some(admin1.into());
    n.latitude = Some(6.49);
    n.longitude = Some(17.45);
    n.place_precision = Some(1);
    n.violence_type = ViolenceType::from_code(violence);
    n.civilian_targeting = violence == 3;
    n.fatalities.best = Some(best);
    n.fatalities.civilians = Some(if violence == 3 { best } else { 0 });
    n.actor1 = Some("Séléka".into());
    n.validate().expect("valid event")
}

fn acled(id: &str, version: i64, best: u32) -> Event {
    let mut n = NewEvent::new(Dataset::Acled, id, d("2013-12-05"), caf());
    n.admin1 = Some("Bangui".into());
    n.version = Some(version);
    n.event_type = Some("Violence against civilians".into());
    n.sub_event_type = Some("Attack".into());
    n.violence_type = Some(ViolenceType::OneSided);
    n.civilian_targeting = true;
    n.fatalities.best = Some(best);
    n.validate().expect("valid event")
}

/// An organisation of the Central African Republic, for the event stories.
pub(crate) async fn org(store: &dyn Store, slug: &str) -> Organisation {
    store
        .add_organisation(
            &Actor::system("conformance"),
            NewOrganisation::parse(slug, slug, Some("CAF"), &[]).expect("valid organisation"),
        )
        .await
        .expect("organisation added")
}

/// An importer acting for `o`, and the scope of an analyst of `o`.
pub(crate) fn analyst_of(o: &Organisation) -> (Actor, Scope) {
    let actor = Actor::system("import").acting_for(o.id, o.slug.clone());
    let scope = Scope {
        user_id: None,
        organisation_id: Some(o.id),
        role: Some(Role::Analyst),
        network_peers: vec![o.id],
        own_reports_only: false,
        everything: false,
    };
    (actor, scope)
}

pub async fn events_story(store: &dyn Store) {
    let a = org(store, "events-a").await;
    let b = org(store, "events-b").await;
    let (actor_a, scope_a) = analyst_of(&a);
    let (actor_b, scope_b) = analyst_of(&b);

    // 2013-12-05 and 2013-12-06 share a Monday week (2 December); 2013-12-10 is the next one.
    let first = vec![
        ged("1", "2013-12-05", "Bangui", 3, 60),
        ged("2", "2013-12-06", "Bangui", 1, 10),
        ged("3", "2013-12-10", "Ouham", 3, 5),
    ];
    let o = store.upsert_events(&actor_a, first.clone()).await.unwrap();
    assert_eq!((o.new, o.updated, o.unchanged), (3, 0, 0));
    let o = store.upsert_events(&actor_b, first.clone()).await.unwrap();
    assert_eq!(
        (o.new, o.updated, o.unchanged),
        (0, 0, 3),
        "re-importing adds nothing, whoever imports the open dataset"
    );
    assert_eq!(store.event_total(&scope_b, None).await.unwrap(), 3);

    // A corrected row updates the stored one, and the chain says so for the batch that held it.
    let mut corrected = first.clone();
    corrected[1].fatalities.best = Some(12);
    let o = store.upsert_events(&actor_a, corrected).await.unwrap();
    assert_eq!((o.new, o.updated, o.unchanged), (0, 1, 2));

    // GDELT is stored, but counted apart.
    let mut g = NewEvent::new(Dataset::Gdelt, "498212", d("2013-12-05"), caf());
    g.admin1 = Some("Bangui".into());
    g.event_type = Some("190".into());
    g.violence_type = Some(ViolenceType::StateBased);
    let g = g.validate().unwrap();
    assert_eq!(store.upsert_events(&actor_a, vec![g]).await.unwrap().new, 1);

    // ACLED rows stay with the organisation whose key downloaded them.
    let o = store
        .upsert_events(&actor_a, vec![acled("CEN100", 1_700_000_000, 20)])
        .await
        .unwrap();
    assert_eq!(o.new, 1);
    assert_eq!(
        store
            .event_total(&scope_a, Some(&Dataset::Acled))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .event_total(&scope_b, Some(&Dataset::Acled))
            .await
            .unwrap(),
        0,
        "another organisation does not see ACLED rows it did not import"
    );
    assert_eq!(
        store
            .upsert_events(&actor_b, vec![acled("CEN100", 1_700_000_000, 20)])
            .await
            .unwrap()
            .new,
        1,
        "its own import is its own copy"
    );
    let refused = store
        .upsert_events(&Actor::system("import"), vec![acled("CEN101", 1, 1)])
        .await;
    assert!(matches!(refused, Err(StoreError::Rule(_))), "{refused:?}");
    // An older version does not replace a newer one; a newer one does.
    let o = store
        .upsert_events(&actor_a, vec![acled("CEN100", 1_600_000_000, 99)])
        .await
        .unwrap();
    assert_eq!((o.new, o.updated, o.unchanged), (0, 0, 1));
    let o = store
        .upsert_events(&actor_a, vec![acled("CEN100", 1_800_000_000, 21)])
        .await
        .unwrap();
    assert_eq!((o.new, o.updated, o.unchanged), (0, 1, 0));

    // Weekly counts per admin1: organisation B sees UCDP and its own ACLED copy, not GDELT.
    let week = |s: &str| Period::Week.index_of(d(s));
    let q = CountQuery::new(Level::Admin1, Period::Week);
    let cells = store.event_counts(&scope_b, &q).await.unwrap();
    type Cell<'a> = (Option<&'a str>, i64, Option<ViolenceType>, u64, u64);
    let got: Vec<Cell> = cells
        .iter()
        .map(|c| {
            (
                c.admin1.as_deref(),
                c.period,
                c.violence_type,
                c.events,
                c.fatalities,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("Bangui"),
                week("2013-12-05"),
                Some(ViolenceType::StateBased),
                1,
                12
            ),
            (
                Some("Bangui"),
                week("2013-12-05"),
                Some(ViolenceType::OneSided),
                2,
                80
            ),
            (
                Some("Ouham"),
                week("2013-12-10"),
                Some(ViolenceType::OneSided),
                1,
                5
            ),
        ]
    );
    assert_eq!(cells[1].civilian_targeting, 2);
    assert_eq!(cells[1].civilian_fatalities, 60);

    // Country × month for organisation A includes its ACLED row; a date filter narrows.
    let mut q = CountQuery::new(Level::Country, Period::Month);
    q.to = Some(d("2013-12-09"));
    let cells = store.event_counts(&scope_a, &q).await.unwrap();
    let one_sided: Vec<_> = cells
        .iter()
        .filter(|c| c.violence_type == Some(ViolenceType::OneSided))
        .collect();
    assert_eq!(one_sided.len(), 1);
    assert_eq!(one_sided[0].admin1, None);
    assert_eq!(one_sided[0].period, 2013 * 12 + 11);
    assert_eq!((one_sided[0].events, one_sided[0].fatalities), (2, 81));
    let mut q = CountQuery::new(Level::Country, Period::Week);
    q.dataset = Some(Dataset::Gdelt);
    let gdelt = store.event_counts(&scope_a, &q).await.unwrap();
    assert_eq!(gdelt.len(), 1);
    assert_eq!(gdelt[0].events, 1);

    // The events behind a signal: one region and week, newest first, limited.
    let behind = store
        .events_in(
            &scope_b,
            &EventSelection {
                country: caf(),
                admin1: Some("bangui".into()),
                from: d("2013-12-02"),
                to: d("2013-12-08"),
                dataset: Some(Dataset::UcdpGed),
                limit: 10,
            },
        )
        .await
        .unwrap();
    let ids: Vec<&str> = behind.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(ids, ["2", "1"]);
    assert_eq!(behind[0].fatalities.best, Some(12));
    assert_eq!(behind[1], first[0], "an event reads back as written");
    let limited = store
        .events_in(
            &scope_b,
            &EventSelection {
                country: caf(),
                admin1: None,
                from: d("2013-01-01"),
                to: d("2013-12-31"),
                dataset: None,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].external_id, "3");

    let v = store.verify().await.unwrap();
    assert_eq!(v.first_break, None, "event batches verify");
}

/// A row changed or removed by hand is caught, and named by its batch.
pub async fn events_tampering_story(store: &dyn Store, raw: RawSql<'_>) {
    let a = org(store, "events-t").await;
    let (actor, _) = analyst_of(&a);
    store
        .upsert_events(
            &actor,
            vec![
                ged("10", "2014-01-05", "Ouham", 3, 7),
                ged("11", "2014-01-06", "Ouham", 3, 8),
            ],
        )
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw("UPDATE events SET fatalities_best = 700 WHERE external_id = '10'".into()).await;
    let brk = store.verify().await.unwrap().first_break.expect("a break");
    assert!(brk.contains("event_batch"), "{brk}");
    raw("UPDATE events SET fatalities_best = 7 WHERE external_id = '10'".into()).await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw("DELETE FROM events WHERE external_id = '11'".into()).await;
    let brk = store.verify().await.unwrap().first_break.expect("a break");
    assert!(brk.contains("event_batch"), "{brk}");
}

/// Verification reads in pages (a batch's rows, the roll-up by windows of days): a batch of
/// more rows than a page, spread over years, verifies intact, and a change on its last page,
/// in the roll-up's last day, or a batch deleted whole is still named.
pub async fn verify_in_pages_story(store: &dyn Store, raw: RawSql<'_>) {
    const ROWS: usize = 12_001;
    let a = org(store, "events-pages").await;
    let (actor, _) = analyst_of(&a);
    let start = d("2010-01-01");
    let areas = ["Bangui", "Ouham", "Vakaga", "Mbomou", "Haute-Kotto"];
    let rows: Vec<Event> = (0..ROWS)
        .map(|i| {
            let day = start + chrono::Duration::days((i % 1_500) as i64);
            ged(
                &format!("p{i}"),
                &day.to_string(),
                areas[i % areas.len()],
                (i % 3 + 1) as u8,
                (i % 7) as u32,
            )
        })
        .collect();
    store.upsert_events(&actor, rows).await.unwrap();
    store
        .upsert_events(&actor, vec![ged("lone", "2014-02-01", "Ouham", 1, 4)])
        .await
        .unwrap();
    let v = store.verify().await.unwrap();
    assert_eq!(v.first_break, None, "{v:?}");

    let last = format!("p{}", ROWS - 1);
    let best = (ROWS - 1) % 7;
    raw(format!(
        "UPDATE events SET fatalities_best = 999 WHERE external_id = '{last}'"
    ))
    .await;
    let brk = store.verify().await.unwrap().first_break.expect("a break");
    assert!(
        brk.contains("event_batch") && brk.contains("does not match"),
        "{brk}"
    );
    raw(format!(
        "UPDATE events SET fatalities_best = {best} WHERE external_id = '{last}'"
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    let latest = "(SELECT MAX(day) FROM events)";
    raw(format!(
        "UPDATE event_rollup SET events = events + 1 WHERE day = {latest}"
    ))
    .await;
    let brk = store.verify().await.unwrap().first_break.expect("a break");
    assert!(
        brk.contains("event roll-up") && brk.contains("2014-02-08"),
        "{brk}"
    );
    raw(format!(
        "UPDATE event_rollup SET events = events - 1 WHERE day = {latest}"
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw("DELETE FROM events WHERE external_id = 'lone'".into()).await;
    let brk = store.verify().await.unwrap().first_break.expect("a break");
    assert!(
        brk.starts_with("event_batch ") && brk.contains("missing from the database"),
        "{brk}"
    );
}

/// A first import into an empty events table drops the region index and its end builds it
/// again; an import into a table that holds events leaves it alone. `raw` proves the index's
/// presence by dropping it (which fails if it is absent) and its absence by creating it.
pub async fn bulk_import_story(store: &dyn Store, raw: RawSql<'_>) {
    const CREATE: &str = "CREATE INDEX events_region_day ON events (country, day)";
    const DROP: &str = "DROP INDEX events_region_day";
    let o = org(store, "bulk-import").await;
    let (actor, scope) = analyst_of(&o);

    assert!(store.begin_import().await.unwrap(), "empty table: deferred");
    raw(CREATE.into()).await;
    raw(DROP.into()).await;
    let rows = vec![
        ged("b1", "2013-12-05", "Bangui", 3, 60),
        ged("b2", "2013-12-06", "Ouham", 1, 10),
    ];
    store.upsert_events(&actor, rows).await.unwrap();
    store.finish_import().await.unwrap();
    raw(DROP.into()).await;

    // An import that stopped before its end left the index missing: the next one's end
    // builds it.
    store.finish_import().await.unwrap();
    raw(DROP.into()).await;
    store.finish_import().await.unwrap();

    assert!(!store.begin_import().await.unwrap(), "events stored: kept");
    raw(DROP.into()).await;
    raw(CREATE.into()).await;
    store.finish_import().await.unwrap();

    let found = store
        .events_in(
            &scope,
            &EventSelection {
                country: caf(),
                admin1: Some("Bangui".into()),
                from: d("2013-12-01"),
                to: d("2013-12-31"),
                dataset: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        found
            .iter()
            .map(|e| e.external_id.as_str())
            .collect::<Vec<_>>(),
        vec!["b1"]
    );
}

/// A first import skips looking up keys it has not written (SQLite): this holds only while no
/// other connection writes events. `other` is a second store on the same database, as another
/// process would open it.
pub async fn first_import_with_another_writer_story(store: &dyn Store, other: &dyn Store) {
    let o = org(store, "first-import").await;
    let (actor, _) = analyst_of(&o);
    let in_country = |id: &str, country: &str, best: u32| {
        let mut e = ged(id, "2013-12-05", "Bangui", 3, best);
        e.country = Country::parse(country).expect("ISO code");
        e
    };
    let import = |rows: Vec<Event>| async {
        store
            .upsert_prepared(
                &actor,
                rows.into_iter().map(PreparedEvent::new).collect(),
                RollUp::AtImportEnd,
            )
            .await
            .unwrap()
    };

    assert!(store.begin_import().await.unwrap(), "empty table");
    let o1 = import(vec![in_country("z1", "CAF", 1)]).await;
    assert_eq!(o1.new, 1);
    // Written earlier in the same import, now in another country: found, and moved.
    let o2 = import(vec![in_country("z1", "TCD", 2)]).await;
    assert_eq!(
        (o2.new, o2.updated),
        (0, 1),
        "a key this import wrote is looked up"
    );

    // Another writer stores a key this import has not written.
    other
        .upsert_events(&actor, vec![in_country("z2", "TCD", 3)])
        .await
        .unwrap();
    let o3 = import(vec![in_country("z2", "CAF", 4)]).await;
    assert_eq!(
        (o3.new, o3.updated),
        (0, 1),
        "after another writer, every key is looked up again"
    );
    store.finish_import().await.unwrap();

    assert_eq!(
        store.event_total(&Scope::public(), None).await.unwrap(),
        2,
        "one row per key, whatever the country"
    );
    let v = store.verify().await.unwrap();
    assert_eq!(v.first_break, None);
}
