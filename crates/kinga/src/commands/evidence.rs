//! `kinga evidence add`: a file (or standard input) hashed, sealed and recorded in one pass.
use crate::cli::Db;
use crate::Failure;
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::Visibility;
use kinga_store::{Actor, Scope};
use kinga_web::vault::{Announced, Attach};
use std::io::Read;
use std::path::Path;

pub struct Target {
    pub incident: Option<String>,
    pub report: Option<String>,
    pub visibility: String,
}

pub struct Announce {
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub name: Option<String>,
}

/// An incident named by its id or by its code (`CAF-2013-000042`), as users quote it.
pub async fn resolve_incident(
    store: &dyn kinga_store::Store,
    text: &str,
) -> Result<kinga_domain::incident::Incident, Failure> {
    let scope = Scope::maintenance();
    if let Ok(id) = text.parse::<IncidentId>() {
        return store
            .incident(&scope, id)
            .await?
            .ok_or_else(|| Failure::Input(format!("--incident: no incident {id}")));
    }
    let filter = kinga_domain::incident::IncidentFilter {
        text: Some(text.to_string()),
        limit: 50,
        ..Default::default()
    };
    store
        .incidents(&scope, &filter)
        .await?
        .items
        .into_iter()
        .find(|i| i.code.eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| Failure::Input(format!("--incident: no incident with id or code '{text}'")))
}

fn id<T: std::str::FromStr>(flag: &str, v: Option<&str>) -> Result<Option<T>, Failure> {
    v.map(|s| {
        s.parse()
            .map_err(|_| Failure::Input(format!("--{flag}: '{s}' is not an id")))
    })
    .transpose()
}

pub async fn add(db: &Db, target: Target, announce: Announce, file: &Path) -> Result<(), Failure> {
    let report: Option<ReportId> = id("report", target.report.as_deref())?;
    if target.incident.is_none() && report.is_none() {
        return Err(Failure::Input("give --incident or --report".into()));
    }
    let visibility: Visibility = target
        .visibility
        .parse()
        .map_err(|e| Failure::Input(format!("--visibility: {e}")))?;
    let store = crate::database::open(db).await?;
    let incident: Option<IncidentId> = match target.incident.as_deref() {
        Some(t) => Some(resolve_incident(store.as_ref(), t).await?.id),
        None => None,
    };
    let vault = super::keys::open_vault(db, store.clone());
    let scope = Scope::maintenance();
    // The evidence belongs to the organisation that owns what it is attached to.
    let owner = match (incident, report) {
        (Some(i), _) => store
            .incident(&scope, i)
            .await?
            .map(|x| x.organisation)
            .ok_or_else(|| Failure::Input(format!("--incident: no incident {i}")))?,
        (None, Some(r)) => store
            .report(&scope, r)
            .await?
            .map(|x| x.organisation)
            .ok_or_else(|| Failure::Input(format!("--report: no report {r}")))?,
        (None, None) => unreachable!("checked above"),
    };
    let org = super::keys::organisation(store.as_ref(), owner.as_str()).await?;
    let (reader, name, size): (Box<dyn Read + Send>, Option<String>, Option<u64>) =
        if file.as_os_str() == "-" {
            (Box::new(std::io::stdin()), announce.name, announce.size)
        } else {
            let f = std::fs::File::open(file)
                .map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
            let len = f.metadata().map(|m| m.len()).ok();
            let name = announce
                .name
                .or_else(|| file.file_name().map(|n| n.to_string_lossy().into_owned()));
            (Box::new(f), name, announce.size.or(len))
        };
    let actor = Actor::system("evidence-add").acting_for(org.id, org.slug.clone());
    let item = vault
        .receive(
            &actor,
            &scope,
            &org,
            Attach {
                incident,
                report,
                visibility,
            },
            Announced {
                name,
                size,
                sha256: announce.sha256,
            },
            reader,
        )
        .await
        .map_err(|e| match e {
            kinga_web::vault::EvidenceError::Vault(v) => Failure::Input(format!(
                "{}: {v}",
                if file.as_os_str() == "-" {
                    "standard input".to_string()
                } else {
                    file.display().to_string()
                }
            )),
            other => other.into(),
        })?;
    println!("{} {}", item.id, item.sha256);
    Ok(())
}
