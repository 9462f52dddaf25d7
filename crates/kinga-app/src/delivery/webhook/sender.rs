use std::time::Duration;

use reqwest::{StatusCode, Url};

use super::{sign, WebhookSecret};
use crate::delivery::{DeliveryError, Outcome};

/// Long enough for a partner's server under load, short enough that one dead endpoint does
/// not hold up the outbox.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Only the start of an answer is kept, for the log: a receiver cannot make Kinga read a
/// gigabyte, however it answers.
pub const DEFAULT_RESPONSE_LIMIT: usize = 4 * 1024;

/// A partner's webhook address, checked when it is entered rather than when the first alert
/// fails to go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(Url);

impl Endpoint {
    pub fn parse(url: &str) -> Result<Self, DeliveryError> {
        let bad = |reason: String| DeliveryError::BadEndpoint {
            url: url.to_string(),
            reason,
        };
        let parsed = Url::parse(url).map_err(|e| bad(e.to_string()))?;
        match parsed.scheme() {
            "https" | "http" => {}
            other => return Err(bad(format!("the scheme is {other}, not https"))),
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad("it names no host".to_string()));
        }
        Ok(Self(parsed))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Posts signed messages. One sender serves every endpoint: its connection pool is shared.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    timeout: Duration,
    response_limit: usize,
}

impl WebhookSender {
    pub fn new(timeout: Duration, response_limit: usize) -> Result<Self, DeliveryError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect would carry the signed alert to an address the partner never
            // registered; a moved endpoint is for its owner to re-register.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Kinga-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(DeliveryError::Http)?;
        Ok(Self {
            client,
            timeout,
            response_limit,
        })
    }

    /// One attempt to deliver `body` (JSON) as message `id`, signed at `now` (Unix seconds).
    #[tracing::instrument(skip_all, fields(endpoint = endpoint.as_str(), id))]
    pub async fn send(
        &self,
        endpoint: &Endpoint,
        secret: &WebhookSecret,
        id: &str,
        body: &[u8],
        now: i64,
    ) -> Outcome {
        let signed = sign(secret, id, now, body);
        let mut request = self
            .client
            .post(endpoint.0.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        for (name, value) in signed.pairs() {
            request = request.header(name, value);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Outcome::RetryLater(self.transport_error(e)),
        };
        let status = response.status();
        if status.is_success() {
            return Outcome::Delivered;
        }
        let body_excerpt = match self.read_capped(&mut response).await {
            Ok(text) => text,
            Err(e) => return Outcome::RetryLater(self.transport_error(e)),
        };
        let error = DeliveryError::HttpStatus {
            status: status.as_u16(),
            body_excerpt,
        };
        // 410 is the one answer by which a receiver says "never again"; anything else, a 4xx
        // included, may be a misconfiguration its owner fixes within the retry schedule.
        if status == StatusCode::GONE {
            Outcome::Gone(error)
        } else {
            Outcome::RetryLater(error)
        }
    }

    async fn read_capped(&self, response: &mut reqwest::Response) -> reqwest::Result<String> {
        let mut kept = Vec::new();
        while kept.len() < self.response_limit {
            match response.chunk().await? {
                Some(chunk) => {
                    let room = self.response_limit - kept.len();
                    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                None => break,
            }
        }
        Ok(String::from_utf8_lossy(&kept).into_owned())
    }

    fn transport_error(&self, e: reqwest::Error) -> DeliveryError {
        if e.is_timeout() {
            DeliveryError::Timeout {
                seconds: self.timeout.as_secs(),
            }
        } else {
            DeliveryError::Http(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked_on_entry() {
        Endpoint::parse("https://partner.example.org/kinga/hooks").unwrap();
        Endpoint::parse("http://127.0.0.1:9000/").unwrap();
        for bad in ["ftp://partner.example.org/", "not a url", "https://"] {
            assert!(
                matches!(
                    Endpoint::parse(bad),
                    Err(DeliveryError::BadEndpoint { ref url, .. }) if url == bad
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sender_builds_with_the_tls_stack_of_the_tree() {
        // Building the client loads the rustls configuration (ring, webpki roots); a feature
        // mix-up that left no TLS provider fails here rather than on the first https alert.
        WebhookSender::new(DEFAULT_TIMEOUT, DEFAULT_RESPONSE_LIMIT).unwrap();
    }
}
