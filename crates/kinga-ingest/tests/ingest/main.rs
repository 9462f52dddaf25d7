//! Reads the real GED files end to end, both shipped with the project: the demo subset and a
//! global sample that exercises many countries' spellings and the other column layout.
mod events;
mod ucdp_files;
