//! Kinga's charts and maps, drawn as self-contained SVG strings.
//!
//! Everything here is pure: values in, markup out. Titles, labels and messages are passed in by
//! the caller, already translated; the crate only formats numbers and dates for the language it
//! is given. Every SVG carries a `<title>` and a `<desc>` for screen readers, no script and no
//! external reference, so a page can inline it and a report can embed it as it is.
#![forbid(unsafe_code)]

pub mod chart;
pub mod locale;
pub mod map;
mod scale;
mod svg;

pub use locale::{format_number, Lang, Locale};
