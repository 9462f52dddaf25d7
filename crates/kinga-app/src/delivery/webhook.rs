//! Webhooks as the Standard Webhooks specification has them (<https://www.standardwebhooks.com/>),
//! so a partner verifies Kinga's deliveries with any of that specification's libraries rather
//! than with code written for Kinga alone.
mod secret;
mod sender;
mod signature;

pub use secret::WebhookSecret;
pub use sender::{Endpoint, WebhookSender, DEFAULT_RESPONSE_LIMIT, DEFAULT_TIMEOUT};
pub use signature::{sign, ReplayGuard, SignedHeaders, Verifier, TOLERANCE_SECONDS};

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
