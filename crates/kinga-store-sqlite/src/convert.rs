use kinga_store::StoreError;
use kinga_store_sql::{SqlRow, SqlValue};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Column, Row, TypeInfo, ValueRef};
use std::sync::Arc;

pub type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments<'q>>;

pub fn bind(mut q: Query<'_>, args: Vec<SqlValue>) -> Query<'_> {
    for a in args {
        q = match a {
            SqlValue::Int(v) => q.bind(v),
            SqlValue::Real(v) => q.bind(v),
            SqlValue::Text(v) => q.bind(v),
        };
    }
    q
}

/// The rows of one result, sharing its column names.
pub fn rows(rows: &[SqliteRow]) -> Result<Vec<SqlRow>, StoreError> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    rows.iter().map(|r| row(r, columns.clone())).collect()
}

/// SQLite types values, not columns, so each value is read by its own storage class.
fn row(r: &SqliteRow, columns: Arc<[String]>) -> Result<SqlRow, StoreError> {
    let mut out = Vec::with_capacity(r.len());
    for i in 0..r.len() {
        let raw = r.try_get_raw(i).map_err(error)?;
        let v = if raw.is_null() {
            SqlValue::Text(None)
        } else {
            match raw.type_info().name() {
                "INTEGER" => SqlValue::Int(Some(r.try_get::<i64, _>(i).map_err(error)?)),
                "REAL" => SqlValue::Real(Some(r.try_get::<f64, _>(i).map_err(error)?)),
                _ => SqlValue::Text(Some(r.try_get::<String, _>(i).map_err(error)?)),
            }
        };
        out.push(v);
    }
    Ok(SqlRow::new(columns, out))
}

pub fn error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("already exists ({})", d.message()))
        }
        _ => StoreError::Backend(e.to_string()),
    }
}
