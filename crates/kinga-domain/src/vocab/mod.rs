//! Coding vocabularies, held as data so that analysts' coding stays compatible with the
//! datasets and legal texts the network exchanges with.
pub mod acled;
pub mod crimes;
pub mod rome;
pub mod ucdp;

pub use crimes::AtrocityCrime;
