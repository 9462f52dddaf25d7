//! Who is calling. The API takes bearer tokens; the HTML interface takes a session cookie and,
//! on every form, the session's CSRF token.
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kinga_app::{AccessError, Member};

pub const SESSION_COOKIE: &str = "kinga_session";

/// A caller of the JSON API, identified by `Authorization: Bearer …`.
pub struct ApiCaller(pub Member);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(ApiError::Access(AccessError::Unauthenticated))?;
        let principal = state.access.by_token(token).await?;
        Ok(ApiCaller(state.access.member(principal)))
    }
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
