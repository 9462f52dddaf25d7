//! The writer's own connection: statements prepared once and stepped in place, values bound
//! straight from [`SqlValue`]s, rows read back by each value's storage class. See decision 0007
//! for why writes do not go through the driver that serves reads.
use kinga_store::StoreError;
use kinga_store_sql::{SqlRow, SqlValue};
use rusqlite::types::{Null, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, Statement};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Prepared statements kept per connection: every distinct write the application makes, with
/// room for the last, shorter chunk of each multi-row statement.
const CACHED_STATEMENTS: usize = 256;

/// Opens the writer's connection with the same settings as the read pool's (see `options` in
/// lib.rs): WAL, `synchronous = FULL`, a mapped file, statement journals in memory.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let fail = |e: rusqlite::Error| StoreError::Open(format!("{}: {e}", path.display()));
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA mmap_size = 1073741824;
         PRAGMA temp_store = memory;
         PRAGMA foreign_keys = OFF;",
    )
    .map_err(fail)?;
    conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
    Ok(conn)
}

/// Binds `args` to `statement`. A `$n` (or `?n`) mark takes the n-th value wherever it appears;
/// anonymous `?` marks take the values in order, as the read driver binds them.
pub fn bind(statement: &mut Statement<'_>, args: &[SqlValue]) -> Result<(), StoreError> {
    let mut next = 0;
    for index in 1..=statement.parameter_count() {
        let at = match statement.parameter_name(index) {
            None => {
                next += 1;
                next - 1
            }
            Some(name) => name
                .get(1..)
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .ok_or_else(|| StoreError::Backend(format!("unsupported parameter mark {name}")))?,
        };
        let value = args.get(at).ok_or_else(|| {
            StoreError::Backend(format!(
                "the statement has {} parameters but {} values were given",
                statement.parameter_count(),
                args.len()
            ))
        })?;
        match value {
            SqlValue::Int(Some(v)) => statement.raw_bind_parameter(index, v),
            SqlValue::Real(Some(v)) => statement.raw_bind_parameter(index, v),
            SqlValue::Text(Some(v)) => statement.raw_bind_parameter(index, v.as_str()),
            SqlValue::Int(None) | SqlValue::Real(None) | SqlValue::Text(None) => {
                statement.raw_bind_parameter(index, Null)
            }
        }
        .map_err(error)?;
    }
    Ok(())
}

/// The names of a statement's result columns, shared by the rows it returns.
pub fn columns(s: &Statement<'_>) -> Arc<[String]> {
    s.column_names().into_iter().map(str::to_string).collect()
}

/// SQLite types values, not columns, so each value is read by its own storage class.
pub fn row(r: &rusqlite::Row<'_>, columns: &Arc<[String]>) -> Result<SqlRow, StoreError> {
    let mut out = Vec::with_capacity(columns.len());
    for i in 0..columns.len() {
        out.push(match r.get_ref(i).map_err(error)? {
            ValueRef::Null => SqlValue::Text(None),
            ValueRef::Integer(v) => SqlValue::Int(Some(v)),
            ValueRef::Real(v) => SqlValue::Real(Some(v)),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                SqlValue::Text(Some(String::from_utf8_lossy(t).into_owned()))
            }
        });
    }
    Ok(SqlRow::new(columns.clone(), out))
}

pub fn error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, message) = &e {
        // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE.
        if f.code == ErrorCode::ConstraintViolation && matches!(f.extended_code, 1555 | 2067) {
            return StoreError::Conflict(format!(
                "already exists ({})",
                message.as_deref().unwrap_or("unique constraint failed")
            ));
        }
    }
    StoreError::Backend(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str, args: &[SqlValue]) -> Result<SqlRow, StoreError> {
        let conn = Connection::open_in_memory().unwrap();
        let mut s = conn.prepare(sql).unwrap();
        bind(&mut s, args)?;
        let columns = columns(&s);
        let mut rows = s.raw_query();
        let r = rows.next().map_err(error)?.expect("one row");
        row(r, &columns)
    }

    #[test]
    fn numbered_marks_take_their_own_value_wherever_they_appear() {
        let r = one(
            "SELECT $2, $1, $2 || 'x'",
            &[SqlValue::from(7), SqlValue::from("b")],
        )
        .unwrap();
        assert_eq!(
            r.values(),
            vec![
                SqlValue::Text(Some("b".into())),
                SqlValue::Int(Some(7)),
                SqlValue::Text(Some("bx".into()))
            ]
        );
    }

    #[test]
    fn anonymous_marks_take_values_in_order_and_nulls_come_back_as_null() {
        let r = one(
            "SELECT ?, ?, ?",
            &[
                SqlValue::from(1.5),
                SqlValue::Int(None),
                SqlValue::from("z"),
            ],
        )
        .unwrap();
        assert_eq!(
            r.values(),
            vec![
                SqlValue::Real(Some(1.5)),
                SqlValue::Text(None),
                SqlValue::Text(Some("z".into()))
            ]
        );
    }

    #[test]
    fn too_few_values_is_an_error_not_a_null() {
        let e = one("SELECT $1, $2", &[SqlValue::from(1)]).unwrap_err();
        assert!(e.to_string().contains("2 parameters"), "{e}");
    }

    #[test]
    fn a_duplicate_key_is_a_conflict() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY); INSERT INTO t VALUES ('a');")
            .unwrap();
        let e = error(conn.execute("INSERT INTO t VALUES ('a')", []).unwrap_err());
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    }
}
