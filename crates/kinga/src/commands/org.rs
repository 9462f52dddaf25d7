use crate::cli::{Db, Format};
use crate::Failure;
use kinga_domain::org::NewOrganisation;

pub async fn add(
    db: &Db,
    slug: &str,
    name: &str,
    country: Option<&str>,
    networks: &[String],
) -> Result<(), Failure> {
    let new = NewOrganisation::parse(slug, name, country, networks).map_err(|e| {
        Failure::Input(
            e.errors
                .iter()
                .map(|f| {
                    format!(
                        "--{}: {}",
                        f.path
                            .trim_start_matches("$.")
                            .trim_end_matches(|c: char| c == ']' || c.is_ascii_digit())
                            .trim_end_matches('[')
                            .trim_end_matches('s'),
                        f.message
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let database = crate::database::open(db).await?;
    let system = database.system("org-add");
    // The key passphrase is optional here so that scripts adding many organisations keep
    // working; without one, the organisation has no keys until `kinga keys init`.
    let passphrase = super::keys::passphrase_from_env_or_stdin();
    if let Some(p) = &passphrase {
        super::keys::check_new_passphrase(p)?;
    }
    let org = system.add_organisation(new).await?;
    println!("{}", org.id);
    match passphrase {
        Some(p) => {
            super::keys::create_for(&system, &database.vault(), &org, &p).await?;
        }
        None => eprintln!(
            "No key passphrase given ({} or standard input): {} can hold no evidence until `kinga keys init --org {}`.",
            super::keys::PASSPHRASE_VAR,
            org.slug,
            org.slug
        ),
    }
    Ok(())
}

pub async fn list(db: &Db, format: Format) -> Result<(), Failure> {
    let system = super::system(db, "org-list").await?;
    let orgs = system.organisations().await?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&orgs).expect("organisations serialise")
        ),
        Format::Table => {
            println!("{:<40} {:<8} {:<24} NAME", "SLUG", "COUNTRY", "NETWORKS");
            for o in orgs {
                let nets: Vec<&str> = o
                    .networks
                    .iter()
                    .map(kinga_domain::org::Slug::as_str)
                    .collect();
                println!(
                    "{:<40} {:<8} {:<24} {}",
                    o.slug,
                    o.country.map(|c| c.code().to_string()).unwrap_or_default(),
                    nets.join(","),
                    o.name
                );
            }
        }
    }
    Ok(())
}
