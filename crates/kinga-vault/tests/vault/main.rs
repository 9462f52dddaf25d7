//! The vault end to end on real files: intake and read-back, tampering, keys and recovery,
//! images, dossiers, and a real RFC 3161 time-stamp authority.
mod bundle;
mod durations;
mod images;
mod intake;
mod keys;
mod support;
mod timestamp;
