use crate::cli::{Db, Format};
use crate::Failure;
use kinga_domain::org::Slug;
use kinga_domain::user::Email;
use kinga_domain::Role;
use std::io::BufRead;

pub async fn add(db: &Db, org: &str, role: &str, email: &str) -> Result<(), Failure> {
    let org = Slug::parse(org).map_err(|e| Failure::Input(format!("--org: {e}")))?;
    let role: Role = role
        .parse()
        .map_err(|e| Failure::Input(format!("--role: {e}")))?;
    let email = Email::parse(email).map_err(|e| Failure::Input(format!("--email: {e}")))?;
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| Failure::Input(format!("standard input: cannot read the password: {e}")))?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(Failure::Input(
            "standard input: expected the password on one line".into(),
        ));
    }
    kinga_app::password::check_strength(password)
        .map_err(|e| Failure::Input(format!("standard input, line 1: {e}")))?;
    let system = super::system(db, "user-add").await?;
    let user = system.add_user(org, role, email, password, None).await?;
    println!("{}", user.id);
    if role.requires_second_factor() {
        eprintln!("note: {role} accounts must set up a second factor at their first sign-in");
    }
    Ok(())
}

pub async fn list(db: &Db, format: Format) -> Result<(), Failure> {
    let system = super::system(db, "user-list").await?;
    let users = system.users().await?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&users).expect("users serialise")
        ),
        Format::Table => {
            println!(
                "{:<36} {:<12} {:<40} SECOND FACTOR",
                "EMAIL", "ROLE", "ORGANISATION"
            );
            for u in users {
                println!(
                    "{:<36} {:<12} {:<40} {}",
                    u.email,
                    u.role,
                    u.organisation,
                    if u.has_second_factor { "yes" } else { "no" }
                );
            }
        }
    }
    Ok(())
}
