use super::i18n::{Lang, Tr};
use super::session::{render, Visitor, LANG_COOKIE};
use crate::auth::{cookie, SESSION_COOKIE};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinga_app::{AccessError, SignIn};
use std::collections::HashMap;

const LOGIN_CSRF: &str = "kinga_login_csrf";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route(
            "/login/second-factor",
            get(second_factor_page).post(second_factor_submit),
        )
        .route("/login/enrol", get(enrol_page).post(enrol_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    t: Tr,
    csrf: String,
    email: String,
    error: String,
}

async fn login_page(State(state): State<AppState>, v: Visitor) -> Response {
    let csrf = kinga_app::token::generate("");
    let page = render(&LoginTemplate {
        t: v.t,
        csrf: csrf.clone(),
        email: String::new(),
        error: String::new(),
    });
    (
        [(SET_COOKIE, set_cookie(&state, LOGIN_CSRF, &csrf, 3600))],
        page,
    )
        .into_response()
}

struct Raw(Parts);

impl<S: Send + Sync> FromRequestParts<S> for Raw {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Raw(parts.clone()))
    }
}

async fn login_submit(
    State(state): State<AppState>,
    v: Visitor,
    Raw(parts): Raw,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let email = form.get("email").cloned().unwrap_or_default();
    let again = |error: &str| {
        let csrf = kinga_app::token::generate("");
        let page = render(&LoginTemplate {
            t: v.t,
            csrf: csrf.clone(),
            email: email.clone(),
            error: v.t.get(error).to_string(),
        });
        (
            [(SET_COOKIE, set_cookie(&state, LOGIN_CSRF, &csrf, 3600))],
            page,
        )
            .into_response()
    };
    let sent = form.get("csrf").map(String::as_str).unwrap_or("");
    match cookie(&parts, LOGIN_CSRF) {
        Some(c) if !sent.is_empty() && kinga_app::token::same(c, sent) => {}
        _ => return again("login.expired"),
    }
    let password = form.get("password").cloned().unwrap_or_default();
    let outcome = state.access.check_password(&email, &password).await;
    let (user, done, next) = match outcome {
        Ok(SignIn::Complete(u)) => (u, true, "/incidents"),
        Ok(SignIn::SecondFactor(u)) => (u, false, "/login/second-factor"),
        Ok(SignIn::EnrolSecondFactor(u)) => (u, false, "/login/enrol"),
        Err(AccessError::TooManyAttempts(_)) => return again("login.too_many"),
        Err(AccessError::BadCredentials) => return again("login.failed"),
        Err(e) => {
            tracing::error!("sign-in failed: {e}");
            return again("login.failed");
        }
    };
    let next = if done && user.role.sees_only_own_reports() {
        "/reports/new"
    } else {
        next
    };
    match state.access.open_session(&user, done).await {
        // Two cookies: `AppendHeaders`, because a plain header array keeps only the last.
        Ok(s) => (
            AppendHeaders([
                (
                    SET_COOKIE,
                    set_cookie(
                        &state,
                        SESSION_COOKIE,
                        &s.cookie,
                        kinga_app::SESSION_HOURS_SECONDS,
                    ),
                ),
                (SET_COOKIE, set_cookie(&state, LOGIN_CSRF, "", 0)),
            ]),
            Redirect::to(next),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("session could not be opened: {e}");
            again("login.failed")
        }
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorTemplate {
    t: Tr,
    csrf: String,
    error: String,
}

/// A session signed in with a password only, waiting for its second factor: the two steps
/// after the password accept nothing else.
struct HalfSession {
    cookie: String,
    csrf: String,
    user: kinga_domain::user::User,
}

/// The half-open session behind the request's cookie, or where the visitor must go instead.
async fn half_session(state: &AppState, parts: &Parts) -> Result<HalfSession, Response> {
    let to_login = || Redirect::to("/login").into_response();
    let Some(c) = cookie(parts, SESSION_COOKIE) else {
        return Err(to_login());
    };
    match state.access.session(c).await {
        Ok(Some((s, user))) if !s.second_factor_done => Ok(HalfSession {
            cookie: c.to_string(),
            csrf: s.csrf_token,
            user,
        }),
        Ok(Some(_)) => Err(Redirect::to("/incidents").into_response()),
        Ok(None) => Err(to_login()),
        Err(e) => {
            tracing::error!("session lookup failed: {e}");
            Err(to_login())
        }
    }
}

fn csrf_matches(form: &HashMap<String, String>, expected: &str) -> bool {
    form.get("csrf")
        .is_some_and(|t| !t.is_empty() && kinga_app::token::same(t, expected))
}

fn expired(v: &Visitor) -> Response {
    (
        axum::http::StatusCode::FORBIDDEN,
        axum::response::Html(v.t.get("login.expired")),
    )
        .into_response()
}

async fn second_factor_page(
    State(state): State<AppState>,
    v: Visitor,
    Raw(parts): Raw,
) -> Response {
    let half = match half_session(&state, &parts).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    if !half.user.has_second_factor {
        return Redirect::to("/login/enrol").into_response();
    }
    render(&SecondFactorTemplate {
        t: v.t,
        csrf: half.csrf,
        error: String::new(),
    })
}

async fn second_factor_submit(
    State(state): State<AppState>,
    v: Visitor,
    Raw(parts): Raw,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let half = match half_session(&state, &parts).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    if !csrf_matches(&form, &half.csrf) {
        return expired(&v);
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let again = |key: &str| {
        render(&SecondFactorTemplate {
            t: v.t,
            csrf: half.csrf.clone(),
            error: v.t.get(key).into(),
        })
    };
    match state
        .access
        .confirm_second_factor(&half.cookie, &code)
        .await
    {
        Ok(()) => Redirect::to("/incidents").into_response(),
        Err(AccessError::Unauthenticated) => Redirect::to("/login").into_response(),
        Err(AccessError::TooManyAttempts(_)) => again("login.too_many"),
        Err(_) => again("totp.failed"),
    }
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolTemplate {
    t: Tr,
    csrf: String,
    secret: String,
    uri: String,
    error: String,
}

async fn enrol_page(State(state): State<AppState>, v: Visitor, Raw(parts): Raw) -> Response {
    let half = match half_session(&state, &parts).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    // An account with a second factor proves it; it never enrols a new one from here.
    if half.user.has_second_factor {
        return Redirect::to("/login/second-factor").into_response();
    }
    let secret = kinga_app::totp::new_secret();
    let uri = kinga_app::totp::otpauth_uri(&secret, half.user.email.as_str());
    render(&EnrolTemplate {
        t: v.t,
        csrf: half.csrf,
        secret,
        uri,
        error: String::new(),
    })
}

async fn enrol_submit(
    State(state): State<AppState>,
    v: Visitor,
    Raw(parts): Raw,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let half = match half_session(&state, &parts).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    if !csrf_matches(&form, &half.csrf) {
        return expired(&v);
    }
    let secret = form.get("secret").cloned().unwrap_or_default();
    let code = form.get("code").cloned().unwrap_or_default();
    match state
        .access
        .enrol_second_factor(&half.cookie, &secret, &code)
        .await
    {
        Ok(()) => Redirect::to("/incidents").into_response(),
        Err(AccessError::Unauthenticated) => Redirect::to("/login").into_response(),
        Err(
            AccessError::AlreadyEnrolled
            | AccessError::Store(kinga_app::records::StoreError::Rule(_)),
        ) => Redirect::to("/login/second-factor").into_response(),
        Err(e) => {
            let key = match e {
                AccessError::TooManyAttempts(_) => "login.too_many",
                _ => "totp.failed",
            };
            let uri = kinga_app::totp::otpauth_uri(&secret, half.user.email.as_str());
            render(&EnrolTemplate {
                t: v.t,
                csrf: half.csrf,
                secret,
                uri,
                error: v.t.get(key).into(),
            })
        }
    }
}

/// Closes the session. The form carries the session's CSRF token, so another site cannot sign
/// a visitor out.
async fn logout(
    State(state): State<AppState>,
    v: Visitor,
    Raw(parts): Raw,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(c) = cookie(&parts, SESSION_COOKIE) {
        if let Ok(Some((s, _))) = state.access.session(c).await {
            if !csrf_matches(&form, &s.csrf_token) {
                return expired(&v);
            }
        }
        let _ = state.access.close_session(c).await;
    }
    (
        [(SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0))],
        Redirect::to("/login"),
    )
        .into_response()
}

/// Switches the interface language and goes back to the page the visitor was on.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::En);
    let back = q
        .get("back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.starts_with("/\\"))
        .cloned()
        .unwrap_or_else(|| "/".into());
    let cookie = set_cookie(&state, LANG_COOKIE, lang.code(), 365 * 24 * 3600);
    ([(SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}
