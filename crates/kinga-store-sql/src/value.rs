use kinga_store::StoreError;

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

/// One result row, owned, read by position in the order of the query's column list.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow(pub Vec<SqlValue>);

impl SqlRow {
    fn get(&self, i: usize) -> Result<&SqlValue, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Backend(format!("result has no column {i}")))
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(match self.get(i)? {
            SqlValue::Text(t) => t.clone(),
            SqlValue::Int(v) => v.map(|v| v.to_string()),
            SqlValue::Real(v) => v.map(|v| v.to_string()),
        })
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Backend(format!("column {i} is null")))
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.get(i)? {
            SqlValue::Int(v) => Ok(*v),
            SqlValue::Real(v) => Ok(v.map(|v| v as i64)),
            SqlValue::Text(None) => Ok(None),
            SqlValue::Text(Some(t)) => t
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Backend(format!("column {i} is not an integer"))),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError::Backend(format!("column {i} is null")))
    }

    pub fn opt_real(&self, i: usize) -> Result<Option<f64>, StoreError> {
        match self.get(i)? {
            SqlValue::Real(v) => Ok(*v),
            SqlValue::Int(v) => Ok(v.map(|v| v as f64)),
            SqlValue::Text(None) => Ok(None),
            SqlValue::Text(Some(t)) => t
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Backend(format!("column {i} is not a number"))),
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
