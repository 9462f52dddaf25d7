//! Kinga over HTTP. `/api/v1` speaks JSON to scripts and partner systems (bearer tokens); the
//! HTML interface serves people in English and French (sessions, CSRF tokens, htmx). Both go
//! through the application layer's handles, never to the store directly.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod auth;
mod error;
mod headers;
mod request_id;
mod startup;
mod state;
pub mod ui;
/// The evidence desk is a part of the application layer that the web and the command line share.
pub use kinga_app::evidence as vault;

pub use startup::{Application, WebOptions};
