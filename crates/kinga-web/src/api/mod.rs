mod admin;
mod alerts;
mod custody;
pub(crate) mod derivatives;
pub(crate) mod evidence;
mod health;
pub(crate) mod incident_events;
mod incidents;
pub(crate) mod keys;
pub mod openapi;
mod reports;
pub(crate) mod risk;
pub(crate) mod signals;

use crate::error::ApiError;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(admin::me))
        .route("/reports", post(reports::submit).get(reports::list))
        .route("/reports/{id}", get(reports::get))
        .route("/reports/{id}/triage", post(reports::triage))
        .route("/reports/{id}/link", post(reports::link))
        .route("/reports/{id}/duplicates", get(reports::duplicates))
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route("/incidents/{id}", get(incidents::get))
        .route("/incidents/{id}/status", post(incidents::set_status))
        .route("/incidents/{id}/assign", post(incidents::assign))
        .route("/incidents/{id}/history", get(incidents::history))
        .route(
            "/incidents/{id}/events",
            get(incident_events::list).post(incident_events::cite),
        )
        .route(
            "/incidents/{id}/events/{event_id}",
            axum::routing::delete(incident_events::uncite),
        )
        .route(
            "/incidents/{id}/event-suggestions",
            get(incident_events::suggestions),
        )
        .route("/events/{event_id}/incidents", get(incident_events::citing))
        .route(
            "/incidents/{id}/evidence",
            get(evidence::list)
                .post(evidence::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/reports/{id}/sealed",
            get(evidence::sealed_fields).post(evidence::seal_fields),
        )
        .route("/evidence/{id}", get(evidence::get))
        .route("/evidence/{id}/content", get(evidence::content))
        .route(
            "/evidence/{id}/derivatives",
            get(derivatives::list).post(derivatives::create),
        )
        .route(
            "/evidence/{id}/derivatives/{copy}/content",
            get(derivatives::content),
        )
        .route("/evidence/{id}/custody", get(custody::log))
        .route("/evidence/{id}/verify", post(custody::verify))
        .route("/evidence/{id}/transfer", post(custody::transfer))
        .route(
            "/evidence/{id}/deletion-request",
            post(custody::deletion_request),
        )
        .route("/admin/keys", get(keys::status))
        .route("/admin/keys/unlock", post(keys::unlock))
        .route("/admin/keys/lock", post(keys::lock))
        .route(
            "/organisations",
            get(admin::organisations).post(admin::add_organisation),
        )
        .route("/users", get(admin::users).post(admin::add_user))
        .route("/signals", get(signals::list))
        .route("/signals/{id}/events", get(signals::events))
        .route("/risk/framework", get(risk::framework_doc))
        .route("/assessments", get(risk::list).post(risk::create))
        .route("/assessments/{id}", get(risk::get))
        .route("/assessments/{id}/scores", post(risk::score))
        .route("/assessments/{id}/links", post(risk::link))
        .route(
            "/assessments/{id}/links/{link}",
            axum::routing::delete(risk::unlink),
        )
        .route("/assessments/{id}/signoff", post(risk::sign_off))
        .route("/assessments/{id}/diff", get(risk::compare))
        .route("/countries/{country}/risk", get(risk::country))
        .route("/countries/{country}/class", post(risk::set_class))
        .route("/countries/{country}/class/refresh", post(risk::refresh))
        .route("/alerts", get(alerts::list).post(alerts::raise))
        .route("/alerts/{id}", get(alerts::get))
        .route("/alerts/{id}/ack", post(alerts::acknowledge))
        .route("/alerts/{id}/escalate", post(alerts::escalate))
        .route("/alerts/{id}/close", post(alerts::close))
        .route("/responses", get(alerts::responses).post(alerts::respond))
}

/// Parses a JSON body ourselves so a syntax error comes back as a problem document with the
/// position, not as a bare text rejection.
pub fn json_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Malformed(
            "the request body is empty; expected a JSON object".into(),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::Malformed(format!("invalid JSON: {e}")))
}

/// Parses a body with a domain parser, refusing every field the parser did not read: a
/// misspelt field is an error, not a default silently kept.
pub fn parse_strictly<T>(
    value: &Value,
    parse: impl FnOnce(&Value) -> Result<T, kinga_domain::ValidationErrors>,
) -> Result<T, ApiError> {
    Ok(kinga_domain::fields::strictly(value, &[], parse)?)
}

/// Refuses a body with fields other than `known`, for handlers that read their fields
/// themselves.
pub fn only_fields(value: &Value, known: &[&str]) -> Result<(), ApiError> {
    Ok(kinga_domain::fields::strictly(value, known, |_| Ok(()))?)
}

pub fn query_value(q: HashMap<String, String>) -> Value {
    Value::Object(
        q.into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<Map<_, _>>(),
    )
}

/// Parses a record id from the path; a malformed id is as unknown as an absent one.
pub fn path_id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
