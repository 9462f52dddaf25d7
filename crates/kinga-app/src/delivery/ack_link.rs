//! The link in an alert e-mail by which a recipient says "I have seen this". It must work
//! without signing in (the recipient may be on a phone, far from their password), so the link
//! itself carries the right: a token naming the alert, the recipient and an expiry, signed with
//! a key only the server holds. Nothing is stored per link; a link cannot be altered to
//! acknowledge another alert or as another person, and stops working when it expires.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use uuid::Uuid;

use crate::delivery::{AckRefusal, DeliveryError};

/// Where the server answers an acknowledgement, followed by the token.
pub const ACK_PATH: &str = "/ack/";

/// Bumped if the layout changes, so an old link is refused as malformed rather than misread.
const VERSION: u8 = 1;
/// Keeps these signatures apart from anything else the same key might ever sign.
const CONTEXT: &[u8] = b"kinga alert acknowledgement";
const PAYLOAD: usize = 1 + 16 + 16 + 8;
const TAG: usize = 32;
const TOKEN: usize = PAYLOAD + TAG;
/// The token's length in unpadded base64.
const TOKEN_CHARS: usize = (TOKEN * 4).div_ceil(3);

/// The server's key for acknowledgement links.
#[derive(Clone)]
pub struct AckKey([u8; 32]);

/// What a valid link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acknowledgement {
    pub alert: Uuid,
    pub recipient: Uuid,
    /// To the second: a token carries whole seconds, and a finer part is dropped.
    pub expires: DateTime<Utc>,
}

impl AckKey {
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self(key)
    }

    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(key)
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        mac.update(payload);
        mac
    }

    /// A token for `recipient` to acknowledge `alert` until `expires`.
    pub fn token(&self, ack: &Acknowledgement) -> String {
        let mut bytes = Vec::with_capacity(TOKEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(ack.alert.as_bytes());
        bytes.extend_from_slice(ack.recipient.as_bytes());
        bytes.extend_from_slice(&ack.expires.timestamp().to_be_bytes());
        let tag = self.mac(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The full link under the server's public address, e.g. `https://kinga.example.org`.
    pub fn link(&self, base_url: &str, ack: &Acknowledgement) -> String {
        format!(
            "{}{ACK_PATH}{}",
            base_url.trim_end_matches('/'),
            self.token(ack)
        )
    }

    /// Reads a token back. The signature is checked before the expiry, so a forged token is
    /// reported as forged whatever date it claims.
    pub fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Acknowledgement, DeliveryError> {
        let refuse = |reason| DeliveryError::AckRefused { reason };
        let token = token.trim();
        let alphabet = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if token.is_empty() || !token.chars().all(alphabet) {
            return Err(refuse(AckRefusal::Malformed));
        }
        // Told apart before decoding, since a cut in the middle of a base64 quad does not
        // decode at all.
        if token.len() < TOKEN_CHARS {
            return Err(refuse(AckRefusal::Truncated));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| refuse(AckRefusal::Malformed))?;
        if bytes.len() != TOKEN || bytes[0] != VERSION {
            return Err(refuse(AckRefusal::Malformed));
        }
        let (payload, tag) = bytes.split_at(PAYLOAD);
        self.mac(payload)
            .verify_slice(tag)
            .map_err(|_| refuse(AckRefusal::Forged))?;
        let uuid = |range: std::ops::Range<usize>| {
            Uuid::from_slice(&payload[range]).expect("sixteen bytes")
        };
        let seconds = i64::from_be_bytes(payload[33..41].try_into().expect("eight bytes"));
        let expires = DateTime::from_timestamp(seconds, 0).ok_or(refuse(AckRefusal::Malformed))?;
        if now >= expires {
            return Err(refuse(AckRefusal::Expired));
        }
        Ok(Acknowledgement {
            alert: uuid(1..17),
            recipient: uuid(17..33),
            expires,
        })
    }
}

impl std::fmt::Debug for AckKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AckKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn ack() -> Acknowledgement {
        Acknowledgement {
            alert: Uuid::now_v7(),
            recipient: Uuid::now_v7(),
            expires: now() + Duration::days(7),
        }
    }

    fn refusal(key: &AckKey, token: &str) -> AckRefusal {
        match key.verify(token, now()) {
            Err(DeliveryError::AckRefused { reason }) => reason,
            other => panic!("{token}: {other:?}"),
        }
    }

    #[test]
    fn a_link_reads_back_as_issued() {
        let key = AckKey::generate();
        let ack = ack();
        let token = key.token(&ack);
        assert_eq!(key.verify(&token, now()).unwrap(), ack);
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(
            key.link("https://kinga.example.org/", &ack),
            format!("https://kinga.example.org/ack/{token}")
        );
    }

    #[test]
    fn an_expired_link_is_refused_as_expired() {
        let key = AckKey::generate();
        let ack = Acknowledgement {
            expires: now(),
            ..ack()
        };
        assert_eq!(refusal(&key, &key.token(&ack)), AckRefusal::Expired);
    }

    #[test]
    fn a_link_from_another_key_is_refused_as_forged() {
        let token = AckKey::generate().token(&ack());
        assert_eq!(refusal(&AckKey::generate(), &token), AckRefusal::Forged);
    }

    #[test]
    fn an_altered_link_is_refused_as_forged() {
        let key = AckKey::generate();
        let mut bytes = URL_SAFE_NO_PAD.decode(key.token(&ack())).unwrap();
        // Another alert, another recipient, a later expiry, a changed signature.
        for at in [1, 20, 40, PAYLOAD + 3] {
            let mut altered = bytes.clone();
            altered[at] ^= 1;
            assert_eq!(
                refusal(&key, &URL_SAFE_NO_PAD.encode(&altered)),
                AckRefusal::Forged,
                "byte {at}"
            );
        }
        bytes[0] = 2;
        assert_eq!(
            refusal(&key, &URL_SAFE_NO_PAD.encode(&bytes)),
            AckRefusal::Malformed
        );
    }

    #[test]
    fn a_truncated_link_is_refused_as_truncated() {
        let key = AckKey::generate();
        let token = key.token(&ack());
        // Wherever a mail reader that wrapped the line cut it.
        for cut in [1, 2, 3, 4, 5, 40] {
            assert_eq!(
                refusal(&key, &token[..token.len() - cut]),
                AckRefusal::Truncated,
                "{cut} characters short"
            );
        }
    }

    #[test]
    fn garbage_is_refused_as_malformed_and_every_refusal_reads_the_same() {
        let key = AckKey::generate();
        assert_eq!(refusal(&key, "not a token!"), AckRefusal::Malformed);
        assert_eq!(refusal(&key, ""), AckRefusal::Malformed);
        let long = format!("{}AAAA", key.token(&ack()));
        assert_eq!(refusal(&key, &long), AckRefusal::Malformed);
        let public: std::collections::BTreeSet<String> = [
            "not a token!".to_string(),
            key.token(&ack())[..10].to_string(),
            AckKey::generate().token(&ack()),
        ]
        .iter()
        .map(|t| key.verify(t, now()).unwrap_err().to_string())
        .collect();
        assert_eq!(public.len(), 1, "{public:?}");
    }
}
