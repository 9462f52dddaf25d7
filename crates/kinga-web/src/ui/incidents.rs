//! Incidents: the filtered list, the creation form (with duplicate suggestions, and from a
//! report), and an incident's page with its coding, workflow and history.
mod coding;
mod list;
mod new;
mod options;
mod sections;
mod signals;
mod view;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list::page))
        .route("/incidents/new", get(new::page).post(new::submit))
        .route("/incidents/new/duplicates", post(new::duplicates))
        .route("/incidents/{id}", get(view::show))
        .route("/incidents/{id}/status", post(coding::status))
        .route("/incidents/{id}/assign", post(coding::assign))
        .route("/incidents/{id}/lock", post(coding::lock))
        .route("/incidents/{id}/unlock", post(coding::unlock))
        .route("/incidents/{id}/acts", post(coding::act))
        .route("/incidents/{id}/involvements", post(coding::involvement))
        .route("/incidents/{id}/citations", post(coding::citation))
}
