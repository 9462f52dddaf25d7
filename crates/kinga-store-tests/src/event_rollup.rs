//! The daily roll-up behind the region time series: after new, updated, moved and re-imported
//! rows, in shared and licensed datasets, every organisation's weekly and monthly counts equal a
//! recount of the events it may see; and a roll-up edited behind Kinga's back is named by
//! `verify`. The story runs twice: with each batch changing the roll-up in place, and with
//! batches leaving their changes pending for the import's end ([`RollUp::AtImportEnd`]),
//! where verification, counts and the next import's start must each see the pending changes
//! exactly once, also when the import never reaches its end.
use crate::events::{analyst_of, org};
use crate::RawSql;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, Event, EventCount, Level, NewEvent};
use kinga_domain::period::Period;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Country;
use kinga_store::*;
use std::collections::BTreeMap;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date")
}

fn country(code: &str) -> Country {
    Country::parse(code).expect("ISO code")
}

struct Row<'a> {
    dataset: Dataset,
    id: &'a str,
    date: &'a str,
    country: &'a str,
    admin1: Option<&'a str>,
    violence: Option<u8>,
    best: Option<u32>,
    version: Option<i64>,
}

fn event(r: Row) -> Event {
    let mut n = NewEvent::new(r.dataset, r.id, d(r.date), country(r.country));
    n.admin1 = r.admin1.map(str::to_string);
    n.violence_type = r.violence.and_then(ViolenceType::from_code);
    n.civilian_targeting = r.violence == Some(3);
    n.fatalities.best = r.best;
    n.fatalities.civilians = r.best.filter(|_| r.violence == Some(3));
    n.version = r.version;
    n.validate().expect("valid event")
}

fn ged(id: &str, date: &str, admin1: Option<&str>, violence: u8, best: u32) -> Event {
    event(Row {
        dataset: Dataset::UcdpGed,
        id,
        date,
        country: "CAF",
        admin1,
        violence: Some(violence),
        best: Some(best),
        version: None,
    })
}

fn acled(id: &str, date: &str, version: i64, best: u32) -> Event {
    event(Row {
        dataset: Dataset::Acled,
        id,
        date,
        country: "CAF",
        admin1: Some("Bangui"),
        violence: Some(3),
        best: Some(best),
        version: Some(version),
    })
}

/// What the store should hold: (dataset, owner, id) -> event, kept by the story as it imports.
type Model = BTreeMap<(String, String, String), Event>;

/// Country, admin1 (unknown last), period, violence type: the order cells come back in.
type CellOrder = (String, bool, Option<String>, i64, Option<u8>);

/// The counts computed the slow way, from the events a reader may see.
fn recount(model: &Model, reader: Option<&str>, q: &CountQuery) -> Vec<EventCount> {
    let mut cells: BTreeMap<CellOrder, EventCount> = BTreeMap::new();
    for ((_, owner, _), e) in model {
        let visible = owner.is_empty() || Some(owner.as_str()) == reader;
        let dataset = match &q.dataset {
            Some(ds) => &e.dataset == ds,
            None => e.dataset != Dataset::Gdelt,
        };
        if !visible || !dataset {
            continue;
        }
        let admin1 = match q.level {
            Level::Country => None,
            Level::Admin1 => e.admin1.clone(),
        };
        let period = e.bucket(q.period);
        let key = (
            e.country.code().to_string(),
            admin1.is_none(),
            admin1.clone(),
            period,
            e.violence_type.map(|v| v.code()),
        );
        let c = cells.entry(key).or_insert(EventCount {
            country: e.country,
            admin1,
            period,
            violence_type: e.violence_type,
            events: 0,
            fatalities: 0,
            civilian_fatalities: 0,
            civilian_targeting: 0,
        });
        c.events += 1;
        c.fatalities += u64::from(e.fatalities.best.unwrap_or(0));
        c.civilian_fatalities += u64::from(e.fatalities.civilians.unwrap_or(0));
        c.civilian_targeting += u64::from(e.civilian_targeting);
    }
    cells.into_values().collect()
}

async fn import(
    store: &dyn Store,
    model: &mut Model,
    actor: &Actor,
    batch: Vec<Event>,
    roll_up: RollUp,
) {
    let owner = |e: &Event| {
        if e.dataset.shareable() {
            String::new()
        } else {
            actor.organisation_id.expect("licensed rows").to_string()
        }
    };
    for e in &batch {
        let key = (
            e.dataset.as_str().to_string(),
            owner(e),
            e.external_id.clone(),
        );
        let newer = match (model.get(&key).and_then(|old| old.version), e.version) {
            (Some(old), Some(new)) => new >= old,
            _ => true,
        };
        if newer {
            model.insert(key, e.clone());
        }
    }
    let prepared = batch.into_iter().map(PreparedEvent::new).collect();
    store
        .upsert_prepared(actor, prepared, roll_up)
        .await
        .expect("imported");
}

/// Every reader's counts at both levels and periods, with and without a date range, against
/// the recount.
async fn agree(store: &dyn Store, model: &Model, readers: &[(Option<String>, Scope)], step: &str) {
    // Before any count: pending changes (if any) are still pending here.
    let v = store.verify().await.expect("verify runs");
    assert_eq!(
        v.first_break, None,
        "{step}: the roll-up and its pending changes equal a recount"
    );
    for (reader, scope) in readers {
        for level in [Level::Country, Level::Admin1] {
            for period in [Period::Week, Period::Month] {
                for (dataset, from, to) in [
                    (None, None, None),
                    (None, Some(d("2013-12-03")), Some(d("2013-12-20"))),
                    (Some(Dataset::Acled), None, None),
                    (Some(Dataset::Gdelt), None, None),
                ] {
                    let mut q = CountQuery::new(level, period);
                    q.dataset = dataset;
                    q.from = from;
                    q.to = to;
                    // The range filters on the event's start date.
                    let in_range: Model = model
                        .iter()
                        .filter(|(_, e)| {
                            from.is_none_or(|f| e.date_start >= f)
                                && to.is_none_or(|t| e.date_start <= t)
                        })
                        .map(|(k, e)| (k.clone(), e.clone()))
                        .collect();
                    let expected = recount(&in_range, reader.as_deref(), &q);
                    let got = store.event_counts(scope, &q).await.expect("counts");
                    assert_eq!(
                        got, expected,
                        "{step}: {level:?} × {period:?}, dataset {:?}, {from:?}..{to:?}, reader {reader:?}",
                        q.dataset
                    );
                }
            }
        }
    }
    let v = store.verify().await.expect("verify runs");
    assert_eq!(v.first_break, None, "{step}: the roll-up equals a recount");
}

pub async fn rollup_story(store: &dyn Store, raw: RawSql<'_>, roll_up: RollUp) {
    let a = org(store, "rollup-a").await;
    let b = org(store, "rollup-b").await;
    let (actor_a, scope_a) = analyst_of(&a);
    let (actor_b, scope_b) = analyst_of(&b);
    let readers = [
        (Some(a.id.to_string()), scope_a),
        (Some(b.id.to_string()), scope_b),
        (None, Scope::public()),
    ];
    let mut model = Model::new();

    // New rows: two in the same region, day and type (one cell), one without admin1, one
    // without a violence type, one a week later, GDELT apart.
    let first = vec![
        ged("1", "2013-12-05", Some("Bangui"), 3, 60),
        ged("2", "2013-12-05", Some("Bangui"), 3, 4),
        ged("3", "2013-12-06", None, 1, 10),
        event(Row {
            dataset: Dataset::UcdpGed,
            id: "4",
            date: "2013-12-10",
            country: "CAF",
            admin1: Some("Ouham"),
            violence: None,
            best: None,
            version: None,
        }),
        ged("5", "2013-12-31", Some("Ouham"), 2, 3),
    ];
    import(store, &mut model, &actor_a, first.clone(), roll_up).await;
    let mut g = NewEvent::new(Dataset::Gdelt, "G1", d("2013-12-05"), country("CAF"));
    g.admin1 = Some("Bangui".into());
    g.violence_type = Some(ViolenceType::StateBased);
    import(
        store,
        &mut model,
        &actor_a,
        vec![g.validate().unwrap()],
        roll_up,
    )
    .await;
    agree(store, &model, &readers, "new rows").await;

    // Re-importing the same rows changes nothing, whoever imports them.
    import(store, &mut model, &actor_b, first.clone(), roll_up).await;
    agree(store, &model, &readers, "re-imported rows").await;

    // Updated rows: deaths corrected, a row moved to another region and day, one moved to
    // another country, one new in the same batch; and a row listed twice (the later wins).
    let second = vec![
        ged("1", "2013-12-05", Some("Bangui"), 3, 61),
        ged("2", "2014-01-02", Some("Ouham"), 3, 4),
        event(Row {
            dataset: Dataset::UcdpGed,
            id: "3",
            date: "2013-12-06",
            country: "TCD",
            admin1: Some("Salamat"),
            violence: Some(1),
            best: Some(10),
            version: None,
        }),
        ged("6", "2013-12-05", Some("Bangui"), 3, 1),
        ged("6", "2013-12-05", Some("Bangui"), 3, 2),
    ];
    import(store, &mut model, &actor_a, second, roll_up).await;
    assert_eq!(
        store.event_total(&Scope::public(), None).await.unwrap(),
        7,
        "a row moved to another country is still one row"
    );
    agree(store, &model, &readers, "updated rows").await;

    // Licensed rows: each organisation's own copy counts for it alone; an older version does
    // not replace a newer one, a newer one does and moves its deaths.
    import(
        store,
        &mut model,
        &actor_a,
        vec![acled("C1", "2013-12-05", 10, 20)],
        roll_up,
    )
    .await;
    import(
        store,
        &mut model,
        &actor_b,
        vec![acled("C1", "2013-12-05", 10, 20)],
        roll_up,
    )
    .await;
    import(
        store,
        &mut model,
        &actor_a,
        vec![acled("C1", "2013-12-05", 5, 99)],
        roll_up,
    )
    .await;
    import(
        store,
        &mut model,
        &actor_b,
        vec![acled("C1", "2013-12-12", 11, 25)],
        roll_up,
    )
    .await;
    agree(store, &model, &readers, "licensed rows").await;

    // A cell emptied by an update leaves the roll-up rather than staying at zero.
    import(
        store,
        &mut model,
        &actor_a,
        vec![ged("5", "2013-12-30", Some("Ouham"), 2, 3)],
        roll_up,
    )
    .await;
    agree(store, &model, &readers, "emptied cell").await;

    if roll_up == RollUp::AtImportEnd {
        // An import that stopped before its end left its changes pending: the next import's
        // start adds them, once, and its end has none left to add.
        import(
            store,
            &mut model,
            &actor_a,
            vec![ged("7", "2013-12-20", Some("Ouham"), 1, 5)],
            roll_up,
        )
        .await;
        store.begin_import().await.unwrap();
        store.finish_import().await.unwrap();
        agree(store, &model, &readers, "an interrupted import's changes").await;
    }

    // A roll-up edited by hand is named by region and day.
    raw("UPDATE event_rollup SET events = events + 1 WHERE admin1 = 'Ouham' AND violence_type = 'one_sided'".into())
        .await;
    let brk = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("a roll-up that no longer equals its events is a break");
    assert!(
        brk.contains("event roll-up") && brk.contains("Ouham") && brk.contains("2014-01-02"),
        "{brk}"
    );

    if roll_up == RollUp::AtImportEnd {
        // Pending changes are part of what verification checks: lost, they are a break.
        import(
            store,
            &mut model,
            &actor_a,
            vec![ged("8", "2013-12-21", Some("Ouham"), 1, 5)],
            roll_up,
        )
        .await;
        raw("UPDATE event_rollup_pending SET cells = 'damaged'".into()).await;
        let brk = store
            .verify()
            .await
            .unwrap()
            .first_break
            .expect("damaged pending changes are a break");
        assert!(brk.contains("pending changes of batch"), "{brk}");
        raw("DELETE FROM event_rollup_pending".into()).await;
        let brk = store
            .verify()
            .await
            .unwrap()
            .first_break
            .expect("lost pending changes are a break");
        assert!(brk.contains("Ouham") && brk.contains("2013-12-21"), "{brk}");
    }
}
