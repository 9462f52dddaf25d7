use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::delivery::{DeliveryError, SecretProblem};

const PREFIX: &str = "whsec_";
/// The specification's bounds on the key; shorter keys are guessable, longer ones gain nothing
/// with SHA-256 and break some receivers' libraries.
const MIN_BYTES: usize = 24;
const MAX_BYTES: usize = 64;
const GENERATED_BYTES: usize = 32;

/// An endpoint's signing key. It is shown to the partner once, as `whsec_` + base64, and kept by
/// Kinga to sign; it never appears in `Debug` output, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    pub fn generate() -> Self {
        let mut key = vec![0u8; GENERATED_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self(key)
    }

    /// Reads the `whsec_…` form. The prefix is required: a bare base64 string could as well be
    /// some other credential pasted into the wrong field.
    pub fn parse(text: &str) -> Result<Self, DeliveryError> {
        let bad = |problem| DeliveryError::BadSecret { problem };
        let encoded = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(bad(SecretProblem::MissingPrefix))?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| bad(SecretProblem::NotBase64))?;
        if !(MIN_BYTES..=MAX_BYTES).contains(&key.len()) {
            return Err(bad(SecretProblem::WrongLength { bytes: key.len() }));
        }
        Ok(Self(key))
    }

    /// The form a partner pastes into their verifier.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    pub(super) fn key(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_reads_back_from_its_exposed_form() {
        let secret = WebhookSecret::generate();
        let text = secret.expose();
        assert!(text.starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(&text).unwrap(), secret);
        assert_ne!(WebhookSecret::generate(), secret);
        assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
    }

    #[test]
    fn a_bad_secret_says_what_is_wrong_with_it() {
        let problem = |text: &str| match WebhookSecret::parse(text) {
            Err(DeliveryError::BadSecret { problem }) => problem,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            problem("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            SecretProblem::MissingPrefix
        );
        assert_eq!(problem("whsec_not base64!"), SecretProblem::NotBase64);
        assert_eq!(
            problem("whsec_c2hvcnQ="),
            SecretProblem::WrongLength { bytes: 5 }
        );
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert_eq!(problem(&long), SecretProblem::WrongLength { bytes: 65 });
    }
}
