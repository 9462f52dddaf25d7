//! The one place where errors become HTTP answers: RFC 7807 problem documents for the API.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kinga_app::AccessError;
use kinga_domain::ValidationErrors;
use kinga_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error("malformed request body: {0}")]
    Malformed(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("not found")]
    NotFound,
    /// A failure of the server itself (disk, storage): logged in full, answered without detail.
    #[error("internal failure: {0}")]
    Internal(String),
    /// The body is larger than the server takes.
    #[error("request body too large")]
    TooLarge(u64),
    /// A right the caller's role or organisation does not have, explained.
    #[error("{0}")]
    Forbidden(String),
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

fn problem(status: StatusCode, title: &str, detail: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        Json(json!({"type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail})),
    )
        .into_response()
}

fn internal() -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal error",
        "the request could not be completed; nothing was written".into(),
    )
}

pub fn invalid(errors: &ValidationErrors) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        Json(json!({
            "type": "about:blank",
            "title": "Invalid input",
            "status": 422,
            "detail": errors.to_string(),
            "errors": errors.errors,
        })),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use AccessError as A;
        match self {
            ApiError::Invalid(e) | ApiError::Access(A::Store(StoreError::Invalid(e))) => {
                invalid(&e)
            }
            ApiError::Malformed(m) => problem(StatusCode::BAD_REQUEST, "Malformed request", m),
            ApiError::NotFound | ApiError::Access(A::Store(StoreError::NotFound)) => problem(
                StatusCode::NOT_FOUND,
                "Not found",
                "no such record, or not visible to you".into(),
            ),
            ApiError::Access(A::BadCredentials | A::Unauthenticated | A::BadSecondFactor) => {
                problem(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized",
                    "a valid bearer token is required".into(),
                )
            }
            ApiError::Access(e @ A::TooManyAttempts(minutes)) => {
                let mut r = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts",
                    e.to_string(),
                );
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(minutes.saturating_mul(60)),
                );
                r
            }
            ApiError::Access(A::OutsideScope(m)) => {
                problem(StatusCode::FORBIDDEN, "Forbidden", m)
            }
            ApiError::Access(e @ A::AlreadyEnrolled) => {
                problem(StatusCode::CONFLICT, "Conflict", e.to_string())
            }
            ApiError::TooLarge(limit) => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                format!("the request body is larger than this server takes ({limit} bytes at most); nothing was written"),
            ),
            ApiError::Forbidden(m) => problem(StatusCode::FORBIDDEN, "Forbidden", m),
            ApiError::Internal(detail) => {
                tracing::error!("internal failure: {detail}");
                internal()
            }
            ApiError::Access(e @ A::Forbidden(_)) => {
                problem(StatusCode::FORBIDDEN, "Forbidden", e.to_string())
            }
            ApiError::Access(A::Store(e @ (StoreError::Conflict(_) | StoreError::Rule(_)))) => {
                problem(StatusCode::CONFLICT, "Conflict", e.to_string())
            }
            ApiError::Access(A::Store(e @ StoreError::Locked { .. })) => {
                problem(StatusCode::LOCKED, "Locked", e.to_string())
            }
            ApiError::Access(A::Store(e)) => {
                tracing::error!("storage failure: {e}");
                internal()
            }
        }
    }
}
