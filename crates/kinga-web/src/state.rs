use kinga_app::Access;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub access: Arc<Access>,
    /// Set when Kinga is served over HTTPS, so cookies are never sent in clear.
    pub secure_cookies: bool,
    pub started: chrono::DateTime<chrono::Utc>,
    /// The evidence vault; `None` when the server was started without one.
    pub vault: Option<Arc<crate::vault::Vault>>,
    /// Wrong key passphrases, counted per organisation and user: each attempt costs an Argon2id
    /// derivation, so guessing must be slow and must not tie up the server.
    pub key_unlocks: Arc<kinga_app::LoginLimiter>,
}
