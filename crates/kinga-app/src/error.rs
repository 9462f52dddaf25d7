use kinga_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Wrong e-mail or password: deliberately one message for both.
    #[error("unknown e-mail or wrong password")]
    BadCredentials,
    #[error("the second-factor code is wrong or expired")]
    BadSecondFactor,
    #[error("too many failed sign-ins; wait {0} minutes")]
    TooManyAttempts(u64),
    #[error("this account already has a second factor")]
    AlreadyEnrolled,
    #[error("not signed in")]
    Unauthenticated,
    #[error("your role ({0}) may not do this")]
    Forbidden(kinga_domain::Role),
    /// Beyond the caller's organisation or networks, whatever their role.
    #[error("{0}")]
    OutsideScope(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
