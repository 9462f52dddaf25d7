/// Everything that can go wrong in delivery, with enough structure that the outbox and the log
/// can tell cases apart without reading the text.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("not a webhook secret (expected whsec_ followed by base64): {problem}")]
    BadSecret { problem: SecretProblem },
    #[error("not a webhook endpoint: {url}: {reason}")]
    BadEndpoint { url: String, reason: String },
    /// One answer for every refused signature; `reason` is for the log, not for the sender.
    #[error("webhook signature refused")]
    SignatureRefused { reason: SignatureRefusal },
    #[error("the receiver answered HTTP {status}")]
    HttpStatus { status: u16, body_excerpt: String },
    #[error("the receiver did not answer within {seconds} s")]
    Timeout { seconds: u64 },
    #[error("could not reach the receiver: {0}")]
    Http(#[source] reqwest::Error),
    #[error("not an e-mail address: {address:?}: {source}")]
    BadAddress {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("could not build the e-mail: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// One answer for every refused link; `reason` is for the log, not for the person holding it.
    #[error("this acknowledgement link is not valid or has expired")]
    AckRefused { reason: AckRefusal },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretProblem {
    #[error("it does not start with whsec_")]
    MissingPrefix,
    #[error("what follows whsec_ is not base64")]
    NotBase64,
    #[error("the key is {bytes} bytes; the specification asks for 24 to 64")]
    WrongLength { bytes: usize },
}

/// Why a webhook signature was refused. A receiver logs it; it answers the sender only "no".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureRefusal {
    MissingHeader {
        name: &'static str,
    },
    BadTimestamp,
    /// Signed longer ago than the tolerance: a late replay, or a clock far behind.
    TooOld {
        age_seconds: i64,
    },
    /// Signed in the future beyond the tolerance: a clock far ahead, or a prepared replay.
    TooNew {
        ahead_seconds: i64,
    },
    /// No `v1,` signature in the header matched the body under this secret.
    NoMatch,
    /// Correctly signed and in time, but this message id was already accepted.
    Replayed,
}

/// Why an acknowledgement link was refused, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckRefusal {
    /// Not URL-safe base64, or the wrong version or length for a token.
    Malformed,
    /// Shorter than a token: cut off when it was copied or wrapped in a mail reader.
    Truncated,
    /// The signature does not match: made up, or altered after it was issued.
    Forged,
    /// Genuine, but past its expiry.
    Expired,
}
