//! Every request gets an id. It is a field of the span that every log line written while the
//! request is served carries, the `X-Request-Id` header of the answer, and a member of every
//! problem document, so that a user who quotes it leads an administrator to the log lines.
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being served, when called while serving one.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// A proxy's id is kept when it is short and plain, so that its logs and ours join; anything
/// else is replaced, so that no caller can write arbitrary text into the log.
fn accepted(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    let plain = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| s.to_string())
}

/// The id as a request extension, for the trace layer's span.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(accepted)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut r = CURRENT.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        r.headers_mut().insert(HEADER.clone(), v);
    }
    r
}

/// The span of one request: its id, method and route; the trace layer logs the answer in it.
pub fn span(req: &Request) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .map_or("-", |r| r.0.as_str());
    tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_proxy_id_is_kept_and_anything_else_replaced() {
        assert_eq!(
            accepted(&HeaderValue::from_static("abc-123_X")).as_deref(),
            Some("abc-123_X")
        );
        assert_eq!(accepted(&HeaderValue::from_static("a b")), None);
        assert_eq!(accepted(&HeaderValue::from_static("")), None);
        assert_eq!(
            accepted(&HeaderValue::from_str(&"a".repeat(65)).unwrap()),
            None
        );
        assert_eq!(accepted(&HeaderValue::from_static("x\"}{")), None);
    }
}
