//! The HTML interface: server-rendered pages (askama) enhanced with htmx, in English and French.
mod admin;
mod cited_events;
pub(crate) mod common;
mod custody;
mod derivatives;
mod evidence;
pub mod i18n;
mod incidents;
mod keys;
mod login;
mod reports;
mod risk;
mod session;
mod signals;

use crate::state::AppState;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;

pub use session::{FormErrors, Page, Visitor};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/incidents") }))
        .merge(login::routes())
        .merge(reports::routes())
        .merge(incidents::routes())
        .merge(cited_events::routes())
        .merge(admin::routes())
        .merge(keys::routes())
        .merge(custody::routes())
        .merge(risk::routes())
        .merge(evidence::routes())
        .merge(derivatives::routes())
        .merge(signals::routes())
}
