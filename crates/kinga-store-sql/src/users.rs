use crate::audited::{ApiToken, Audited};
use crate::change::Change;
use crate::columns::{qualified, renamed};
use crate::records::{self, user_digest, USER_COLUMNS};
use crate::SqlValue;
use crate::{Engine, SqlStore};
use kinga_domain::audit::digest;
use kinga_domain::ids::{OrgId, UserId};
use kinga_domain::user::{Email, User};
use kinga_domain::ValidationErrors;
use kinga_store::{Actor, Result, StoreError};
use kinga_store::{Credentials, NewApiToken, NewUser, Session, TokenGrant};

pub async fn add<E: Engine>(store: &SqlStore<E>, actor: &Actor, new: NewUser) -> Result<User> {
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let org = tx
                    .fetch(
                        "SELECT id FROM organisations WHERE slug = $1",
                        vec![new.organisation.as_str().into()],
                    )
                    .await?;
                let org_id: OrgId = match org.first() {
                    Some(r) => r.text("id")?.parse().map_err(|_| StoreError::Corrupt {
                        table: "organisations",
                        detail: "id".into(),
                    })?,
                    None => {
                        return Err(ValidationErrors::single(
                            "$.organisation",
                            format!("no organisation with slug '{}'", new.organisation),
                        )
                        .into())
                    }
                };
                let taken = tx
                    .fetch(
                        "SELECT 1 FROM users WHERE email = $1",
                        vec![new.email.as_str().into()],
                    )
                    .await?;
                if !taken.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "a user with e-mail {} already exists",
                        new.email
                    )));
                }
                let user = User {
                    id: UserId::new(),
                    email: new.email,
                    organisation_id: org_id,
                    organisation: new.organisation,
                    role: new.role,
                    has_second_factor: new.totp_secret.is_some(),
                    created_at: kinga_domain::time::now(),
                };
                let creds = Credentials {
                    password_hash: new.password_hash,
                    totp_secret: new.totp_secret,
                };
                tx.execute(
                    &format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
                    vec![
                        user.id.to_string().into(),
                        user.email.as_str().into(),
                        user.organisation_id.to_string().into(),
                        user.organisation.as_str().into(),
                        user.role.as_str().into(),
                        records::timestamp(&user.created_at).into(),
                        creds.password_hash.clone().into(),
                        creds.totp_secret.clone().into(),
                    ],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::of(&user, "create")
                            .after(user_digest(&user, &creds)),
                    )
                    .await?;
                Ok(user)
            })
        })
        .await
}

async fn one<E: Engine>(
    store: &SqlStore<E>,
    condition: &str,
    arg: String,
) -> Result<Option<(User, Credentials)>> {
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE {condition}"),
            vec![arg.into()],
        )
        .await?;
    rows.first().map(records::user).transpose()
}

pub async fn by_id<E: Engine>(store: &SqlStore<E>, id: UserId) -> Result<Option<User>> {
    Ok(one(store, "id = $1", id.to_string()).await?.map(|(u, _)| u))
}

pub async fn by_email<E: Engine>(
    store: &SqlStore<E>,
    email: &Email,
) -> Result<Option<(User, Credentials)>> {
    one(store, "email = $1", email.to_string()).await
}

pub async fn list<E: Engine>(store: &SqlStore<E>, org: Option<OrgId>) -> Result<Vec<User>> {
    let (cond, args) = match org {
        Some(o) => ("WHERE organisation_id = $1", vec![o.to_string().into()]),
        None => ("", vec![]),
    };
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {USER_COLUMNS} FROM users {cond} ORDER BY org_slug, email"),
            args,
        )
        .await?;
    rows.iter()
        .map(|r| records::user(r).map(|(u, _)| u))
        .collect()
}

pub async fn set_second_factor<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    user: UserId,
    secret: &str,
) -> Result<()> {
    let actor = actor.clone();
    let secret = secret.to_string();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let rows = tx
                    .fetch(
                        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                        vec![user.to_string().into()],
                    )
                    .await?;
                let (mut u, mut c) = rows
                    .first()
                    .map(records::user)
                    .transpose()?
                    .ok_or(StoreError::NotFound)?;
                // Checked inside the write, so two enrolments at once cannot both succeed.
                if c.totp_secret.is_some() {
                    return Err(StoreError::Rule(
                        "this account already has a second factor".into(),
                    ));
                }
                let before = user_digest(&u, &c);
                c.totp_secret = Some(secret.clone());
                u.has_second_factor = true;
                tx.execute(
                    "UPDATE users SET totp_secret = $1 WHERE id = $2",
                    vec![secret.into(), user.to_string().into()],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::on::<User>(user.to_string(), "enrol_second_factor")
                            .before(before)
                            .after(user_digest(&u, &c)),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

/// The columns a token row is read with, in this order.
const TOKEN_COLUMNS: &str =
    "token_hash, user_id, created_at, expires_at, revoked_at, second_factor";

/// Where a user joined with a token keeps the token: both have a `created_at`.
const TOKEN_PART: &str = "token__";

/// A token row as stored.
#[derive(Clone)]
struct TokenRow {
    hash: String,
    user: String,
    created_at: String,
    expires_at: Option<String>,
    revoked_at: Option<String>,
    second_factor: bool,
}

impl TokenRow {
    fn read(r: &crate::SqlRow) -> Result<TokenRow> {
        Ok(TokenRow {
            hash: r.text("token_hash")?,
            user: r.text("user_id")?,
            created_at: r.text("created_at")?,
            expires_at: r.opt_text("expires_at")?,
            revoked_at: r.opt_text("revoked_at")?,
            second_factor: r.int("second_factor")? != 0,
        })
    }

    /// Tokens issued before expiry and revocation existed keep the digest they were recorded
    /// with, so that the chain still verifies them.
    fn digest(&self) -> String {
        if self.expires_at.is_none() && self.revoked_at.is_none() && !self.second_factor {
            return digest(&(&self.hash, &self.user, &self.created_at));
        }
        digest(&(
            &self.hash,
            &self.user,
            &self.created_at,
            &self.expires_at,
            &self.revoked_at,
            self.second_factor,
        ))
    }

    /// When the token stops working: as issued, or for a token issued before expiry existed,
    /// [`LEGACY_TOKEN_DAYS`] after it was issued.
    fn expires(&self) -> Result<chrono::DateTime<chrono::Utc>> {
        let bad = |d: &str| StoreError::Corrupt {
            table: "api_tokens",
            detail: d.to_string(),
        };
        let parse = |t: &str, what: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| bad(what))
        };
        match &self.expires_at {
            Some(t) => parse(t, "expires_at"),
            None => Ok(parse(&self.created_at, "created_at")?
                + chrono::Duration::days(kinga_store::LEGACY_TOKEN_DAYS)),
        }
    }
}

pub async fn add_token<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: &NewApiToken,
) -> Result<()> {
    let actor = actor.clone();
    let new = new.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let exists = tx
                    .fetch(
                        "SELECT 1 FROM users WHERE id = $1",
                        vec![new.user.to_string().into()],
                    )
                    .await?;
                if exists.is_empty() {
                    return Err(StoreError::NotFound);
                }
                let row = TokenRow {
                    hash: new.token_hash.clone(),
                    user: new.user.to_string(),
                    created_at: records::timestamp(&kinga_domain::time::now()),
                    expires_at: Some(records::timestamp(&new.expires_at)),
                    revoked_at: None,
                    second_factor: new.second_factor,
                };
                tx.execute(
                    &format!(
                        "INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
                    ),
                    vec![
                        row.hash.clone().into(),
                        row.user.clone().into(),
                        row.created_at.clone().into(),
                        row.expires_at.clone().into(),
                        SqlValue::Text(None),
                        i64::from(row.second_factor).into(),
                    ],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::of(&ApiToken(&row.hash), "create").after(row.digest()),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Revokes one token of `user` (by its hash) or all of them; the count revoked.
pub async fn revoke_tokens<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    user: UserId,
    token_hash: Option<&str>,
) -> Result<u64> {
    let actor = actor.clone();
    let token_hash = token_hash.map(str::to_string);
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let rows = tx
                    .fetch(
                        &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY token_hash"),
                        vec![user.to_string().into()],
                    )
                    .await?;
                let now = records::timestamp(&kinga_domain::time::now());
                let mut n = 0;
                for r in &rows {
                    let before = TokenRow::read(r)?;
                    if token_hash.as_ref().is_some_and(|h| *h != before.hash) {
                        continue;
                    }
                    let after = TokenRow {
                        revoked_at: Some(now.clone()),
                        ..before.clone()
                    };
                    tx.execute(
                        "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2",
                        vec![now.clone().into(), after.hash.clone().into()],
                    )
                    .await?;
                    chain
                        .record(
                            tx,
                            &actor,
                            Change::of(&ApiToken(&after.hash), "revoke")
                                .before(before.digest())
                                .after(after.digest()),
                        )
                        .await?;
                    n += 1;
                }
                if n == 0 && token_hash.is_some() {
                    return Err(StoreError::NotFound);
                }
                Ok(n)
            })
        })
        .await
}

pub async fn token_rows_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan_by(
        store,
        "api_tokens",
        "token_hash",
        TOKEN_COLUMNS,
        records,
        |r| {
            let t = TokenRow::read(r)?;
            Ok((ApiToken::ENTITY, t.hash.clone(), t.digest()))
        },
    )
    .await
}

/// The holder of a live token: not revoked, not expired.
pub async fn by_token<E: Engine>(
    store: &SqlStore<E>,
    token_hash: &str,
) -> Result<Option<TokenGrant>> {
    let cols = qualified(USER_COLUMNS, "u.");
    let token_cols = renamed(TOKEN_COLUMNS, "t.", TOKEN_PART);
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {cols}, {token_cols} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL"),
            vec![token_hash.into()],
        )
        .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let token = TokenRow::read(&r.part(TOKEN_PART))?;
    let expires_at = token.expires()?;
    if expires_at <= kinga_domain::time::now() {
        return Ok(None);
    }
    let (user, _) = records::user(r)?;
    Ok(Some(TokenGrant {
        user,
        second_factor: token.second_factor,
        expires_at,
    }))
}

fn session_digest(s: &Session) -> String {
    digest(&(
        &s.id_hash,
        s.user_id.to_string(),
        &s.csrf_token,
        s.second_factor_done,
        records::timestamp(&s.expires_at),
    ))
}

fn session_from(r: &crate::SqlRow) -> Result<Session> {
    let bad = |d: &str| StoreError::Corrupt {
        table: "sessions",
        detail: d.to_string(),
    };
    Ok(Session {
        id_hash: r.text("id_hash")?,
        user_id: r.text("user_id")?.parse().map_err(|_| bad("user_id"))?,
        csrf_token: r.text("csrf_token")?,
        second_factor_done: r.int("second_factor_done")? != 0,
        expires_at: chrono::DateTime::parse_from_rfc3339(&r.text("expires_at")?)
            .map_err(|_| bad("expires_at"))?
            .with_timezone(&chrono::Utc),
    })
}

const SESSION_COLUMNS: &str = "id_hash, user_id, csrf_token, second_factor_done, expires_at";

/// The session row, read inside a write.
async fn session_in(tx: &mut dyn crate::Tx, id_hash: &str) -> Result<Option<Session>> {
    let rows = tx
        .fetch(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1"),
            vec![id_hash.into()],
        )
        .await?;
    rows.first().map(session_from).transpose()
}

/// Sessions are in the audit chain: a row written behind Kinga's back has no entry that
/// matches it, so it opens nothing, and `verify` names it.
pub async fn create_session<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    s: &Session,
) -> Result<()> {
    let (actor, s) = (actor.clone(), s.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                tx.execute(
                    &format!(
                        "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
                    ),
                    vec![
                        s.id_hash.clone().into(),
                        s.user_id.to_string().into(),
                        s.csrf_token.clone().into(),
                        i64::from(s.second_factor_done).into(),
                        records::timestamp(&s.expires_at).into(),
                    ],
                )
                .await?;
                chain
                    .record(tx, &actor, Change::of(&s, "open").after(session_digest(&s)))
                    .await?;
                Ok(())
            })
        })
        .await
}

/// The open session behind `id_hash`, if it is what its last audit entry says it became.
pub async fn session<E: Engine>(store: &SqlStore<E>, id_hash: &str) -> Result<Option<Session>> {
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1"),
            vec![id_hash.into()],
        )
        .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let s = session_from(r)?;
    if s.expires_at < chrono::Utc::now() {
        return Ok(None);
    }
    let last = store
        .engine
        .fetch(
            "SELECT after_digest FROM audit_log WHERE entity_id = $1 AND entity = $2 ORDER BY seq DESC LIMIT 1",
            vec![id_hash.into(), Session::ENTITY.into()],
        )
        .await?;
    let recorded = last
        .first()
        .map(|r| r.opt_text("after_digest"))
        .transpose()?
        .flatten();
    if recorded.as_deref() != Some(session_digest(&s).as_str()) {
        tracing::warn!("a session row does not match its audit entry: refused");
        return Ok(None);
    }
    Ok(Some(s))
}

pub async fn confirm_second_factor<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    id_hash: &str,
) -> Result<()> {
    let (actor, id_hash) = (actor.clone(), id_hash.to_string());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let before = session_in(tx, &id_hash)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let after = Session {
                    second_factor_done: true,
                    ..before.clone()
                };
                tx.execute(
                    "UPDATE sessions SET second_factor_done = 1 WHERE id_hash = $1",
                    vec![id_hash.clone().into()],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::on::<Session>(id_hash, "second_factor")
                            .before(session_digest(&before))
                            .after(session_digest(&after)),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

pub async fn delete_session<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    id_hash: &str,
) -> Result<()> {
    let (actor, id_hash) = (actor.clone(), id_hash.to_string());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let Some(before) = session_in(tx, &id_hash).await? else {
                    return Ok(());
                };
                tx.execute(
                    "DELETE FROM sessions WHERE id_hash = $1",
                    vec![id_hash.clone().into()],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::on::<Session>(id_hash, "close").before(session_digest(&before)),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

pub async fn session_rows_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan_by(
        store,
        "sessions",
        "id_hash",
        SESSION_COLUMNS,
        records,
        |r| {
            let s = session_from(r)?;
            Ok((Session::ENTITY, s.id_hash.clone(), session_digest(&s)))
        },
    )
    .await
}
