//! The `kinga` binary end to end: real processes, real files, real HTTP.
mod alert;
mod assessment;
mod audit;
mod backup;
mod commands;
mod derive;
mod detect;
mod durability;
mod evidence;
mod import;
mod incident;
mod old_dossier;
mod risk;
mod security;
mod support;
mod timestamp;
mod verify_bundle;
