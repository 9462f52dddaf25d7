//! Reads the real GED files end to end: the demo subset shipped with the project and, when the
//! shared data folder sits beside the checkout, a global sample that exercises every country
//! spelling and the other column layout.
mod events;
mod ucdp_files;
