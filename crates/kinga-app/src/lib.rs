//! The application layer: every use case of Kinga is a method here, on a handle that matches what
//! its caller may do: `Member` for anyone signed in, `Analyst` for the case desk, `Admin` for
//! administration, `Assessor` and `Reviewer` for the risk desk, the evidence desk
//! ([`evidence::Vault`]), and `System` for Kinga's own command-line work. A method that needs a
//! right exists only on the handle that carries it, so a web handler that was given a `Member`
//! cannot triage or add users by mistake. This is the only crate that checks roles, organisation
//! scope and visibility, and the only one that calls the store (decision 0012); the web server,
//! the command line and the intake channels call nothing below it but to open a database.
#![forbid(unsafe_code)]

pub mod alerts;
mod assessments;
mod checkpoints;
mod directory;
mod error;
pub mod events;
mod forecasts;
mod handles;
mod incident_events;
pub mod incident_import;
mod limiter;
mod lookups;
mod on_behalf;
pub mod password;
pub mod records;
mod risk;
pub mod risk_classes;
mod signals;
mod signin;
pub mod token;
pub mod totp;

pub mod delivery;
pub mod detection;
pub mod evidence;
pub use alerts::AlertDesk;
pub use error::AccessError;
pub use handles::{
    Admin, Analyst, Member, Principal, System, TokenOptions, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS,
};
pub use incident_events::OwnersDesk;
pub use limiter::LoginLimiter;
pub use risk::{Assessor, Reviewer};
pub use signin::{Access, NewSession, SignIn, SESSION_HOURS, SESSION_HOURS_SECONDS};

pub type Result<T, E = AccessError> = std::result::Result<T, E>;
