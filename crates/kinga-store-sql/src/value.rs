use kinga_store::StoreError;
use std::sync::Arc;

/// A bound parameter. Each variant carries its SQL type even when null, because PostgreSQL
/// types parameters from the values bound to them.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Int(Some(v))
    }
}
impl From<Option<i64>> for SqlValue {
    fn from(v: Option<i64>) -> Self {
        SqlValue::Int(v)
    }
}
impl From<Option<u32>> for SqlValue {
    fn from(v: Option<u32>) -> Self {
        SqlValue::Int(v.map(i64::from))
    }
}
impl From<Option<u8>> for SqlValue {
    fn from(v: Option<u8>) -> Self {
        SqlValue::Int(v.map(i64::from))
    }
}
impl From<f64> for SqlValue {
    fn from(v: f64) -> Self {
        SqlValue::Real(Some(v))
    }
}
impl From<Option<f64>> for SqlValue {
    fn from(v: Option<f64>) -> Self {
        SqlValue::Real(v)
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(Some(v))
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for SqlValue {
    fn from(v: Option<String>) -> Self {
        SqlValue::Text(v)
    }
}
impl From<Option<&str>> for SqlValue {
    fn from(v: Option<&str>) -> Self {
        SqlValue::Text(v.map(str::to_string))
    }
}

/// One result row, owned, read by column name: the name a query gives a column (`AS` for an
/// expression) says what it holds, where a position would silently read a neighbour's value
/// once a column list changes.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow {
    /// The result set's column names, shared by all its rows.
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl SqlRow {
    /// A row of `values` in the order of `columns`.
    pub fn new(columns: Arc<[String]>, values: Vec<SqlValue>) -> Self {
        debug_assert_eq!(columns.len(), values.len(), "one value per column");
        SqlRow { columns, values }
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub fn values(&self) -> &[SqlValue] {
        &self.values
    }

    fn get(&self, column: &str) -> Result<&SqlValue, StoreError> {
        // Rows are a few dozen columns wide at most: a scan costs less than hashing the name.
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| StoreError::Backend(format!("result has no column {column}")))
    }

    /// The columns named `prefix` + name, under their names: the second record of a joined
    /// row, whose columns the query renamed so they cannot be taken for the first's.
    pub fn part(&self, prefix: &str) -> SqlRow {
        let (columns, values): (Vec<String>, Vec<SqlValue>) = self
            .columns
            .iter()
            .zip(&self.values)
            .filter_map(|(c, v)| Some((c.strip_prefix(prefix)?.to_string(), v.clone())))
            .unzip();
        SqlRow::new(columns.into(), values)
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(match self.get(column)? {
            SqlValue::Text(t) => t.clone(),
            SqlValue::Int(v) => v.map(|v| v.to_string()),
            SqlValue::Real(v) => v.map(|v| v.to_string()),
        })
    }

    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        self.opt_text(column)?
            .ok_or_else(|| StoreError::Backend(format!("column {column} is null")))
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self.get(column)? {
            SqlValue::Int(v) => Ok(*v),
            SqlValue::Real(v) => Ok(v.map(|v| v as i64)),
            SqlValue::Text(None) => Ok(None),
            SqlValue::Text(Some(t)) => t
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Backend(format!("column {column} is not an integer"))),
        }
    }

    pub fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.opt_int(column)?
            .ok_or_else(|| StoreError::Backend(format!("column {column} is null")))
    }

    pub fn opt_real(&self, column: &str) -> Result<Option<f64>, StoreError> {
        match self.get(column)? {
            SqlValue::Real(v) => Ok(*v),
            SqlValue::Int(v) => Ok(v.map(|v| v as f64)),
            SqlValue::Text(None) => Ok(None),
            SqlValue::Text(Some(t)) => t
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Backend(format!("column {column} is not a number"))),
        }
    }
}

/// Collects parameters while a query is assembled and hands out their `$n` placeholders.
#[derive(Debug, Default)]
pub struct Args(pub Vec<SqlValue>);

impl Args {
    pub fn new() -> Self {
        Args(Vec::new())
    }

    pub fn push(&mut self, v: impl Into<SqlValue>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(columns: &[&str], values: Vec<SqlValue>) -> SqlRow {
        SqlRow::new(columns.iter().map(ToString::to_string).collect(), values)
    }

    #[test]
    fn a_column_the_query_did_not_select_is_named_in_the_error() {
        let r = row(&["id"], vec!["a".into()]);
        let e = r.text("title").unwrap_err();
        assert!(
            matches!(&e, StoreError::Backend(m) if m.contains("title")),
            "{e}"
        );
    }

    #[test]
    fn a_renamed_part_reads_under_its_own_names_and_leaves_the_first_record_alone() {
        let r = row(
            &["id", "name", "party__id", "party__name"],
            vec!["v1".into(), "first".into(), "p1".into(), "second".into()],
        );
        assert_eq!(r.text("id").unwrap(), "v1");
        let party = r.part("party__");
        assert_eq!(party.columns(), ["id", "name"]);
        assert_eq!(party.text("id").unwrap(), "p1");
        assert_eq!(party.text("name").unwrap(), "second");
    }
}
