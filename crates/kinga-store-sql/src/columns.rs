//! Column lists as queries write them. Rows are read by column name, so a join that selects two
//! records renames the second one's columns: both records have an `id`, and the first must not
//! read the second's.

/// `columns` of the table aliased `alias` (`"i."`).
pub fn qualified(columns: &str, alias: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `columns` of the table aliased `alias`, each renamed `part` + its name, to be read back with
/// [`crate::SqlRow::part`]. A part's name ends in two underscores, which no column name has.
pub fn renamed(columns: &str, alias: &str, part: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}{c} AS {part}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
