use crate::cli::Db;
use crate::Failure;
use kinga_domain::user::Email;

pub async fn create(db: &Db, email: &str) -> Result<(), Failure> {
    let email = Email::parse(email).map_err(|e| Failure::Input(format!("--email: {e}")))?;
    let system = super::system(db, "token-create").await?;
    if system.user_by_email(&email).await?.is_none() {
        return Err(Failure::Input(format!("--email: no user {email}")));
    }
    let token = system.create_token(&email).await?;
    println!("{token}");
    Ok(())
}
