//! `kinga assessment`: list and export the UN Framework of Analysis assessments of a country,
//! with their scores, evidence links, sign-offs and the summary computed by the documented rule.
//! Whoever runs the command holds the database, so it reads every organisation's assessments;
//! `--org` narrows the export to one.
use crate::cli::Db;
use crate::Failure;
use clap::{Subcommand, ValueEnum};
use kinga_analysis::assessment::{summarise, ScoredIndicator};
use kinga_app::records::AssessmentDetail;
use kinga_app::System;
use kinga_domain::framework::indicator;
use kinga_domain::risk::Assessment;
use kinga_domain::Country;
use serde_json::{json, Value};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExportFormat {
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListFormat {
    Table,
    Json,
}

#[derive(Subcommand)]
pub(crate) enum AssessmentAction {
    /// List the assessments of a country (or of every country), newest first.
    #[command(after_help = "Example:\n  kinga assessment list --country CAF")]
    List {
        #[command(flatten)]
        db: Db,
        /// ISO 3166-1 code of the country.
        #[arg(long)]
        country: Option<String>,
        /// Only the assessments this organisation owns.
        #[arg(long)]
        org: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Export a country's assessments at their latest versions: JSON (one object per
    /// assessment with scores, links, sign-offs and summary) or CSV (one row per scored
    /// indicator).
    #[command(
        after_help = "Examples:\n  kinga assessment export --country CAF\n  kinga assessment export --country CAF --format csv > caf-assessments.csv"
    )]
    Export {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        country: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
}

pub(crate) async fn run(action: AssessmentAction) -> Result<(), Failure> {
    match action {
        AssessmentAction::List {
            db,
            country,
            org,
            format,
        } => {
            let country = country.as_deref().map(parse_country).transpose()?;
            let system = super::system(&db, "assessment-list").await?;
            let list = selected(&system, country, org.as_deref()).await?;
            list_out(&list, format);
            Ok(())
        }
        AssessmentAction::Export {
            db,
            country,
            org,
            format,
        } => {
            let country = parse_country(&country)?;
            let system = super::system(&db, "assessment-export").await?;
            let list = selected(&system, Some(country), org.as_deref()).await?;
            let mut details = Vec::with_capacity(list.len());
            for a in &list {
                if let Some(d) = system.assessment(a.id).await? {
                    details.push(d);
                }
            }
            match format {
                ExportFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&Value::Array(
                        details.iter().map(export_json).collect()
                    ))
                    .expect("JSON serialises")
                ),
                ExportFormat::Csv => export_csv(&details)?,
            }
            eprintln!(
                "{} assessment(s) of {} exported",
                details.len(),
                country.name()
            );
            Ok(())
        }
    }
}

fn parse_country(code: &str) -> Result<Country, Failure> {
    Country::parse(code).map_err(|e| Failure::Input(format!("--country: {e}")))
}

async fn selected(
    system: &System,
    country: Option<Country>,
    org: Option<&str>,
) -> Result<Vec<Assessment>, Failure> {
    let all = system.assessments(country).await?;
    Ok(match org {
        Some(o) => all
            .into_iter()
            .filter(|a| a.organisation.as_str() == o)
            .collect(),
        None => all,
    })
}

fn list_out(list: &[Assessment], format: ListFormat) {
    match format {
        ListFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(list).expect("JSON serialises")
        ),
        ListFormat::Table => {
            println!(
                "{:<36}  {:<7} {:<10}  {:>7}  {:<14} {:<12} situation",
                "id", "country", "date", "version", "organisation", "visibility"
            );
            for a in list {
                println!(
                    "{:<36}  {:<7} {:<10}  {:>7}  {:<14} {:<12} {}",
                    a.id,
                    a.country.code(),
                    a.assessed_on,
                    a.version,
                    a.organisation.as_str(),
                    a.visibility.as_str(),
                    a.situation.as_deref().unwrap_or("")
                );
            }
        }
    }
}

fn scored(d: &AssessmentDetail) -> Vec<ScoredIndicator> {
    d.scores
        .iter()
        .map(|s| ScoredIndicator {
            indicator: s.indicator,
            score: s.score,
            confidence: s.confidence,
            note: s.note.clone(),
        })
        .collect()
}

fn export_json(d: &AssessmentDetail) -> Value {
    let mut v = json!(d.assessment);
    v["signed_off"] = json!(d.signed_off());
    v["scores"] = json!(d.scores);
    v["links"] = json!(d.links);
    v["signoffs"] = json!(d.signoffs);
    v["summary"] = json!(summarise(&scored(d)));
    v
}

fn export_csv(details: &[AssessmentDetail]) -> Result<(), Failure> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let io = |e: csv::Error| Failure::Other(format!("cannot write the CSV: {e}"));
    w.write_record([
        "assessment_id",
        "country",
        "situation",
        "assessed_on",
        "organisation",
        "visibility",
        "version",
        "signed_off",
        "indicator",
        "factor",
        "label_en",
        "score",
        "confidence",
        "note",
        "scored_by",
        "scored_at",
        "evidence",
    ])
    .map_err(io)?;
    for d in details {
        let a = &d.assessment;
        for s in &d.scores {
            let no = s.indicator.to_string();
            let evidence: Vec<String> = d
                .links
                .iter()
                .filter(|l| l.indicator == s.indicator)
                .map(|l| format!("{}:{}", l.kind.as_str(), l.target))
                .collect();
            w.write_record([
                a.id.to_string(),
                a.country.code().to_string(),
                a.situation.clone().unwrap_or_default(),
                a.assessed_on.to_string(),
                a.organisation.to_string(),
                a.visibility.as_str().to_string(),
                d.version.to_string(),
                d.signed_off().to_string(),
                no,
                s.indicator.factor.to_string(),
                indicator(s.indicator)
                    .map(|i| i.label_en.clone())
                    .unwrap_or_default(),
                s.score.as_word(),
                s.confidence.map(|c| c.as_str()).unwrap_or("").to_string(),
                s.note.clone().unwrap_or_default(),
                s.scored_by_label.clone(),
                s.scored_at.to_rfc3339(),
                evidence.join("; "),
            ])
            .map_err(io)?;
        }
    }
    w.flush()
        .map_err(|e| Failure::Other(format!("cannot write the CSV: {e}")))
}
