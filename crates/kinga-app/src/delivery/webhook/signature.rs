use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use sha2::Sha256;

use super::{WebhookSecret, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::delivery::{DeliveryError, SignatureRefusal};

/// How far a signature's time may be from the receiver's clock, either way: the specification's
/// five minutes, long enough for a slow network and a slightly wrong clock, short enough that a
/// captured request is useless soon after.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

const VERSION: &str = "v1";

/// The three headers that go with one signed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
}

impl SignedHeaders {
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            (ID_HEADER, self.id.clone()),
            (TIMESTAMP_HEADER, self.timestamp.to_string()),
            (SIGNATURE_HEADER, self.signature.clone()),
        ]
    }
}

fn mac(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // The id and the time are signed with the body, so neither can be swapped onto another
    // message; the dots cannot be confused because the timestamp is digits only.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.key()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Signs `body` as message `id` at `timestamp` (Unix seconds). Each attempt is signed afresh
/// with its own time and the same id, so a receiver deduplicates retries by id.
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> SignedHeaders {
    let tag = mac(secret, id, timestamp, body).finalize().into_bytes();
    SignedHeaders {
        id: id.to_string(),
        timestamp,
        signature: format!("{VERSION},{}", STANDARD.encode(tag)),
    }
}

/// Checks deliveries on the receiving side: Kinga's own tests use it, and so can a partner
/// written in Rust.
#[derive(Debug)]
pub struct Verifier {
    secret: WebhookSecret,
    tolerance: i64,
    replays: Option<ReplayGuard>,
}

impl Verifier {
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secret,
            tolerance: TOLERANCE_SECONDS,
            replays: None,
        }
    }

    /// Also refuses, as [`SignatureRefusal::Replayed`], a message id already accepted within
    /// the tolerance; older ones are refused by their time anyway, so that is all it remembers.
    pub fn refusing_replays(mut self) -> Self {
        self.replays = Some(ReplayGuard::new(self.tolerance));
        self
    }

    /// Verifies one delivery whose headers are already read. `now` is the receiver's clock in
    /// Unix seconds.
    pub fn verify(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: i64,
    ) -> Result<(), DeliveryError> {
        let refuse = |reason| DeliveryError::SignatureRefused { reason };
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| refuse(SignatureRefusal::BadTimestamp))?;
        let age = now.saturating_sub(ts);
        if age > self.tolerance {
            return Err(refuse(SignatureRefusal::TooOld { age_seconds: age }));
        }
        if -age > self.tolerance {
            return Err(refuse(SignatureRefusal::TooNew {
                ahead_seconds: -age,
            }));
        }
        let expected = mac(&self.secret, id, ts, body);
        // Several signatures let a sender sign with an old and a new secret while a partner
        // rotates; any one of them that matches is enough. Unknown versions are skipped.
        let matched = signatures
            .split(' ')
            .filter_map(|entry| entry.split_once(','))
            .filter(|(version, _)| *version == VERSION)
            .filter_map(|(_, encoded)| STANDARD.decode(encoded).ok())
            .fold(false, |found, candidate| {
                // verify_slice compares in constant time; every entry is checked, so the time
                // taken does not say which one matched.
                expected.clone().verify_slice(&candidate).is_ok() | found
            });
        if !matched {
            return Err(refuse(SignatureRefusal::NoMatch));
        }
        if let Some(guard) = &self.replays {
            if !guard.first_time(id, now) {
                return Err(refuse(SignatureRefusal::Replayed));
            }
        }
        Ok(())
    }

    /// Verifies a delivery from its HTTP headers.
    pub fn verify_headers(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<(), DeliveryError> {
        let header = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(DeliveryError::SignatureRefused {
                    reason: SignatureRefusal::MissingHeader { name },
                })
        };
        self.verify(
            header(ID_HEADER)?,
            header(TIMESTAMP_HEADER)?,
            header(SIGNATURE_HEADER)?,
            body,
            now,
        )
    }
}

/// The message ids a receiver accepted within the tolerance window.
#[derive(Debug)]
pub struct ReplayGuard {
    window: i64,
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayGuard {
    pub fn new(window_seconds: i64) -> Self {
        Self {
            window: window_seconds,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `id` is new; remembers it either way.
    pub fn first_time(&self, id: &str, now: i64) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Twice the window: an id signed at the window's far edge of the future is still
        // acceptable that long after it was first seen.
        seen.retain(|_, at| now - *at <= 2 * self.window);
        seen.insert(id.to_string(), now).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_secret() -> WebhookSecret {
        WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()
    }

    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIME: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn signs_the_specification_test_vector() {
        // The vector the Standard Webhooks and Svix reference libraries test their signers
        // with: reproducing it means a partner's off-the-shelf verifier accepts Kinga's.
        let signed = sign(&spec_secret(), SPEC_ID, SPEC_TIME, SPEC_BODY);
        assert_eq!(
            signed.signature,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        Verifier::new(spec_secret())
            .verify(
                SPEC_ID,
                "1614265330",
                &signed.signature,
                SPEC_BODY,
                SPEC_TIME,
            )
            .unwrap();
    }

    fn refusal(result: Result<(), DeliveryError>) -> SignatureRefusal {
        match result {
            Err(DeliveryError::SignatureRefused { reason }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let secret = WebhookSecret::generate();
        let good = sign(&secret, "m1", 1000, b"{}").signature;
        let other = sign(&WebhookSecret::generate(), "m1", 1000, b"{}").signature;
        let header = format!("v1,bm9wZQ== v2,whatever {other} {good}");
        let verifier = Verifier::new(secret);
        verifier.verify("m1", "1000", &header, b"{}", 1000).unwrap();
        assert_eq!(
            refusal(verifier.verify("m1", "1000", &other, b"{}", 1000)),
            SignatureRefusal::NoMatch
        );
    }

    #[test]
    fn a_changed_body_id_or_time_does_not_verify() {
        let secret = WebhookSecret::generate();
        let s = sign(&secret, "m1", 1000, b"{\"a\":1}").signature;
        let v = Verifier::new(secret);
        for (id, ts, body) in [
            ("m1", "1000", &b"{\"a\":2}"[..]),
            ("m2", "1000", &b"{\"a\":1}"[..]),
            ("m1", "1001", &b"{\"a\":1}"[..]),
        ] {
            assert_eq!(
                refusal(v.verify(id, ts, &s, body, 1000)),
                SignatureRefusal::NoMatch
            );
        }
    }

    #[test]
    fn a_time_outside_five_minutes_either_way_is_refused() {
        let secret = WebhookSecret::generate();
        let s = sign(&secret, "m1", 10_000, b"{}").signature;
        let v = Verifier::new(secret);
        v.verify("m1", "10000", &s, b"{}", 10_000 + 300).unwrap();
        v.verify("m1", "10000", &s, b"{}", 10_000 - 300).unwrap();
        assert_eq!(
            refusal(v.verify("m1", "10000", &s, b"{}", 10_000 + 301)),
            SignatureRefusal::TooOld { age_seconds: 301 }
        );
        assert_eq!(
            refusal(v.verify("m1", "10000", &s, b"{}", 10_000 - 301)),
            SignatureRefusal::TooNew { ahead_seconds: 301 }
        );
        assert_eq!(
            refusal(v.verify("m1", "ten", &s, b"{}", 10_000)),
            SignatureRefusal::BadTimestamp
        );
    }

    #[test]
    fn a_replay_within_the_window_is_refused_when_asked() {
        let secret = WebhookSecret::generate();
        let s = sign(&secret, "m1", 1000, b"{}").signature;
        let v = Verifier::new(secret).refusing_replays();
        v.verify("m1", "1000", &s, b"{}", 1000).unwrap();
        assert_eq!(
            refusal(v.verify("m1", "1000", &s, b"{}", 1010)),
            SignatureRefusal::Replayed
        );
    }

    #[test]
    fn missing_headers_are_named() {
        let v = Verifier::new(WebhookSecret::generate());
        let mut headers = HeaderMap::new();
        headers.insert(ID_HEADER, "m1".parse().unwrap());
        assert_eq!(
            refusal(v.verify_headers(&headers, b"{}", 0)),
            SignatureRefusal::MissingHeader {
                name: TIMESTAMP_HEADER
            }
        );
    }
}
