//! Atrocity risk in the interface: the country page (forecast, latest assessment, class and its
//! history), Framework of Analysis assessments (a keyboard-friendly form that saves each
//! indicator as it is scored, the assessment's page with its versions and sign-off) and the
//! diff between two assessments.
mod assessment;
mod country;
mod diff;
mod edit;
mod labels;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/countries", get(country::index))
        .route("/countries/{country}", get(country::show))
        .route("/countries/{country}/class", post(country::set_class))
        .route("/countries/{country}/class/refresh", post(country::refresh))
        .route("/assessments/new", get(edit::new_page).post(edit::create))
        .route("/assessments/{id}", get(assessment::show))
        .route("/assessments/{id}/edit", get(edit::page))
        .route("/assessments/{id}/scores", post(edit::score))
        .route("/assessments/{id}/links", post(edit::link))
        .route("/assessments/{id}/links/{link}/remove", post(edit::unlink))
        .route("/assessments/{id}/signoff", post(assessment::sign_off))
        .route("/assessments/{id}/diff", get(diff::show))
}
