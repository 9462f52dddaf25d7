//! `kinga evidence add`: a file (or standard input) hashed, sealed and recorded in one pass.
use crate::cli::Db;
use crate::Failure;
use kinga_app::evidence::{Announced, Attach};
use kinga_app::System;
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::Visibility;
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
    system: &System,
    text: &str,
) -> Result<kinga_domain::incident::Incident, Failure> {
    if let Ok(id) = text.parse::<IncidentId>() {
        return system
            .incident(id)
            .await?
            .ok_or_else(|| Failure::Input(format!("--incident: no incident {id}")));
    }
    let filter = kinga_domain::incident::IncidentFilter {
        text: Some(text.to_string()),
        limit: 50,
        ..Default::default()
    };
    system
        .incidents(&filter)
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
    let database = crate::database::open(db).await?;
    let system = database.system("evidence-add");
    let incident: Option<IncidentId> = match target.incident.as_deref() {
        Some(t) => Some(resolve_incident(&system, t).await?.id),
        None => None,
    };
    let vault = database.vault();
    // The evidence belongs to the organisation that owns what it is attached to.
    let owner = match (incident, report) {
        (Some(i), _) => system
            .incident(i)
            .await?
            .map(|x| x.organisation)
            .ok_or_else(|| Failure::Input(format!("--incident: no incident {i}")))?,
        (None, Some(r)) => system
            .report(r)
            .await?
            .map(|x| x.organisation)
            .ok_or_else(|| Failure::Input(format!("--report: no report {r}")))?,
        (None, None) => unreachable!("checked above"),
    };
    let org = super::keys::organisation(&system, owner.as_str()).await?;
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
    let item = vault
        .receive(
            &system.acting_for(&org),
            &system.sees_everything(),
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
            kinga_app::evidence::EvidenceError::Vault(v) => Failure::Input(format!(
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

/// What a custodian records about an item without touching its bytes.
pub enum CustodyNote {
    /// The item (or a copy of it) left the organisation's hands: to whom, and how.
    Transfer { to: String, how: Option<String> },
    /// Someone asked for the item to be deleted. Sealed originals are never altered, so the
    /// request is recorded for the legal officers to decide on, not carried out.
    DeletionRequest { reason: String },
}

async fn item_of(
    system: &System,
    id: &str,
) -> Result<kinga_domain::evidence::EvidenceItem, Failure> {
    let id: kinga_domain::evidence::EvidenceId = id
        .parse()
        .map_err(|_| Failure::Input(format!("'{id}' is not an evidence id")))?;
    system
        .evidence_item(id)
        .await?
        .ok_or_else(|| Failure::Input(format!("no evidence {id}")))
}

/// Prints an item's custody chain, oldest first.
pub async fn log(db: &Db, id: &str) -> Result<(), Failure> {
    let system = super::system(db, "evidence-log").await?;
    let item = item_of(&system, id).await?;
    let entries = system.custody_log(item.id).await?;
    println!("evidence {} sha256 {}", item.id, item.sha256);
    for e in entries {
        println!(
            "{:>4}  {}  {:<16} {:<28} {}",
            e.seq,
            e.at.format("%Y-%m-%dT%H:%M:%SZ"),
            e.kind.as_str(),
            e.actor,
            e.detail.unwrap_or_default()
        );
    }
    Ok(())
}

pub async fn note(db: &Db, id: &str, what: CustodyNote) -> Result<(), Failure> {
    let database = crate::database::open(db).await?;
    let system = database.system("evidence-custody");
    let item = item_of(&system, id).await?;
    let vault = database.vault();
    let what = match what {
        CustodyNote::Transfer { to, how } => {
            kinga_app::evidence::CustodyNote::Transfer { to, note: how }
        }
        CustodyNote::DeletionRequest { reason } => {
            kinga_app::evidence::CustodyNote::DeletionRequest { reason }
        }
    };
    // The same path as the web's custody forms; whoever holds the database acts for the
    // organisation holding the item, so the role is not what limits them.
    let e = vault
        .note_custody(
            &system.acting_for_id(item.organisation_id, item.organisation.clone()),
            &system.sees_everything(),
            kinga_domain::Role::Admin,
            item.id,
            what,
        )
        .await?;
    println!("custody entry {} recorded: {}", e.seq, e.kind.as_str());
    Ok(())
}

/// Re-hashes one item's sealed file (no key needed) and, with the organisation's passphrase,
/// its decrypted content; the outcome is itself a custody entry, so a later reader sees when
/// the item was last checked and what was found.
pub async fn verify(db: &Db, id: &str) -> Result<(), Failure> {
    let database = crate::database::open(db).await?;
    let system = database.system("evidence-verify");
    let item = item_of(&system, id).await?;
    let vault = database.vault();
    if let Some(p) = super::keys::passphrase_from_env_or_stdin() {
        let org = super::keys::organisation(&system, item.organisation.as_str()).await?;
        // Held in this process's memory for the check below, gone when the command ends.
        vault
            .unlock(&org, &p)
            .await
            .map_err(|e| Failure::Input(e.to_string()))?;
    }
    // The web's "verify now" does exactly this: one check, one custody entry, one wording.
    let check = vault
        .verify_item(
            &system.acting_for_id(item.organisation_id, item.organisation.clone()),
            &system.sees_everything(),
            kinga_domain::Role::Admin,
            item.id,
        )
        .await?;
    println!("evidence {}: {}", item.id, check.detail);
    if check.intact {
        Ok(())
    } else {
        Err(Failure::Broken(format!(
            "evidence {} does not match its hash",
            item.id
        )))
    }
}
