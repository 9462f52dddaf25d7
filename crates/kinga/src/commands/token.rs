use crate::cli::Db;
use crate::Failure;
use kinga_app::{AccessError, TokenOptions};
use kinga_domain::user::Email;

pub async fn create(
    db: &Db,
    email: &str,
    days: u32,
    second_factor: Option<String>,
) -> Result<(), Failure> {
    let email = Email::parse(email).map_err(|e| Failure::Input(format!("--email: {e}")))?;
    let system = super::system(db, "token-create").await?;
    let Some(user) = system.user_by_email(&email).await? else {
        return Err(Failure::Input(format!("--email: no user {email}")));
    };
    let full = second_factor.is_some();
    let options = TokenOptions {
        days,
        second_factor_code: second_factor,
    };
    let token = match system.issue_token(&email, &options).await {
        Err(AccessError::BadSecondFactor) => {
            return Err(Failure::Input(format!(
                "--second-factor: not a current code of {email}'s authenticator"
            )))
        }
        other => other?,
    };
    println!("{token}");
    let until = kinga_domain::time::now() + chrono::Duration::days(days.into());
    eprintln!("Valid until {}.", until.format("%Y-%m-%d %H:%M UTC"));
    if user.role.requires_second_factor() && !full {
        eprintln!(
            "Issued without a second-factor code: it works as a coordinator's token (no administration, no sealed values). Add --second-factor CODE for the full rights."
        );
    }
    Ok(())
}

pub async fn revoke(db: &Db, email: &str, token: Option<&str>) -> Result<(), Failure> {
    let email = Email::parse(email).map_err(|e| Failure::Input(format!("--email: {e}")))?;
    let system = super::system(db, "token-revoke").await?;
    if system.user_by_email(&email).await?.is_none() {
        return Err(Failure::Input(format!("--email: no user {email}")));
    }
    let n = match system.revoke_tokens(&email, token).await {
        Err(AccessError::Store(kinga_app::records::StoreError::NotFound)) => {
            return Err(Failure::Input(format!(
                "--token: not a live token of {email}"
            )))
        }
        other => other?,
    };
    println!("Revoked {n} token(s) of {email}.");
    Ok(())
}
