//! What every answer carries whatever produced it: headers that keep pages out of frames,
//! scripts to the server's own files and types unsniffed; and on the API, a problem document
//! instead of a framework's plain-text rejection.
use axum::body::Body;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Scripts only from the server itself (no inline script, so injected markup cannot run);
/// styles may be inline, as htmx and a few templates write them.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Sets each security header the handler did not set itself (evidence bytes set a stricter
/// policy of their own).
pub async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    let defaults: [(HeaderName, &str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    r
}

/// Turns an API error answer that is not a problem document (an oversized body, a malformed
/// query string, an unknown route or method) into one, keeping its status and headers.
pub async fn api_problems(r: Response) -> Response {
    let status = r.status();
    let is_problem = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 16 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let title = status.canonical_reason().unwrap_or("Error");
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is larger than this server takes; nothing was written".to_string()
        }
        StatusCode::NOT_FOUND if text.is_empty() => "no such route".to_string(),
        // A framework's own words for a server failure may name internals.
        s if s.is_server_error() => "the request could not be completed".to_string(),
        _ if text.is_empty() => title.to_string(),
        _ => text,
    };
    let body = crate::error::problem_body(status, title, &detail, None);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut out = Response::from_parts(parts, Body::from(body.to_string()));
    *out.status_mut() = status;
    out.into_response()
}
