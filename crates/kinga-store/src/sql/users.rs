use super::records::{self, user_digest, USER_COLUMNS};
use super::store_impl::draft;
use super::{Engine, SqlStore};
use crate::store::{Credentials, NewUser, Session};
use crate::{Actor, Result, StoreError};
use kinga_domain::audit::digest;
use kinga_domain::ids::{OrgId, UserId};
use kinga_domain::user::{Email, User};
use kinga_domain::ValidationErrors;

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
                    Some(r) => r.text(0)?.parse().map_err(|_| StoreError::Corrupt {
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
                    .append(
                        tx,
                        draft(&actor, "user", user.id.to_string(), "create", None, Some(user_digest(&user, &creds)), None),
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
                    .append(
                        tx,
                        draft(
                            &actor,
                            "user",
                            user.to_string(),
                            "enrol_second_factor",
                            Some(before),
                            Some(user_digest(&u, &c)),
                            None,
                        ),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

fn token_digest(token_hash: &str, user: &str, created_at: &str) -> String {
    digest(&(token_hash, user, created_at))
}

pub async fn add_token<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    user: UserId,
    token_hash: &str,
) -> Result<()> {
    let actor = actor.clone();
    let token_hash = token_hash.to_string();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let exists = tx
                    .fetch(
                        "SELECT 1 FROM users WHERE id = $1",
                        vec![user.to_string().into()],
                    )
                    .await?;
                if exists.is_empty() {
                    return Err(StoreError::NotFound);
                }
                let at = records::timestamp(&kinga_domain::time::now());
                tx.execute(
                    "INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)",
                    vec![
                        token_hash.clone().into(),
                        user.to_string().into(),
                        at.clone().into(),
                    ],
                )
                .await?;
                let d = token_digest(&token_hash, &user.to_string(), &at);
                chain
                    .append(
                        tx,
                        draft(
                            &actor,
                            "api_token",
                            token_hash,
                            "create",
                            None,
                            Some(d),
                            None,
                        ),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

pub async fn token_rows_digests<E: Engine>(store: &SqlStore<E>) -> Result<Vec<(String, String)>> {
    let rows = store
        .engine
        .fetch(
            "SELECT token_hash, user_id, created_at FROM api_tokens",
            vec![],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let (h, u, at) = (r.text(0)?, r.text(1)?, r.text(2)?);
            let d = token_digest(&h, &u, &at);
            Ok((h, d))
        })
        .collect()
}

pub async fn by_token<E: Engine>(store: &SqlStore<E>, token_hash: &str) -> Result<Option<User>> {
    let cols = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {cols} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"),
            vec![token_hash.into()],
        )
        .await?;
    Ok(rows.first().map(records::user).transpose()?.map(|(u, _)| u))
}

pub async fn create_session<E: Engine>(store: &SqlStore<E>, s: &Session) -> Result<()> {
    store
        .engine
        .execute(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, second_factor_done, expires_at) VALUES ($1, $2, $3, $4, $5)",
            vec![
                s.id_hash.clone().into(),
                s.user_id.to_string().into(),
                s.csrf_token.clone().into(),
                i64::from(s.second_factor_done).into(),
                records::timestamp(&s.expires_at).into(),
            ],
        )
        .await?;
    Ok(())
}

pub async fn session<E: Engine>(store: &SqlStore<E>, id_hash: &str) -> Result<Option<Session>> {
    let rows = store
        .engine
        .fetch(
            "SELECT id_hash, user_id, csrf_token, second_factor_done, expires_at FROM sessions WHERE id_hash = $1",
            vec![id_hash.into()],
        )
        .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let bad = |d: &str| StoreError::Corrupt {
        table: "sessions",
        detail: d.to_string(),
    };
    let expires_at = chrono::DateTime::parse_from_rfc3339(&r.text(4)?)
        .map_err(|_| bad("expires_at"))?
        .with_timezone(&chrono::Utc);
    if expires_at < chrono::Utc::now() {
        delete_session(store, id_hash).await?;
        return Ok(None);
    }
    Ok(Some(Session {
        id_hash: r.text(0)?,
        user_id: r.text(1)?.parse().map_err(|_| bad("user_id"))?,
        csrf_token: r.text(2)?,
        second_factor_done: r.int(3)? != 0,
        expires_at,
    }))
}

pub async fn confirm_second_factor<E: Engine>(store: &SqlStore<E>, id_hash: &str) -> Result<()> {
    store
        .engine
        .execute(
            "UPDATE sessions SET second_factor_done = 1 WHERE id_hash = $1",
            vec![id_hash.into()],
        )
        .await?;
    Ok(())
}

pub async fn delete_session<E: Engine>(store: &SqlStore<E>, id_hash: &str) -> Result<()> {
    store
        .engine
        .execute(
            "DELETE FROM sessions WHERE id_hash = $1",
            vec![id_hash.into()],
        )
        .await?;
    Ok(())
}
