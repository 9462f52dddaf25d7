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
    let system = super::system(db, "org-add").await?;
    let org = system.add_organisation(new).await?;
    println!("{}", org.id);
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
                let nets: Vec<&str> = o.networks.iter().map(|n| n.as_str()).collect();
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
