//! The events an incident cites, in SQL. Event rows are read with this module's own column list
//! (the event importer owns the events table's writes). Whether a reader sees a citation is
//! decided in the query: the incident must be visible to them, and so must the event.
use crate::audited::Audited;
use crate::change::Change;
use crate::columns::{qualified, renamed};
use crate::marks::placeholders;
use crate::records::{self, timestamp, INCIDENT_COLUMNS};
use crate::scope::visible;
use crate::value::Args;
use crate::{Chain, Engine, SqlRow, SqlStore, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use kinga_domain::audit::digest;
use kinga_domain::event::{new_batch_id, Dataset};
use kinga_domain::ids::IncidentId;
use kinga_domain::incident::{Fatalities, Incident};
use kinga_domain::org::Slug;
use kinga_domain::time::day_number;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::{Country, ValidationErrors};
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{
    CitedEvent, CitingIncident, EventCitation, EventRef, EventSummary, NewEventCitation,
    SuggestedEvent, SuggestionWindow, NOTE_MAX,
};
use serde::Serialize;

const LINK_COLUMNS: &str = "id, incident_id, country, dataset, external_id, note, cited_by_label, cited_at, event_owner, organisation_id, cited_by";

/// The event columns a summary is read from.
const EVENT_COLUMNS: &str = "dataset, external_id, date_start, date_end, country, admin1, admin2, place_name, violence_type, event_type, civilian_targeting, actor1, actor2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilians, source";

/// Where a citation joined with its event keeps the event: both have a country, a dataset and
/// an external id.
const EVENT_PART: &str = "event__";

fn corrupt(table: &'static str, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.into(),
    }
}

fn count(v: Option<i64>) -> Result<Option<u32>> {
    v.map(|v| u32::try_from(v).map_err(|_| corrupt("events", format!("fatalities {v}"))))
        .transpose()
}

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt("events", format!("date {s}")))
}

fn summary(r: &SqlRow) -> Result<EventSummary> {
    let violence_type = match r.opt_text("violence_type")? {
        None => None,
        Some(v) => Some(
            ViolenceType::parse(&v).ok_or_else(|| corrupt("events", format!("violence {v}")))?,
        ),
    };
    Ok(EventSummary {
        dataset: r
            .text("dataset")?
            .parse()
            .map_err(|e| corrupt("events", e))?,
        external_id: r.text("external_id")?,
        date_start: day(&r.text("date_start")?)?,
        date_end: day(&r.text("date_end")?)?,
        country: Country::parse(&r.text("country")?)
            .map_err(|e| corrupt("events", e.to_string()))?,
        admin1: r.opt_text("admin1")?,
        admin2: r.opt_text("admin2")?,
        place_name: r.opt_text("place_name")?,
        violence_type,
        event_type: r.opt_text("event_type")?,
        civilian_targeting: r.int("civilian_targeting")? != 0,
        actor1: r.opt_text("actor1")?,
        actor2: r.opt_text("actor2")?,
        fatalities: Fatalities {
            best: count(r.opt_int("fatalities_best")?)?,
            low: count(r.opt_int("fatalities_low")?)?,
            high: count(r.opt_int("fatalities_high")?)?,
            civilians: count(r.opt_int("fatalities_civilians")?)?,
        },
        source: r.opt_text("source")?,
    })
}

/// A stored citation, with what the row holds beyond the public record.
struct Stored {
    citation: EventCitation,
    event_owner: String,
    organisation_id: String,
    cited_by_user: Option<String>,
}

/// What a citation's audit entry vouches for: every stored column.
#[derive(Serialize)]
struct LinkRecord<'a> {
    citation: &'a EventCitation,
    event_owner: &'a str,
    organisation_id: &'a str,
    cited_by_user: Option<&'a str>,
}

impl Stored {
    fn digest(&self) -> String {
        digest(&LinkRecord {
            citation: &self.citation,
            event_owner: &self.event_owner,
            organisation_id: &self.organisation_id,
            cited_by_user: self.cited_by_user.as_deref(),
        })
    }
}

fn link(r: &SqlRow) -> Result<Stored> {
    let bad = |d: String| corrupt("incident_events", d);
    let incident_id = r.text("incident_id")?;
    let dataset = r.text("dataset")?;
    let cited_at = r.text("cited_at")?;
    Ok(Stored {
        citation: EventCitation {
            id: r.text("id")?,
            incident_id: incident_id
                .parse()
                .map_err(|_| bad(format!("incident_id {incident_id}")))?,
            country: Country::parse(&r.text("country")?).map_err(|e| bad(e.to_string()))?,
            event: EventRef {
                dataset: dataset
                    .parse::<Dataset>()
                    .map_err(|_| bad(format!("dataset {dataset}")))?,
                external_id: r.text("external_id")?,
            },
            note: r.opt_text("note")?,
            cited_by: r.text("cited_by_label")?,
            cited_at: DateTime::parse_from_rfc3339(&cited_at)
                .map_err(|_| bad(format!("cited_at {cited_at}")))?
                .with_timezone(&Utc),
        },
        event_owner: r.text("event_owner")?,
        organisation_id: r.text("organisation_id")?,
        cited_by_user: r.opt_text("cited_by")?,
    })
}

/// Events the reader may see: shared datasets, and the licensed rows of the reader's own
/// organisation.
fn event_visible(scope: &Scope, args: &mut Args) -> String {
    if scope.everything {
        return "1 = 1".into();
    }
    match scope.organisation_id {
        Some(org) => format!("(e.owner = '' OR e.owner = {})", args.push(org.to_string())),
        None => "e.owner = ''".into(),
    }
}

async fn incident_in(
    fetch: impl std::future::Future<Output = Result<Vec<SqlRow>>>,
) -> Result<Incident> {
    fetch
        .await?
        .first()
        .map(records::incident)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

fn incident_query(scope: &Scope, id: IncidentId) -> (String, Args) {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible(scope, "", &mut args);
    (
        format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = {p} AND {vis}"),
        args,
    )
}

async fn visible_incident<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    id: IncidentId,
) -> Result<Incident> {
    let (sql, args) = incident_query(scope, id);
    incident_in(store.engine.fetch(&sql, args.0)).await
}

/// Citing is coding: for the organisation that owns the incident.
async fn editable(
    tx: &mut dyn Tx,
    actor: &Actor,
    scope: &Scope,
    id: IncidentId,
) -> Result<Incident> {
    let (sql, args) = incident_query(scope, id);
    let incident = incident_in(tx.fetch(&sql, args.0)).await?;
    if actor.organisation_id != Some(incident.organisation_id) {
        return Err(StoreError::Rule(
            "only the organisation that owns an incident may cite events on it".into(),
        ));
    }
    Ok(incident)
}

fn invalid_event(message: String) -> StoreError {
    StoreError::Invalid(ValidationErrors::single("$.event", message))
}

pub async fn cite<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    incident: IncidentId,
    new: NewEventCitation,
) -> Result<CitedEvent> {
    let note = new
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(StoreError::Invalid(ValidationErrors::single(
            "$.note",
            format!("is longer than {NOTE_MAX} characters"),
        )));
    }
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let inc = editable(tx, &actor, &scope, incident).await?;
                cite_in(tx, chain, &actor, &scope, &inc, new.event, note).await
            })
        })
        .await
}

async fn cite_in(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    scope: &Scope,
    inc: &Incident,
    event: EventRef,
    note: Option<String>,
) -> Result<CitedEvent> {
    let mut args = Args::new();
    let d = args.push(event.dataset.as_str());
    let x = args.push(event.external_id.as_str());
    let vis = event_visible(scope, &mut args);
    let rows = tx
        .fetch(
            &format!(
                "SELECT {}, e.owner FROM events e WHERE e.dataset = {d} AND e.external_id = {x} AND {vis} ORDER BY e.owner",
                qualified(EVENT_COLUMNS, "e.")
            ),
            args.0,
        )
        .await?;
    let Some(row) = rows.first() else {
        return Err(invalid_event(format!(
            "there is no event {event} that your organisation may see"
        )));
    };
    let summary = summary(row)?;
    let owner = row.text("owner")?;
    if summary.country != inc.country {
        return Err(invalid_event(format!(
            "event {event} happened in {}, incident {} in {}: an incident cites events of its own country",
            summary.country.code(),
            inc.code,
            inc.country.code()
        )));
    }
    let already = tx
        .fetch(
            "SELECT 1 FROM incident_events WHERE country = $1 AND incident_id = $2 AND dataset = $3 AND event_owner = $4 AND external_id = $5",
            vec![
                inc.country.code().into(),
                inc.id.to_string().into(),
                event.dataset.as_str().into(),
                owner.clone().into(),
                event.external_id.clone().into(),
            ],
        )
        .await?;
    if !already.is_empty() {
        return Err(StoreError::Conflict(format!(
            "incident {} already cites event {event}",
            inc.code
        )));
    }
    let stored = Stored {
        citation: EventCitation {
            id: new_batch_id(),
            incident_id: inc.id,
            country: inc.country,
            event,
            note,
            cited_by: actor.label.clone(),
            cited_at: kinga_domain::time::now(),
        },
        event_owner: owner,
        organisation_id: inc.organisation_id.to_string(),
        cited_by_user: actor.user_id.map(|u| u.to_string()),
    };
    insert(tx, chain, actor, &stored, &inc.code).await?;
    Ok(CitedEvent {
        citation: stored.citation,
        event: summary,
    })
}

/// Stores a citation with its audit entry.
async fn insert(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    stored: &Stored,
    code: &str,
) -> Result<()> {
    let c = &stored.citation;
    tx.execute(
        &format!(
            "INSERT INTO incident_events ({LINK_COLUMNS}) VALUES ({})",
            placeholders(1, LINK_COLUMNS.split(", ").count())
        ),
        vec![
            c.id.clone().into(),
            c.incident_id.to_string().into(),
            c.country.code().into(),
            c.event.dataset.as_str().into(),
            c.event.external_id.clone().into(),
            c.note.clone().into(),
            c.cited_by.clone().into(),
            timestamp(&c.cited_at).into(),
            stored.event_owner.clone().into(),
            stored.organisation_id.clone().into(),
            stored.cited_by_user.clone().into(),
        ],
    )
    .await?;
    chain
        .record(
            tx,
            actor,
            Change::of(c, "cite")
                .after(stored.digest())
                .explained(format!("{code} cites {}", c.event)),
        )
        .await?;
    Ok(())
}

pub async fn uncite<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    incident: IncidentId,
    event: &EventRef,
) -> Result<EventCitation> {
    let (actor, scope, event) = (actor.clone(), scope.clone(), event.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let inc = editable(tx, &actor, &scope, incident).await?;
                let mut args = Args::new();
                let country = args.push(inc.country.code());
                let id = args.push(inc.id.to_string());
                let d = args.push(event.dataset.as_str());
                let x = args.push(event.external_id.as_str());
                // The citing organisation's own view: it may remove a citation of its licensed
                // row, never learn of another's.
                let owner = match scope.organisation_id {
                    Some(org) if !scope.everything => format!(
                        "(event_owner = '' OR event_owner = {})",
                        args.push(org.to_string())
                    ),
                    _ => "1 = 1".into(),
                };
                let rows = tx
                    .fetch(
                        &format!(
                            "SELECT {LINK_COLUMNS} FROM incident_events WHERE country = {country} AND incident_id = {id} AND dataset = {d} AND external_id = {x} AND {owner}"
                        ),
                        args.0,
                    )
                    .await?;
                let stored = rows
                    .first()
                    .map(link)
                    .transpose()?
                    .ok_or(StoreError::NotFound)?;
                tx.execute(
                    "DELETE FROM incident_events WHERE country = $1 AND id = $2",
                    vec![
                        inc.country.code().into(),
                        stored.citation.id.clone().into(),
                    ],
                )
                .await?;
                let explanation =
                    format!("{} no longer cites {}", inc.code, stored.citation.event);
                chain
                    .record(
                        tx,
                        &actor,
                        Change::of(&stored.citation, "uncite")
                            .before(stored.digest())
                            .explained(explanation),
                    )
                    .await?;
                Ok(stored.citation)
            })
        })
        .await
}

pub async fn cited<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    incident: IncidentId,
) -> Result<Vec<CitedEvent>> {
    let inc = visible_incident(store, scope, incident).await?;
    let mut args = Args::new();
    let country = args.push(inc.country.code());
    let id = args.push(inc.id.to_string());
    let vis = event_visible(scope, &mut args);
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {}, {} FROM incident_events l JOIN events e ON e.country = l.country AND e.dataset = l.dataset AND e.owner = l.event_owner AND e.external_id = l.external_id WHERE l.country = {country} AND l.incident_id = {id} AND {vis} ORDER BY l.cited_at, l.id",
                qualified(LINK_COLUMNS, "l."),
                renamed(EVENT_COLUMNS, "e.", EVENT_PART)
            ),
            args.0,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CitedEvent {
                citation: link(r)?.citation,
                event: summary(&r.part(EVENT_PART))?,
            })
        })
        .collect()
}

pub async fn citing<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    event: &EventRef,
) -> Result<Vec<CitingIncident>> {
    let mut args = Args::new();
    let d = args.push(event.dataset.as_str());
    let x = args.push(event.external_id.as_str());
    let evis = event_visible(scope, &mut args);
    let owners = store
        .engine
        .fetch(
            &format!(
                "SELECT e.owner FROM events e WHERE e.dataset = {d} AND e.external_id = {x} AND {evis}"
            ),
            args.0,
        )
        .await?;
    if owners.is_empty() {
        return Err(StoreError::NotFound);
    }
    let mut out = Vec::new();
    for owner in owners {
        let mut args = Args::new();
        let d = args.push(event.dataset.as_str());
        let x = args.push(event.external_id.as_str());
        let o = args.push(owner.text("owner")?);
        let vis = visible(scope, "i.", &mut args);
        let rows = store
            .engine
            .fetch(
                &format!(
                    "SELECT {}, i.code, i.title, i.org_slug FROM incident_events l JOIN incidents i ON i.country = l.country AND i.id = l.incident_id WHERE l.dataset = {d} AND l.external_id = {x} AND l.event_owner = {o} AND {vis} ORDER BY l.cited_at, l.id",
                    qualified(LINK_COLUMNS, "l.")
                ),
                args.0,
            )
            .await?;
        for r in &rows {
            let slug = r.text("org_slug")?;
            out.push(CitingIncident {
                citation: link(r)?.citation,
                code: r.text("code")?,
                title: r.text("title")?,
                organisation: Slug::parse(&slug)
                    .map_err(|_| corrupt("incidents", format!("org_slug {slug}")))?,
            });
        }
    }
    Ok(out)
}

pub async fn suggestions<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    incident: IncidentId,
    window: SuggestionWindow,
) -> Result<Vec<SuggestedEvent>> {
    if window.days > SuggestionWindow::MAX_DAYS {
        return Err(StoreError::Invalid(ValidationErrors::single(
            "$.days",
            format!("must be at most {}", SuggestionWindow::MAX_DAYS),
        )));
    }
    let inc = visible_incident(store, scope, incident).await?;
    let days = i64::from(window.days);
    let (start, end) = (day_number(inc.date_start), day_number(inc.date_end));
    let mut args = Args::new();
    // Days apart: 0 when the event's dates overlap the incident's, else the gap between them.
    let apart = format!(
        "CASE WHEN e.day > {end_a} THEN e.day - {end_b} WHEN e.end_day < {start_a} THEN {start_b} - e.end_day ELSE 0 END",
        end_a = args.push(end),
        end_b = args.push(end),
        start_a = args.push(start),
        start_b = args.push(start),
    );
    let mut conds = vec![
        format!("e.country = {}", args.push(inc.country.code())),
        format!("e.day <= {}", args.push(end + days)),
        format!("e.end_day >= {}", args.push(start - days)),
        format!("e.dataset <> {}", args.push(Dataset::Gdelt.as_str())),
        event_visible(scope, &mut args),
    ];
    // A lower bound on the indexed start day, so the region's whole history is not read: no
    // event of the datasets Kinga imports spans more than a year (UCDP's coarsest precision).
    conds.push(format!("e.day >= {}", args.push(start - days - 731)));
    if let Some(a) = &inc.admin1 {
        conds.push(format!(
            "LOWER(e.admin1) = LOWER({})",
            args.push(a.as_str())
        ));
    }
    let l_country = args.push(inc.country.code());
    let l_incident = args.push(inc.id.to_string());
    conds.push(format!(
        "NOT EXISTS (SELECT 1 FROM incident_events l WHERE l.country = {l_country} AND l.incident_id = {l_incident} AND l.dataset = e.dataset AND l.event_owner = e.owner AND l.external_id = e.external_id)"
    ));
    let limit = args.push(i64::from(window.limit.clamp(1, 200)));
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {}, {apart} AS apart FROM events e WHERE {} ORDER BY apart, COALESCE(e.fatalities_best, -1) DESC, e.dataset, e.external_id LIMIT {limit}",
                qualified(EVENT_COLUMNS, "e."),
                conds.join(" AND ")
            ),
            args.0,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SuggestedEvent {
                event: summary(r)?,
                days_apart: r.int("apart")?,
            })
        })
        .collect()
}

/// Every stored citation with the digest of what it holds now, for verification.
pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan(store, "incident_events", LINK_COLUMNS, records, |r| {
        let s = link(r)?;
        Ok((EventCitation::ENTITY, s.citation.id.clone(), s.digest()))
    })
    .await
}

pub async fn cite_matching<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    dataset: &Dataset,
) -> Result<u64> {
    let Some(org) = actor.organisation_id else {
        return Err(StoreError::Rule(
            "events are cited on behalf of an organisation".into(),
        ));
    };
    let (actor, dataset) = (actor.clone(), dataset.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let prefix = format!("{}:", dataset.as_str());
                let rows = tx
                    .fetch(
                        "SELECT i.country, i.id, i.code, e.owner, e.external_id FROM incidents i JOIN events e ON e.country = i.country AND e.dataset = $1 AND i.external_ref = $2 || e.external_id WHERE i.organisation_id = $3 AND (e.owner = '' OR e.owner = $4) AND NOT EXISTS (SELECT 1 FROM incident_events l WHERE l.country = i.country AND l.incident_id = i.id AND l.dataset = e.dataset AND l.event_owner = e.owner AND l.external_id = e.external_id) ORDER BY i.id",
                        vec![
                            dataset.as_str().into(),
                            prefix.into(),
                            org.to_string().into(),
                            org.to_string().into(),
                        ],
                    )
                    .await?;
                let now = kinga_domain::time::now();
                let mut added = 0u64;
                for r in &rows {
                    let country = r.text("country")?;
                    let incident_id = r.text("id")?;
                    let stored = Stored {
                        citation: EventCitation {
                            id: new_batch_id(),
                            incident_id: incident_id
                                .parse()
                                .map_err(|_| corrupt("incidents", format!("id {incident_id}")))?,
                            country: Country::parse(&country)
                                .map_err(|e| corrupt("incidents", e.to_string()))?,
                            event: EventRef {
                                dataset: dataset.clone(),
                                external_id: r.text("external_id")?,
                            },
                            note: None,
                            cited_by: actor.label.clone(),
                            cited_at: now,
                        },
                        event_owner: r.text("owner")?,
                        organisation_id: org.to_string(),
                        cited_by_user: actor.user_id.map(|u| u.to_string()),
                    };
                    insert(tx, chain, &actor, &stored, &r.text("code")?).await?;
                    added += 1;
                }
                Ok(added)
            })
        })
        .await
}

#[async_trait::async_trait]
impl<E: Engine> kinga_store::IncidentEventStore for SqlStore<E> {
    async fn cite_event(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewEventCitation,
    ) -> Result<CitedEvent> {
        cite(self, actor, scope, incident, new).await
    }
    async fn uncite_event(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        event: &EventRef,
    ) -> Result<EventCitation> {
        uncite(self, actor, scope, incident, event).await
    }
    async fn cited_events(&self, scope: &Scope, incident: IncidentId) -> Result<Vec<CitedEvent>> {
        cited(self, scope, incident).await
    }
    async fn incidents_citing(
        &self,
        scope: &Scope,
        event: &EventRef,
    ) -> Result<Vec<CitingIncident>> {
        citing(self, scope, event).await
    }
    async fn event_suggestions(
        &self,
        scope: &Scope,
        incident: IncidentId,
        window: SuggestionWindow,
    ) -> Result<Vec<SuggestedEvent>> {
        suggestions(self, scope, incident, window).await
    }
    async fn cite_matching_events(&self, actor: &Actor, dataset: &Dataset) -> Result<u64> {
        cite_matching(self, actor, dataset).await
    }
}
