use kinga_domain::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or present but not visible to the caller: the two are never told apart, so that
    /// nobody learns that another organisation holds a record.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// A workflow rule refused the change (e.g. verifying a draft).
    #[error("{0}")]
    Rule(String),
    #[error("being edited by {by} since {since}")]
    Locked {
        by: String,
        since: chrono::DateTime<chrono::Utc>,
    },
    #[error("database error: {0}")]
    Backend(String),
    #[error("cannot open or migrate the database: {0}")]
    Open(String),
    /// A stored value that the domain rejects: the database was changed outside Kinga.
    #[error("corrupt record in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
}
