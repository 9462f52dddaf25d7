//! The one place where errors become HTTP answers. [`Answer`] says what a failure means to a
//! caller (status, title, and the detail the caller may read); the API writes it as an RFC 7807
//! problem document, the pages as a message. A failure of the server itself is logged in full
//! with the request's id and answered with the id only: no path, no SQL, no key name.
use crate::vault::EvidenceError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kinga_app::records::StoreError;
use kinga_app::AccessError;
use kinga_domain::ValidationErrors;
use kinga_vault::VaultError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error("malformed request body: {0}")]
    Malformed(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error("not found")]
    NotFound,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Access(AccessError::Store(e))
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Invalid(e)
    }
}

/// What a failure means to the caller, whichever interface answers.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub title: &'static str,
    /// What the caller may read. For a failure of the server this is a fixed sentence; the
    /// failure itself went to the log.
    pub detail: String,
    /// Input errors by field, for a 422.
    pub errors: Option<ValidationErrors>,
    /// Seconds to wait before trying again, for a 429.
    pub retry_after: Option<u64>,
}

impl Answer {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Answer {
            status,
            title,
            detail: detail.into(),
            errors: None,
            retry_after: None,
        }
    }

    fn invalid(errors: ValidationErrors) -> Self {
        Answer {
            errors: Some(errors.clone()),
            ..Answer::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid input",
                errors.to_string(),
            )
        }
    }

    /// Logs `failure` in the current request's span and answers without it.
    pub(crate) fn internal(failure: &dyn std::fmt::Display) -> Self {
        tracing::error!(failure = %failure, "internal failure");
        Answer::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            "the request could not be completed; nothing was written",
        )
    }

    fn not_found() -> Self {
        Answer::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "no such record, or not visible to you",
        )
    }

    pub(crate) fn is_internal(&self) -> bool {
        self.status.is_server_error()
    }
}

pub(crate) fn store_answer(e: StoreError) -> Answer {
    match e {
        StoreError::Invalid(e) => Answer::invalid(e),
        StoreError::NotFound => Answer::not_found(),
        e @ (StoreError::Conflict(_) | StoreError::Rule(_)) => {
            Answer::new(StatusCode::CONFLICT, "Conflict", e.to_string())
        }
        e @ StoreError::Locked { .. } => Answer::new(StatusCode::LOCKED, "Locked", e.to_string()),
        e @ (StoreError::Backend(_) | StoreError::Open(_) | StoreError::Corrupt { .. }) => {
            Answer::internal(&e)
        }
    }
}

pub(crate) fn access_answer(e: AccessError) -> Answer {
    use AccessError as A;
    match e {
        A::BadCredentials | A::Unauthenticated | A::BadSecondFactor => Answer::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "a valid bearer token is required",
        ),
        e @ A::TooManyAttempts(minutes) => Answer {
            retry_after: Some(minutes.saturating_mul(60)),
            ..Answer::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                e.to_string(),
            )
        },
        A::OutsideScope(m) => Answer::new(StatusCode::FORBIDDEN, "Forbidden", m),
        e @ A::Forbidden(_) => Answer::new(StatusCode::FORBIDDEN, "Forbidden", e.to_string()),
        e @ A::AlreadyEnrolled => Answer::new(StatusCode::CONFLICT, "Conflict", e.to_string()),
        A::Store(e) => store_answer(e),
    }
}

/// Refusals of the vault (locked keys, a damaged blob, a file that is not what was announced)
/// are the caller's to know: 409 with the reason. The server's own disk is not: 500.
pub(crate) fn evidence_answer(e: EvidenceError) -> Answer {
    match e {
        EvidenceError::Store(e) => store_answer(e),
        EvidenceError::Forbidden(m) => Answer::new(StatusCode::FORBIDDEN, "Forbidden", m),
        EvidenceError::Invalid { field, message } => {
            Answer::invalid(ValidationErrors::single(format!("$.{field}"), message))
        }
        e @ EvidenceError::Internal(_) => Answer::internal(&e),
        EvidenceError::Vault(v) => vault_answer(v),
        e @ (EvidenceError::Locked(_)
        | EvidenceError::NoKeys(_)
        | EvidenceError::Mismatch(_)
        | EvidenceError::NoVault) => Answer::new(StatusCode::CONFLICT, "Conflict", e.to_string()),
    }
}

fn vault_answer(e: VaultError) -> Answer {
    match e {
        VaultError::TooLarge { limit } => too_large(limit),
        e @ (VaultError::Io { .. }
        | VaultError::Key(_)
        | VaultError::BackupWrite(_)
        | VaultError::BackupRead(_)) => Answer::internal(&e),
        e => Answer::new(StatusCode::CONFLICT, "Conflict", e.to_string()),
    }
}

fn too_large(limit: u64) -> Answer {
    Answer::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Payload too large",
        format!("the request body is larger than this server takes ({limit} bytes at most); nothing was written"),
    )
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Invalid(e) => Answer::invalid(e),
            ApiError::Malformed(m) => Answer::new(StatusCode::BAD_REQUEST, "Malformed request", m),
            ApiError::Access(e) => access_answer(e),
            ApiError::Evidence(e) => evidence_answer(e),
            ApiError::NotFound => Answer::not_found(),
        }
    }
}

/// The problem document of an answer, with the request's id.
pub(crate) fn problem_body(
    status: StatusCode,
    title: &str,
    detail: &str,
    errors: Option<&ValidationErrors>,
) -> serde_json::Value {
    let mut body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(e) = errors {
        body["errors"] = json!(e.errors);
    }
    if let Some(id) = crate::request_id::current() {
        body["request_id"] = json!(id);
    }
    body
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let body = problem_body(self.status, self.title, &self.detail, self.errors.as_ref());
        let mut r = (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            Json(body),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        r
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Answer::from(self).into_response()
    }
}
