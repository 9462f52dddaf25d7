//! Both drivers run the same SQL, so their migrations must define the same tables, columns and
//! indexes under the same version numbers; only the column types may be spelt differently, and
//! SQLite may choose a table's layout (`WITHOUT ROWID`).
//! Checked from the files themselves, so this needs no database.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn migrations(crate_dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("migrations")
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

/// Table name -> column names in order (columns added by `ALTER TABLE` under `name +`), plus
/// every `CREATE [UNIQUE] INDEX` line with its whitespace normalised. Comments are dropped.
fn shape(sql: &str) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut tables = BTreeMap::new();
    let mut indexes = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in sql.lines() {
        let line = line.split("--").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            let name = rest.trim_end_matches('(').trim().to_string();
            current = Some((name, Vec::new()));
        } else if line.starts_with(')') && line.ends_with(';') {
            // `)` plus table options: SQLite's `WITHOUT ROWID` is a layout, not a shape.
            if let Some((name, cols)) = current.take() {
                tables.insert(name, cols);
            }
        } else if let Some((_, cols)) = current.as_mut() {
            let word = line.split_whitespace().next().unwrap_or("");
            if word != "PRIMARY" && word != "UNIQUE" && word != "CHECK" {
                cols.push(word.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
            // `ALTER TABLE t ADD COLUMN c type`: the added columns, in order, under `t +`.
            let w: Vec<&str> = rest.split_whitespace().collect();
            if let [table, "ADD", "COLUMN", column, ..] = w[..] {
                tables
                    .entry(format!("{table} +"))
                    .or_insert_with(Vec::new)
                    .push(column.to_string());
            }
        } else if line.starts_with("CREATE INDEX") || line.starts_with("CREATE UNIQUE INDEX") {
            indexes.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    (tables, indexes)
}

#[test]
fn migrations_match_the_sqlite_driver() {
    let pg = migrations("kinga-store-postgres");
    let lite = migrations("kinga-store-sqlite");
    assert_eq!(
        files(&pg),
        files(&lite),
        "same migration files, same versions"
    );
    for name in files(&pg) {
        let a = shape(&std::fs::read_to_string(pg.join(&name)).unwrap());
        let b = shape(&std::fs::read_to_string(lite.join(&name)).unwrap());
        assert!(
            !a.0.is_empty() || !a.1.is_empty(),
            "{name}: no tables or indexes found"
        );
        assert_eq!(a, b, "{name}: tables, columns or indexes differ");
    }
}

#[test]
fn migration_versions_are_the_shipped_files() {
    let from_files: Vec<i64> = files(&migrations("kinga-store-postgres"))
        .iter()
        .map(|n| n.split('_').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(kinga_store_postgres::migration_versions(), from_files);
}
