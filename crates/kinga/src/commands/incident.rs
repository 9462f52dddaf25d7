//! `kinga incident cite`: the events an incident cites, from the command line. Whoever runs it
//! holds the database, so it acts for the organisation that owns the incident (recorded in the
//! audit chain as `system:incident-cite` on its behalf) and sees the events that organisation
//! may see: shared datasets and its own licensed rows.
use crate::cli::{Db, Format};
use crate::Failure;
use clap::Subcommand;
use kinga_app::records::{
    CitedEvent, EventRef, EventSummary, NewEventCitation, StoreError, SuggestedEvent,
    SuggestionWindow,
};
use kinga_app::AccessError;
use kinga_domain::incident::Incident;
use serde_json::json;

#[derive(Subcommand)]
pub(crate) enum IncidentAction {
    /// Cite an event (a row of an imported dataset) on an incident, list what it cites,
    /// suggest candidates, or remove a citation.
    #[command(
        after_help = "The event is named DATASET:EXTERNAL_ID, as in the dataset (ucdp-ged:36210, acled:CEN1234).\n\nExamples:\n  kinga incident cite --incident CAF-2013-000042 --event ucdp-ged:36210 --note 'Same village and day'\n  kinga incident cite --incident CAF-2013-000042 --list\n  kinga incident cite --incident CAF-2013-000042 --suggest --days 7 --format json\n  kinga incident cite --incident CAF-2013-000042 --remove --event ucdp-ged:36210"
    )]
    Cite {
        #[command(flatten)]
        db: Db,
        /// The incident: its id or its code (CAF-2013-000042).
        #[arg(long)]
        incident: String,
        /// The event to cite or remove, DATASET:EXTERNAL_ID.
        #[arg(long, required_unless_present_any = ["list", "suggest"])]
        event: Option<String>,
        /// Why this event is the incident's (kept with the citation).
        #[arg(long, conflicts_with_all = ["list", "suggest", "remove"])]
        note: Option<String>,
        /// List the events the incident cites.
        #[arg(long, conflicts_with_all = ["event", "suggest", "remove"])]
        list: bool,
        /// Suggest events of the incident's region near its dates that it does not cite yet.
        #[arg(long, conflicts_with_all = ["event", "remove"])]
        suggest: bool,
        /// Days around the incident's dates for --suggest (0 to 365).
        #[arg(long, default_value_t = 3, requires = "suggest")]
        days: u32,
        /// Remove the citation of --event.
        #[arg(long, requires = "event")]
        remove: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub(crate) async fn run(action: IncidentAction) -> Result<(), Failure> {
    match action {
        IncidentAction::Cite {
            db,
            incident,
            event,
            note,
            list,
            suggest,
            days,
            remove,
            format,
        } => {
            let event = event
                .map(|e| {
                    e.parse::<EventRef>()
                        .map_err(|why| Failure::Input(format!("--event: {why}")))
                })
                .transpose()?;
            if days > SuggestionWindow::MAX_DAYS {
                return Err(Failure::Input(format!(
                    "--days: {days} is more than {} days",
                    SuggestionWindow::MAX_DAYS
                )));
            }
            let system = super::system(&db, "incident-cite").await?;
            let inc = super::evidence::resolve_incident(&system, &incident).await?;
            let desk = system.owners_desk(&inc).await?;
            match (event, list, suggest, remove) {
                (_, true, _, _) => {
                    let cited = desk.cited_events(inc.id).await?;
                    print_cited(&inc, &cited, format);
                }
                (_, _, true, _) => {
                    let window = SuggestionWindow { days, limit: 50 };
                    let found = desk.event_suggestions(inc.id, window).await?;
                    print_suggested(&inc, days, &found, format);
                }
                (Some(event), _, _, true) => {
                    desk.uncite_event(inc.id, &event)
                        .await
                        .map_err(|e| match e {
                            AccessError::Store(StoreError::NotFound) => Failure::Input(format!(
                                "--event: {} does not cite {event}",
                                inc.code
                            )),
                            other => other.into(),
                        })?;
                    println!("{} no longer cites {event}", inc.code);
                }
                (Some(event), _, _, false) => {
                    let cited = desk
                        .cite_event(inc.id, NewEventCitation { event, note })
                        .await
                        .map_err(|e| match e {
                            AccessError::Store(StoreError::Invalid(v)) => Failure::Input(
                                v.errors
                                    .iter()
                                    .map(|f| {
                                        format!(
                                            "--{}: {}",
                                            f.path.trim_start_matches("$."),
                                            f.message
                                        )
                                    })
                                    .collect::<Vec<_>>()
                                    .join("; "),
                            ),
                            other => other.into(),
                        })?;
                    match format {
                        Format::Json => println!("{}", json!(cited)),
                        Format::Table => println!(
                            "{} cites {}: {}",
                            inc.code,
                            cited.citation.event,
                            describe(&cited.event)
                        ),
                    }
                }
                (None, false, false, _) => {
                    return Err(Failure::Input(
                        "give --event, --list or --suggest (see kinga incident cite --help)".into(),
                    ))
                }
            }
            Ok(())
        }
    }
}

fn describe(e: &EventSummary) -> String {
    let place = [e.place_name.as_deref(), e.admin1.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let deaths = e
        .fatalities
        .best
        .map(|b| format!("{b} deaths"))
        .unwrap_or_else(|| "deaths unknown".into());
    let dates = if e.date_start == e.date_end {
        e.date_start.to_string()
    } else {
        format!("{}..{}", e.date_start, e.date_end)
    };
    format!("{dates}, {}, {place}, {deaths}", e.country.code())
}

fn print_cited(inc: &Incident, cited: &[CitedEvent], format: Format) {
    match format {
        Format::Json => println!("{}", json!(cited)),
        Format::Table => {
            if cited.is_empty() {
                println!("{} cites no event", inc.code);
                return;
            }
            println!("{:<28} {:<60} cited by / note", "event", "what");
            for c in cited {
                println!(
                    "{:<28} {:<60} {}{}",
                    c.citation.event.to_string(),
                    describe(&c.event),
                    c.citation.cited_by,
                    c.citation
                        .note
                        .as_deref()
                        .map(|n| format!(" / {n}"))
                        .unwrap_or_default()
                );
            }
        }
    }
}

fn print_suggested(inc: &Incident, days: u32, found: &[SuggestedEvent], format: Format) {
    match format {
        Format::Json => println!("{}", json!(found)),
        Format::Table => {
            if found.is_empty() {
                println!(
                    "no event of {}'s region within {days} days of its dates that it does not cite yet",
                    inc.code
                );
                return;
            }
            println!("{:<28} {:>10} what", "event", "days apart");
            for s in found {
                println!(
                    "{:<28} {:>10} {}",
                    s.event.reference().to_string(),
                    s.days_apart,
                    describe(&s.event)
                );
            }
        }
    }
}
