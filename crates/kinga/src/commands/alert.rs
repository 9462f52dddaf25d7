//! `kinga alert`: raise alerts from a file, list them, move them through their lifecycle and
//! record the responses that answer them. Whoever runs it holds the database: it reads every
//! alert and acts for the organisation that owns one (recorded in the audit chain as
//! `system:alert-<step>` on its behalf).
use crate::cli::{Db, Format};
use crate::Failure;
use clap::Subcommand;
use kinga_app::records::{AlertFilter, StoreError};
use kinga_app::AccessError;
use kinga_domain::alert::{Alert, AlertMove, AlertStatus, NewAlert, NewResponse};
use kinga_domain::ids::AlertId;
use kinga_domain::org::Slug;
use kinga_domain::{Country, ValidationErrors};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub(crate) enum AlertAction {
    /// Raise an alert for an organisation from a JSON file. An alert whose dedup key the
    /// organisation already raised is not raised again: the existing one is named.
    #[command(
        after_help = "The file is one JSON object: country, level (watch, warning, urgent), message_en and message_fr are required; tier (network, regional, au, un; default network), regional_body (ECOWAS, EAC, ICGLR, …), admin1, dedup_key, visibility (default organisation) and the basis (incidents, signals, assessments, evidence: lists of ids, each naming a record the organisation may see) are optional. See docs/alerts.md.\n\nExamples:\n  kinga alert raise --org kenya-hrc --file alert.json\n  kinga alert raise --org kenya-hrc --file alert.json --format json"
    )]
    Raise {
        #[command(flatten)]
        db: Db,
        /// The organisation that raises it (its slug).
        #[arg(long)]
        org: String,
        #[arg(long, value_name = "ALERT.json")]
        file: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// List alerts, newest first.
    #[command(
        after_help = "Examples:\n  kinga alert list\n  kinga alert list --status raised --country CAF\n  kinga alert list --format json"
    )]
    List {
        #[command(flatten)]
        db: Db,
        /// raised, acknowledged, escalated, responded or closed.
        #[arg(long)]
        status: Option<String>,
        /// ISO 3166-1 code of the country.
        #[arg(long)]
        country: Option<String>,
        /// watch, warning or urgent.
        #[arg(long)]
        level: Option<String>,
        /// network, regional, au or un.
        #[arg(long)]
        tier: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Record that the tier addressed has acknowledged the alert.
    #[command(after_help = "Example:\n  kinga alert ack 0190f4b4-5a3c-7cc0-8b1e-2a6f0c0e0a01")]
    Ack {
        #[command(flatten)]
        db: Db,
        id: String,
    },
    /// Send the alert to the next tier (network, regional, au, un), with a new deadline.
    #[command(
        after_help = "Example:\n  kinga alert escalate 0190f4b4-5a3c-7cc0-8b1e-2a6f0c0e0a01"
    )]
    Escalate {
        #[command(flatten)]
        db: Db,
        id: String,
    },
    /// Close the alert; nothing moves it afterwards.
    #[command(after_help = "Example:\n  kinga alert close 0190f4b4-5a3c-7cc0-8b1e-2a6f0c0e0a01")]
    Close {
        #[command(flatten)]
        db: Db,
        id: String,
    },
    /// Record a response to the alert; an open alert not yet responded to becomes `responded`.
    #[command(
        after_help = "Actor kinds: state, regional_body, au_psc, un_security_council, un_secretary_general, human_rights_council, civil_society, other.\nKinds: statement, letter, demarche, mediation, fact_finding_mission, sanctions, protection_deployment, humanitarian_access, referral_for_prosecution, other.\n\nExamples:\n  kinga alert respond 0190f4b4-… --actor-kind regional_body --actor ECCAS --kind fact_finding_mission --date 2026-12-05 --pillar 2\n  kinga alert respond 0190f4b4-… --actor-kind state --actor France --kind statement --date 2026-12-06 --outcome 'Called for restraint' --source https://example.org/statement"
    )]
    Respond {
        #[command(flatten)]
        db: Db,
        id: String,
        #[arg(long)]
        actor_kind: String,
        /// Who acted, as they are called (ECOWAS Commission, France, OHCHR).
        #[arg(long)]
        actor: String,
        #[arg(long)]
        kind: String,
        /// When they acted, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The R2P pillar: 1, 2 or 3.
        #[arg(long)]
        pillar: Option<String>,
        #[arg(long)]
        outcome: Option<String>,
        /// Where the response is documented (repeatable).
        #[arg(long)]
        source: Vec<String>,
        /// Who may see the response [default: the alert's visibility].
        #[arg(long)]
        visibility: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub(crate) async fn run(action: AlertAction) -> Result<(), Failure> {
    match action {
        AlertAction::Raise {
            db,
            org,
            file,
            format,
        } => raise(&db, &org, &file, format).await,
        AlertAction::List {
            db,
            status,
            country,
            level,
            tier,
            limit,
            format,
        } => {
            let filter = AlertFilter {
                status: word("--status", status)?,
                country: country
                    .map(|c| {
                        Country::parse(&c).map_err(|e| Failure::Input(format!("--country: {e}")))
                    })
                    .transpose()?,
                level: word("--level", level)?,
                tier: word("--tier", tier)?,
                limit,
                offset: 0,
            };
            list(&db, &filter, format).await
        }
        AlertAction::Ack { db, id } => step(&db, &id, AlertMove::Acknowledge).await,
        AlertAction::Escalate { db, id } => step(&db, &id, AlertMove::Escalate).await,
        AlertAction::Close { db, id } => step(&db, &id, AlertMove::Close).await,
        AlertAction::Respond {
            db,
            id,
            actor_kind,
            actor,
            kind,
            date,
            pillar,
            outcome,
            source,
            visibility,
            format,
        } => {
            let id = alert_id(&id)?;
            let system = super::system(&db, "alert-respond").await?;
            let (alert, desk) = system.owners_alert_desk(id).await.map_err(not_found(id))?;
            let body = json!({
                "alert_id": id.to_string(), "country": alert.country.code(),
                "actor_kind": actor_kind, "actor": actor, "kind": kind, "date": date,
                "pillar": pillar, "outcome": outcome, "sources": source,
                "visibility": visibility.unwrap_or_else(|| alert.visibility.to_string()),
            });
            let today = kinga_domain::time::now().date_naive();
            let new = NewResponse::parse(&body, today).map_err(as_flags)?;
            let response = desk.record_response(new).await?;
            let now = desk.alert(id).await?.unwrap_or(alert);
            match format {
                Format::Json => println!("{}", json!({"response": response, "alert": now})),
                Format::Table => println!(
                    "recorded response {} ({} by {}); alert {} is {}",
                    response.id, response.kind, response.actor, now.id, now.status
                ),
            }
            Ok(())
        }
    }
}

async fn raise(db: &Db, org: &str, file: &Path, format: Format) -> Result<(), Failure> {
    let shown = file.display();
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Input(format!("{shown}: cannot be read ({e})")))?;
    let body: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{shown}: not JSON ({e})")))?;
    let new = NewAlert::parse(&body).map_err(|e| Failure::Input(format!("{shown}: {e}")))?;
    let slug = Slug::parse(org).map_err(|e| Failure::Input(format!("--org: {e}")))?;
    let system = super::system(db, "alert-raise").await?;
    let owner = system
        .organisation(&slug)
        .await?
        .ok_or_else(|| Failure::Input(format!("--org: no organisation '{slug}'")))?;
    // A basis citing what the organisation may not see is refused by the desk; it is the
    // file's fault, so the file is named.
    let raised = match system.alert_desk(&owner).await?.raise(new).await {
        Err(AccessError::Store(StoreError::Invalid(v))) => {
            return Err(Failure::Input(format!("{shown}: {v}")))
        }
        other => other?,
    };
    match format {
        Format::Json => println!("{}", json!(raised)),
        Format::Table if raised.created => println!(
            "raised {} ({}, {}, {}); to be acknowledged by {}",
            raised.alert.id,
            raised.alert.level,
            raised.alert.tier,
            raised.alert.country.code(),
            raised.alert.ack_deadline.format("%Y-%m-%d %H:%M UTC")
        ),
        Format::Table => println!(
            "{} already existed for dedup key '{}' ({}); nothing raised",
            raised.alert.id,
            raised.alert.dedup_key.as_deref().unwrap_or_default(),
            raised.alert.status
        ),
    }
    Ok(())
}

async fn list(db: &Db, filter: &AlertFilter, format: Format) -> Result<(), Failure> {
    let system = super::system(db, "alert-list").await?;
    let page = system.alerts(filter).await?;
    match format {
        Format::Json => println!("{}", json!(page)),
        Format::Table => {
            if page.items.is_empty() {
                println!("no alert");
                return Ok(());
            }
            let now = kinga_domain::time::now();
            println!(
                "{:<36} {:<7} {:<8} {:<12} {:<7} {:<17} message",
                "id", "level", "tier", "status", "country", "acknowledge by"
            );
            for a in &page.items {
                println!(
                    "{:<36} {:<7} {:<8} {:<12} {:<7} {:<17} {}",
                    a.id.to_string(),
                    a.level.as_str(),
                    a.tier.as_str(),
                    a.status.as_str(),
                    a.country.code(),
                    deadline(a, now),
                    a.message_en.chars().take(60).collect::<String>()
                );
            }
            if page.total > page.items.len() as u64 {
                println!("({} of {} shown)", page.items.len(), page.total);
            }
        }
    }
    Ok(())
}

fn deadline(a: &Alert, now: chrono::DateTime<chrono::Utc>) -> String {
    if a.overdue(now) {
        "OVERDUE".into()
    } else if matches!(a.status, AlertStatus::Raised | AlertStatus::Escalated) {
        a.ack_deadline.format("%Y-%m-%d %H:%M").to_string()
    } else {
        "-".into()
    }
}

async fn step(db: &Db, id: &str, wanted: AlertMove) -> Result<(), Failure> {
    let id = alert_id(id)?;
    let system = super::system(db, &format!("alert-{wanted}")).await?;
    let (alert, desk) = system.owners_alert_desk(id).await.map_err(not_found(id))?;
    let after = desk
        .move_alert(id, wanted, Some(alert.version))
        .await
        .map_err(|e| match e {
            AccessError::Store(StoreError::Rule(why)) => {
                Failure::Input(format!("alert {id}: {why}"))
            }
            other => other.into(),
        })?;
    println!(
        "alert {} is {} (tier {}, version {})",
        after.id, after.status, after.tier, after.version
    );
    Ok(())
}

fn alert_id(id: &str) -> Result<AlertId, Failure> {
    id.parse()
        .map_err(|_| Failure::Input(format!("ID: '{id}' is not an alert id")))
}

fn not_found(id: AlertId) -> impl Fn(AccessError) -> Failure {
    move |e| match e {
        AccessError::Store(StoreError::NotFound) => Failure::Input(format!("ID: no alert {id}")),
        other => other.into(),
    }
}

fn word<T: std::str::FromStr<Err = String>>(
    flag: &str,
    v: Option<String>,
) -> Result<Option<T>, Failure> {
    v.map(|v| {
        v.parse()
            .map_err(|e| Failure::Input(format!("{flag}: {e}")))
    })
    .transpose()
}

/// A response's fields come from flags: each bad one is named as the flag it came from.
fn as_flags(e: ValidationErrors) -> Failure {
    Failure::Input(
        e.errors
            .iter()
            .map(|f| {
                let field = f.path.trim_start_matches("$.");
                let field = field.split('[').next().unwrap_or(field);
                let flag = match field {
                    "sources" => "source".to_string(),
                    other => other.replace('_', "-"),
                };
                format!("--{flag}: {}", f.message)
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}
