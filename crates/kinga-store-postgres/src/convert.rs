use kinga_store::StoreError;
use kinga_store_sql::{SqlRow, SqlValue};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Column, Row, TypeInfo, ValueRef};
use std::sync::Arc;

pub type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, PgArguments>;

/// A null is still bound with its type: PostgreSQL infers each parameter's type from the value
/// bound to it, and an untyped null could not be compared with a TEXT or BIGINT column.
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
pub fn rows(rows: &[PgRow]) -> Result<Vec<SqlRow>, StoreError> {
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

/// PostgreSQL types columns, so each value is decoded by its column's type. Only the types the
/// schema and the shared SQL produce are read; anything else is a bug worth a clear error rather
/// than a silent mis-decode.
fn row(r: &PgRow, columns: Arc<[String]>) -> Result<SqlRow, StoreError> {
    let mut out = Vec::with_capacity(r.len());
    for i in 0..r.len() {
        let raw = r.try_get_raw(i).map_err(error)?;
        if raw.is_null() {
            out.push(SqlValue::Text(None));
            continue;
        }
        let type_name = raw.type_info().name().to_string();
        let v = match type_name.as_str() {
            "INT8" => SqlValue::Int(Some(r.try_get::<i64, _>(i).map_err(error)?)),
            "INT4" => SqlValue::Int(Some(i64::from(r.try_get::<i32, _>(i).map_err(error)?))),
            "INT2" => SqlValue::Int(Some(i64::from(r.try_get::<i16, _>(i).map_err(error)?))),
            "FLOAT8" => SqlValue::Real(Some(r.try_get::<f64, _>(i).map_err(error)?)),
            "FLOAT4" => SqlValue::Real(Some(f64::from(r.try_get::<f32, _>(i).map_err(error)?))),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                SqlValue::Text(Some(r.try_get::<String, _>(i).map_err(error)?))
            }
            "BOOL" => SqlValue::Int(Some(i64::from(r.try_get::<bool, _>(i).map_err(error)?))),
            other => {
                return Err(StoreError::Backend(format!(
                    "column {} has PostgreSQL type {other}, which the store does not read",
                    columns[i]
                )))
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

/// Appends one row in COPY's text format: tab-separated, `\N` for null, and backslash,
/// tab, newline and carriage return escaped.
pub fn copy_line(buf: &mut String, row: Vec<SqlValue>) {
    use std::fmt::Write;
    for (i, v) in row.into_iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        match v {
            SqlValue::Int(None) | SqlValue::Real(None) | SqlValue::Text(None) => {
                buf.push_str("\\N");
            }
            SqlValue::Int(Some(n)) => {
                let _ = write!(buf, "{n}");
            }
            // `{:?}` keeps every digit an f64 needs to read back as the same value.
            SqlValue::Real(Some(x)) => {
                let _ = write!(buf, "{x:?}");
            }
            SqlValue::Text(Some(t)) => {
                for ch in t.chars() {
                    match ch {
                        '\\' => buf.push_str("\\\\"),
                        '\t' => buf.push_str("\\t"),
                        '\n' => buf.push_str("\\n"),
                        '\r' => buf.push_str("\\r"),
                        c => buf.push(c),
                    }
                }
            }
        }
    }
    buf.push('\n');
}
