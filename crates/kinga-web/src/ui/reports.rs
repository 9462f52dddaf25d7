//! Field reports: the submission form, the triage queue, a submitter's own reports, and the
//! page of one report, where the case desk decides on it and links it to an incident.
mod form;
mod queue;
mod sealed;
mod view;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/new", get(form::page).post(form::submit))
        .route("/reports/triage", get(queue::triage))
        .route("/reports/mine", get(queue::mine))
        .route("/reports/{id}", get(view::show))
        .route("/reports/{id}/triage", post(view::triage))
        .route("/reports/{id}/link", post(view::link))
        .route("/reports/{id}/sealed", post(sealed::add))
        .route("/reports/{id}/sealed/show", post(sealed::show))
}
