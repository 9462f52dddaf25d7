//! Parameter marks as the shared SQL writes them.
use crate::Dialect;

/// `n` placeholders starting at `$from`: `$1, $2, …`.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `n` parameter marks numbered from `from`. SQLite gets anonymous `?` marks: it looks a
/// numbered mark's name up by walking a list, which makes binding a statement with thousands of
/// `$n` marks quadratic (it was 85 % of an import's time).
pub fn marks(dialect: Dialect, from: usize, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => vec!["?"; n].join(", "),
        Dialect::Postgres => placeholders(from, n),
    }
}
