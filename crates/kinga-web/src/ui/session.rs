//! What every page needs to know about its visitor: the language, and for signed-in pages the
//! member handle and the session's CSRF token.
use super::i18n::{Lang, Tr};
use crate::auth::{cookie, SESSION_COOKIE};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kinga_app::Member;
use std::collections::HashMap;

pub const LANG_COOKIE: &str = "kinga_lang";

/// Anyone, signed in or not: the interface language.
pub struct Visitor {
    pub t: Tr,
}

fn lang_of(parts: &Parts) -> Lang {
    if let Some(l) = cookie(parts, LANG_COOKIE).and_then(Lang::parse) {
        return l;
    }
    parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or(Lang::En)
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Visitor {
            t: Tr(lang_of(parts)),
        })
    }
}

/// A signed-in visitor who has passed any second factor their account requires.
pub struct Page {
    pub t: Tr,
    pub member: Member,
    pub csrf: String,
    /// The current path and query, encoded for the language switch's `back` parameter.
    pub path: String,
}

impl Page {
    /// Checks the CSRF token a form sent back; every state-changing form carries one.
    // Handlers return the rejection as their response, so boxing it would only add a step.
    #[allow(clippy::result_large_err)]
    pub fn check_csrf(&self, form: &HashMap<String, String>) -> Result<(), Response> {
        match form.get("csrf") {
            Some(t) if kinga_app::token::same(t, &self.csrf) => Ok(()),
            _ => Err((StatusCode::FORBIDDEN, Html(self.t.get("login.expired"))).into_response()),
        }
    }

    pub fn email(&self) -> String {
        self.member.user().email.to_string()
    }

    pub fn role(&self) -> String {
        self.t.word("role", self.member.user().role.as_str())
    }

    pub fn organisation(&self) -> String {
        self.member.user().organisation.to_string()
    }

    pub fn works_cases(&self) -> bool {
        self.member.user().role.works_cases()
    }

    pub fn administers(&self) -> bool {
        self.member.user().role.administers()
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let t = Tr(lang_of(parts));
        let path = back_link(&parts.uri);
        let to_login = || Redirect::to("/login").into_response();
        let Some(c) = cookie(parts, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let found = state.access.session(c).await.map_err(|e| {
            tracing::error!("session lookup failed: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "session lookup failed").into_response()
        })?;
        let Some((session, user)) = found else {
            return Err(to_login());
        };
        if !session.second_factor_done
            && (user.has_second_factor || user.role.requires_second_factor())
        {
            return Err(Redirect::to(if user.has_second_factor {
                "/login/second-factor"
            } else {
                "/login/enrol"
            })
            .into_response());
        }
        let principal = state.access.principal(user).await.map_err(|e| {
            tracing::error!("principal lookup failed: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "session lookup failed").into_response()
        })?;
        Ok(Page {
            t,
            member: state.access.member(principal),
            csrf: session.csrf_token,
            path,
        })
    }
}

/// The current page, path and query, percent-encoded to travel as the `back` parameter of the
/// language switch, so switching language keeps the visitor's filters.
fn back_link(uri: &axum::http::Uri) -> String {
    let raw = uri
        .path_and_query()
        .map(axum::http::uri::PathAndQuery::as_str)
        .unwrap_or("/");
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Field errors of a submitted form, keyed by field name (the JSON path without `$.`).
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub HashMap<String, String>);

impl FormErrors {
    pub fn from_validation(e: &kinga_domain::ValidationErrors) -> Self {
        FormErrors(
            e.errors
                .iter()
                .map(|f| {
                    (
                        f.path.trim_start_matches("$.").to_string(),
                        f.message.clone(),
                    )
                })
                .collect(),
        )
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// The message for one field, or an empty string (templates print it unconditionally).
    pub fn of(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_default()
    }
}

/// Turns a submitted form into the JSON object the domain parsers read.
pub fn form_value(form: &HashMap<String, String>) -> serde_json::Value {
    serde_json::Value::Object(
        form.iter()
            .filter(|(k, _)| k.as_str() != "csrf")
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    )
}

pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("template failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page could not be rendered",
            )
                .into_response()
        }
    }
}
