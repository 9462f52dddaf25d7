use crate::handles::{Member, Principal, System};
use crate::{password, token, totp, AccessError, Result};
use kinga_domain::user::{Email, User};
use kinga_store::{Session, Store};
use std::sync::Arc;

/// How long a browser session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;
pub const SESSION_HOURS_SECONDS: i64 = SESSION_HOURS * 3600;

/// The entry point: turns credentials into handles.
pub struct Access {
    store: Arc<dyn Store>,
}

/// What a correct password leads to.
#[derive(Debug)]
pub enum SignIn {
    Complete(User),
    /// The user has a second factor: ask for the code.
    SecondFactor(User),
    /// The role requires a second factor the user has not set up yet.
    EnrolSecondFactor(User),
}

impl SignIn {
    pub fn user(&self) -> &User {
        match self {
            SignIn::Complete(u) | SignIn::SecondFactor(u) | SignIn::EnrolSecondFactor(u) => u,
        }
    }
}

/// A session just opened: the cookie value goes to the browser and nowhere else.
pub struct NewSession {
    pub cookie: String,
    pub csrf_token: String,
}

impl Access {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Access { store }
    }

    /// Refuses while `key` (an account's password, a user's authenticator codes) has had too
    /// many failures within the window. Counted in the database, so that a restart or a
    /// second server does not start the count again.
    async fn not_locked_out(&self, key: &str) -> Result<()> {
        let window = chrono::Duration::minutes(SIGN_IN_WINDOW_MINUTES);
        match self.store.sign_in_failures(key, window).await? {
            Some(f) if f.count >= MAX_SIGN_IN_FAILURES => {
                let left = window - (kinga_domain::time::now() - f.since);
                let seconds = u64::try_from(left.num_seconds().max(1)).unwrap_or(1);
                Err(AccessError::TooManyAttempts(seconds.div_ceil(60)))
            }
            _ => Ok(()),
        }
    }

    async fn failed(&self, key: &str) -> Result<()> {
        let window = chrono::Duration::minutes(SIGN_IN_WINDOW_MINUTES);
        Ok(self.store.record_sign_in_failure(key, window).await?)
    }

    pub fn backend_name(&self) -> &'static str {
        self.store.backend_name()
    }

    /// Checks e-mail and password, rate-limited per account in the database. Not per client
    /// address: behind a reverse proxy every user shares one, and one person's mistakes would
    /// lock everyone out; a restart does not clear the count either.
    #[tracing::instrument(skip_all)]
    pub async fn check_password(&self, email: &str, password: &str) -> Result<SignIn> {
        let key = format!("email:{}", email.trim().to_ascii_lowercase());
        self.not_locked_out(&key).await?;
        let found = match Email::parse(email) {
            Ok(e) => self.store.user_by_email(&e).await?,
            Err(_) => None,
        };
        let Some((user, creds)) = found else {
            // Spend the same time as a real check so timing does not reveal which e-mails exist.
            let _ = password::verify(password, &DUMMY_HASH);
            self.failed(&key).await?;
            return Err(AccessError::BadCredentials);
        };
        if !password::verify(password, &creds.password_hash) {
            self.failed(&key).await?;
            return Err(AccessError::BadCredentials);
        }
        self.store.clear_sign_in_failures(&key).await?;
        Ok(if creds.totp_secret.is_some() {
            SignIn::SecondFactor(user)
        } else if user.role.requires_second_factor() {
            SignIn::EnrolSecondFactor(user)
        } else {
            SignIn::Complete(user)
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn open_session(&self, user: &User, second_factor_done: bool) -> Result<NewSession> {
        let cookie = token::generate("ks_");
        let csrf_token = token::generate("");
        self.store
            .create_session(
                &actor_of(user),
                &Session {
                    id_hash: token::hash(&cookie),
                    user_id: user.id,
                    csrf_token: csrf_token.clone(),
                    second_factor_done,
                    expires_at: chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS),
                },
            )
            .await?;
        Ok(NewSession { cookie, csrf_token })
    }

    /// The session behind a cookie and its user, if it is still open.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, cookie: &str) -> Result<Option<(Session, User)>> {
        let Some(s) = self.store.session(&token::hash(cookie)).await? else {
            return Ok(None);
        };
        Ok(self.store.user(s.user_id).await?.map(|u| (s, u)))
    }

    #[tracing::instrument(skip_all)]
    pub async fn close_session(&self, cookie: &str) -> Result<()> {
        let Some((_, user)) = self.session(cookie).await? else {
            return Ok(());
        };
        Ok(self
            .store
            .delete_session(&actor_of(&user), &token::hash(cookie))
            .await?)
    }

    /// Completes a sign-in with the code from the user's authenticator.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_second_factor(&self, cookie: &str, code: &str) -> Result<()> {
        let (_, user) = self
            .session(cookie)
            .await?
            .ok_or(AccessError::Unauthenticated)?;
        let key = format!("totp:{}", user.id);
        self.not_locked_out(&key).await?;
        let (_, creds) = self
            .store
            .user_by_email(&user.email)
            .await?
            .ok_or(AccessError::Unauthenticated)?;
        let ok = creds
            .totp_secret
            .as_deref()
            .is_some_and(|s| totp::check(s, code));
        if !ok {
            self.failed(&key).await?;
            return Err(AccessError::BadSecondFactor);
        }
        self.store.clear_sign_in_failures(&key).await?;
        self.store
            .confirm_second_factor(&actor_of(&user), &token::hash(cookie))
            .await?;
        Ok(())
    }

    /// Sets up a first second factor: the user proves the app has the secret by entering a code.
    /// Only an account without one may enrol: otherwise a password alone would replace the
    /// authenticator, and with it the second factor.
    #[tracing::instrument(skip_all)]
    pub async fn enrol_second_factor(&self, cookie: &str, secret: &str, code: &str) -> Result<()> {
        let (_, user) = self
            .session(cookie)
            .await?
            .ok_or(AccessError::Unauthenticated)?;
        if user.has_second_factor {
            return Err(AccessError::AlreadyEnrolled);
        }
        let key = format!("totp:{}", user.id);
        self.not_locked_out(&key).await?;
        if !totp::check(secret, code) {
            self.failed(&key).await?;
            return Err(AccessError::BadSecondFactor);
        }
        self.store.clear_sign_in_failures(&key).await?;
        let actor = actor_of(&user);
        self.store
            .set_second_factor(&actor, user.id, secret)
            .await?;
        self.store
            .confirm_second_factor(&actor, &token::hash(cookie))
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn principal(&self, user: User) -> Result<Principal> {
        let peers = self.store.network_peers(user.organisation_id).await?;
        Ok(Principal { user, peers })
    }

    /// The caller behind a bearer token. A token issued without the holder's second factor
    /// never carries the rights that need one: an administrator's such token works as a
    /// coordinator's (case work, no administration, no sealed values).
    #[tracing::instrument(skip_all)]
    pub async fn by_token(&self, bearer: &str) -> Result<Principal> {
        let grant = self
            .store
            .user_by_token(&token::hash(bearer.trim()))
            .await?
            .ok_or(AccessError::Unauthenticated)?;
        let mut user = grant.user;
        if user.role.requires_second_factor() && !grant.second_factor {
            user.role = kinga_domain::Role::Coordinator;
        }
        self.principal(user).await
    }

    pub fn member(&self, principal: Principal) -> Member {
        Member::new(self.store.clone(), principal)
    }

    /// Kinga's own work from the command line, which already holds the database.
    pub fn system(&self, task: &str) -> System {
        System::new(self.store.clone(), task)
    }
}

/// Failed sign-ins of one account before it waits out the window.
pub const MAX_SIGN_IN_FAILURES: u32 = 5;
pub const SIGN_IN_WINDOW_MINUTES: i64 = 15;

/// A user acting on their own session.
fn actor_of(user: &User) -> kinga_store::Actor {
    kinga_store::Actor {
        user_id: Some(user.id),
        label: user.email.to_string(),
        organisation_id: Some(user.organisation_id),
        organisation: Some(user.organisation.clone()),
    }
}

/// A real Argon2id hash, checked against when the e-mail is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password::hash(&token::generate("")));
