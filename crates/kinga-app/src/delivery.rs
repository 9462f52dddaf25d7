//! How an alert reaches a desk: signed webhooks to partners' systems, e-mail to people, the
//! schedule on which a failed delivery is tried again, and the signed link a recipient follows
//! to acknowledge an alert. These are mechanisms without a store: the outbox that records what
//! was sent, and when to try again, calls them with its message id and its clock, so each of
//! them can be tested against a real receiver and a fixed time.
mod ack_link;
mod email;
mod error;
mod schedule;
pub mod webhook;

pub use ack_link::{AckKey, Acknowledgement, ACK_PATH};
pub use email::{
    parse_address, AlertEmail, Bilingual, Mailer, SmtpConfig, SmtpCredentials, TlsMode,
};
pub use error::{AckRefusal, DeliveryError, SecretProblem, SignatureRefusal};
pub use schedule::{
    jitter_seed, next_attempt, should_pause, EndpointHealth, NextAttempt, PAUSE_AFTER_DAYS,
    RETRY_DELAYS,
};

/// What became of one attempt to deliver one message, for the outbox to record.
#[derive(Debug)]
pub enum Outcome {
    /// The receiver took it (a 2xx answer, or the SMTP server accepted the message).
    Delivered,
    /// It may work later: the receiver failed, timed out or could not be reached. The outbox
    /// tries again on the [`next_attempt`] schedule.
    RetryLater(DeliveryError),
    /// It will never work as addressed (a webhook answered 410 Gone, a mail server refused the
    /// mailbox for good): trying again only adds noise, so the message fails now.
    Gone(DeliveryError),
}

impl Outcome {
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Delivered)
    }
}
