//! The signals story: a detect run stored, a second run of the same level and period replacing
//! it (and audited as such) while runs of other levels stay, filters, an organisation's own run
//! kept from others, and verification that notices a signal edited or slipped in by hand.
use crate::RawSql;
use chrono::NaiveDate;
use kinga_domain::event::Level;
use kinga_domain::org::NewOrganisation;
use kinga_domain::period::Period;
use kinga_domain::Country;
use kinga_store::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date")
}

fn caf() -> Country {
    Country::parse("CAF").expect("ISO code")
}

fn signal(admin1: Option<&str>, date: &str, method: &str, observed: f64) -> NewSignal {
    NewSignal {
        country: caf(),
        admin1: admin1.map(str::to_string),
        bucket: Period::Week.index_of(d(date)),
        measure: "events".into(),
        method: method.into(),
        observed,
        expected: 0.75,
        score: observed / 2.0,
        threshold: 3.0,
    }
}

fn run(level: Level, signals: Vec<NewSignal>) -> NewSignalRun {
    NewSignalRun {
        level,
        period: Period::Week,
        measure: "events".into(),
        dataset: None,
        first_bucket: Period::Week.index_of(d("1989-01-02")),
        last_bucket: Period::Week.index_of(d("2022-12-26")),
        settings: r#"{"min_count":3}"#.into(),
        owner: None,
        signals,
    }
}

fn everyone() -> Scope {
    Scope::public()
}

pub async fn signals_story(store: &dyn Store) {
    let actor = Actor::system("detect");
    let first = store
        .replace_signals(
            &actor,
            run(
                Level::Admin1,
                vec![
                    signal(Some("Ouham province"), "2013-09-09", "ewma", 12.0),
                    signal(Some("Ouham province"), "2013-09-09", "cusum", 12.0),
                    signal(Some("Bangui province"), "2013-12-02", "ewma", 30.0),
                    signal(None, "2013-03-25", "ears-c2", 5.0),
                ],
            ),
        )
        .await
        .expect("first run stored");
    assert_eq!(first.signal_count, 4);
    assert_eq!(first.replaced, Some(0));
    assert_eq!(first.first_period, d("1989-01-02"));
    store
        .replace_signals(
            &actor,
            run(
                Level::Country,
                vec![signal(None, "2013-12-02", "ewma", 40.0)],
            ),
        )
        .await
        .expect("country run stored");

    // Newest period first, strongest first within a period.
    let all = store
        .signals(&everyone(), &SignalFilter::default())
        .await
        .unwrap();
    assert_eq!(all.total, 5);
    let firsts: Vec<(NaiveDate, f64)> = all
        .items
        .iter()
        .map(|s| (s.period_start, s.observed))
        .collect();
    assert_eq!(firsts[0], (d("2013-12-02"), 40.0));
    assert_eq!(firsts[1], (d("2013-12-02"), 30.0));
    assert_eq!(firsts[4].0, d("2013-03-25"));

    let admin1 = SignalFilter {
        level: Some(Level::Admin1),
        ..SignalFilter::default()
    };
    let page = store.signals(&everyone(), &admin1).await.unwrap();
    assert_eq!(page.total, 4);
    let unplaced = page.items.iter().find(|s| s.admin1.is_none()).unwrap();
    assert_eq!(unplaced.method, "ears-c2");
    assert_eq!(unplaced.period_start, d("2013-03-25"));
    assert_eq!(unplaced.country, caf());
    assert_eq!(unplaced.run_id, first.id);

    let ouham = SignalFilter {
        country: Some(caf()),
        admin1: Some("Ouham province".into()),
        from: Some(d("2013-09-01")),
        to: Some(d("2013-09-30")),
        ..SignalFilter::default()
    };
    let page = store.signals(&everyone(), &ouham).await.unwrap();
    assert_eq!(page.total, 2);
    let by_method = SignalFilter {
        method: Some("cusum".into()),
        ..SignalFilter::default()
    };
    assert_eq!(
        store.signals(&everyone(), &by_method).await.unwrap().total,
        1
    );
    let paged = SignalFilter {
        limit: 2,
        offset: 4,
        ..SignalFilter::default()
    };
    let page = store.signals(&everyone(), &paged).await.unwrap();
    assert_eq!((page.total, page.items.len()), (5, 1));

    // A new admin1 run replaces the admin1 signals, not the country ones.
    let second = store
        .replace_signals(
            &actor,
            run(
                Level::Admin1,
                vec![signal(Some("Ouaka province"), "2014-04-14", "ewma", 9.0)],
            ),
        )
        .await
        .expect("second run stored");
    assert_eq!(second.replaced, Some(4));
    let page = store.signals(&everyone(), &admin1).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].admin1.as_deref(), Some("Ouaka province"));
    assert_eq!(
        store
            .signals(&everyone(), &SignalFilter::default())
            .await
            .unwrap()
            .total,
        2
    );
    let runs = store.signal_runs(&everyone()).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().any(|r| r.id == second.id));
    assert!(!runs.iter().any(|r| r.id == first.id));

    // The audit chain says who replaced what.
    let trail = store.audit_trail(&first.id).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["detect", "replace"]);
    assert!(trail[1]
        .explanation
        .as_deref()
        .unwrap_or("")
        .contains(&second.id));
    assert_eq!(trail[1].after_digest, None);

    // A run over an organisation's licensed rows stays with that organisation.
    let org = store
        .add_organisation(
            &Actor::system("conformance"),
            NewOrganisation::parse("signals-org", "Signals org", Some("CAF"), &[])
                .expect("valid organisation"),
        )
        .await
        .unwrap();
    let mut own = run(
        Level::Admin1,
        vec![signal(Some("Bangui"), "2013-12-02", "cusum", 17.0)],
    );
    own.owner = Some(org.id);
    store
        .replace_signals(&actor.clone().acting_for(org.id, org.slug.clone()), own)
        .await
        .expect("organisation's run stored");
    let theirs = Scope {
        organisation_id: Some(org.id),
        ..Scope::public()
    };
    assert_eq!(store.signals(&theirs, &admin1).await.unwrap().total, 2);
    assert_eq!(store.signals(&everyone(), &admin1).await.unwrap().total, 1);
    assert_eq!(
        store.signals(&everyone(), &admin1).await.unwrap().items[0]
            .admin1
            .as_deref(),
        Some("Ouaka province"),
        "the organisation's run did not replace the shared one"
    );

    let theirs_signal = store.signals(&theirs, &admin1).await.unwrap().items;
    let private = theirs_signal
        .iter()
        .find(|s| s.admin1.as_deref() == Some("Bangui"))
        .unwrap();
    assert_eq!(
        store.signal(&theirs, &private.id).await.unwrap().as_ref(),
        Some(private)
    );
    assert_eq!(store.signal(&everyone(), &private.id).await.unwrap(), None);

    let bad = NewSignalRun {
        first_bucket: 10,
        last_bucket: 9,
        ..run(Level::Country, vec![])
    };
    assert!(store.replace_signals(&actor, bad).await.is_err());

    let outcome = store.verify().await.unwrap();
    assert_eq!(outcome.first_break, None);
}

pub async fn signals_tampering_story(store: &dyn Store, raw: RawSql<'_>) {
    let actor = Actor::system("detect");
    store
        .replace_signals(
            &actor,
            run(
                Level::Admin1,
                vec![signal(Some("Ouham province"), "2013-09-09", "ewma", 12.0)],
            ),
        )
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw("UPDATE signals SET observed = 120 WHERE method = 'ewma'".into()).await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("edit found");
    assert!(broken.contains("signal_run"), "{broken}");
    raw("UPDATE signals SET observed = 12 WHERE method = 'ewma'".into()).await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw("INSERT INTO signals (country, id, run_id, owner, level, period, admin1, bucket, period_start, day, measure, method, observed, expected, score, threshold) VALUES ('CAF', 'x', 'no-such-run', '', 'admin1', 'week', 'Lobaye', 2280, '2013-09-09', 15957, 'events', 'ewma', 50, 1, 9, 3)".into()).await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("orphan found");
    assert!(broken.contains("signals"), "{broken}");
}
