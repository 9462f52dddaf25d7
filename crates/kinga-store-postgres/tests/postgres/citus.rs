//! The Citus distribution script against the schema the migrations build. Citus itself is not
//! needed: what it would refuse is checked here from the catalogue of a plain PostgreSQL
//! database: every table placed exactly once (distributed, reference or coordinator-local), no
//! name that is not a table, and each distribution column present in the table's primary key
//! and in every unique index, as Citus requires.
use super::with_fresh_db;
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};

const SCRIPT: &str = include_str!("../../citus/distribute.sql");

#[derive(Debug, PartialEq)]
enum Placement {
    Distributed {
        column: String,
        colocate_with: Option<String>,
    },
    Reference,
    Local,
}

/// The quoted arguments of each placement call, in order.
fn placements(script: &str) -> Vec<(String, Placement)> {
    let code: String = script
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for statement in code.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let quoted: Vec<String> = statement
            .split('\'')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        let placement = if statement.contains("create_distributed_table(") {
            Placement::Distributed {
                column: quoted[1].clone(),
                colocate_with: quoted.get(2).cloned(),
            }
        } else if statement.contains("create_reference_table(") {
            Placement::Reference
        } else if statement.contains("citus_add_local_table_to_metadata(") {
            Placement::Local
        } else {
            panic!("unexpected statement in distribute.sql: {statement}");
        };
        out.push((quoted[0].clone(), placement));
    }
    out
}

#[test]
fn the_script_is_read_as_intended() {
    let p = placements(
        "-- a comment ('quoted')\nSELECT create_distributed_table('a', 'country', colocate_with => 'b');\nSELECT create_reference_table('c');",
    );
    assert_eq!(
        p,
        vec![
            (
                "a".to_string(),
                Placement::Distributed {
                    column: "country".into(),
                    colocate_with: Some("b".into())
                }
            ),
            ("c".to_string(), Placement::Reference),
        ]
    );
}

#[tokio::test]
async fn every_table_is_placed_once_on_keys_citus_accepts() {
    with_fresh_db("every_table_is_placed_once_on_keys_citus_accepts", |_store, url| async move {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let tables: BTreeSet<String> = sqlx::query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        // Columns of each primary key and unique index, by table.
        let mut unique: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT t.relname, i.relname, ARRAY(SELECT a.attname::text FROM unnest(x.indkey) AS k JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND x.indisunique",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
        {
            unique
                .entry(r.get::<String, _>(0))
                .or_default()
                .push((r.get::<String, _>(1), r.get::<Vec<String>, _>(2)));
        }
        let columns: BTreeSet<(String, String)> = sqlx::query(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect();
        conn.close().await.unwrap();

        let mut placed: BTreeMap<String, usize> = BTreeMap::new();
        let mut distributed: BTreeMap<String, String> = BTreeMap::new();
        let mut problems = Vec::new();
        for (table, placement) in placements(SCRIPT) {
            *placed.entry(table.clone()).or_default() += 1;
            if !tables.contains(&table) {
                problems.push(format!("{table}: no such table in the migrations"));
                continue;
            }
            if let Placement::Distributed {
                column,
                colocate_with,
            } = placement
            {
                if !columns.contains(&(table.clone(), column.clone())) {
                    problems.push(format!("{table}: no column {column}"));
                }
                for (index, cols) in unique.get(&table).into_iter().flatten() {
                    if !cols.contains(&column) {
                        problems.push(format!(
                            "{table}: unique index {index} ({}) lacks the distribution column {column}",
                            cols.join(", ")
                        ));
                    }
                }
                if let Some(with) = colocate_with {
                    match distributed.get(&with) {
                        Some(c) if c == &column => {}
                        Some(c) => problems.push(format!(
                            "{table}: co-located with {with}, which is distributed by {c}"
                        )),
                        None => problems.push(format!(
                            "{table}: co-located with {with}, which is not distributed before it"
                        )),
                    }
                }
                distributed.insert(table, column);
            }
        }
        for table in &tables {
            match placed.get(table) {
                None => problems.push(format!(
                    "{table}: not placed (distribute it, make it a reference table, or keep it on the coordinator, with a comment saying why)"
                )),
                Some(n) if *n > 1 => problems.push(format!("{table}: placed {n} times")),
                _ => {}
            }
        }
        assert!(problems.is_empty(), "distribute.sql:\n{}", problems.join("\n"));
    })
    .await;
}
