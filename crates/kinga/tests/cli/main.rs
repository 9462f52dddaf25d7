//! The `kinga` binary end to end: real processes, real files, real HTTP.
mod commands;
mod durability;
mod support;
