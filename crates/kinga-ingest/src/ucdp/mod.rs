//! UCDP Georeferenced Event Dataset (GED): events of organised violence with at least one
//! death, coded by the Uppsala Conflict Data Program and published under CC BY 4.0.
//! [`GedReader`] streams a GED CSV file into [`GedEvent`]s; [`GedEvent::into_imported`] turns
//! each into the records an import stores.
pub(crate) mod columns;
mod countries;
mod event;
mod import;
mod reader;
mod values;

pub use countries::country_from_ucdp;
pub use event::GedEvent;
pub use reader::GedReader;

/// The GED release Kinga's demo data and citations refer to.
pub const GED_VERSION: &str = "v23.1";

#[cfg(test)]
mod tests;
