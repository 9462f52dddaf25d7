//! The `kinga` binary end to end: real processes, real files, real HTTP.
mod assessment;
mod commands;
mod detect;
mod durability;
mod evidence;
mod import;
mod risk;
mod support;
mod timestamp;
mod verify_bundle;
