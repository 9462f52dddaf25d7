//! The sections of an incident's page, as rows a template prints: its facts, acts, parties
//! and sources, each in the visitor's language.
use crate::ui::common::{text_or, when, Fact};
use crate::ui::i18n::Tr;
use kinga_app::records::IncidentDetail;
use kinga_domain::incident::Incident;
use kinga_domain::party::InvolvementRole;
use kinga_domain::vocab::{rome, ucdp, AtrocityCrime};

pub(super) struct ActRow {
    pub provision: String,
    pub crime: String,
    pub statute: String,
    pub victims: String,
    pub description: String,
}

pub(super) struct PartyRow {
    pub role: String,
    pub name: String,
    pub kind: String,
    pub degree: String,
    pub act: String,
    pub description: String,
}

pub(super) struct SourceRow {
    pub title: String,
    pub url: String,
    pub outlet: String,
    pub published_on: String,
    pub connection: String,
    pub grade: String,
    pub reference: String,
    pub note: String,
}

pub(super) struct ReportRow {
    pub id: String,
    pub occurred_on: String,
    pub excerpt: String,
    pub status: String,
}

pub(super) struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub explanation: String,
}

pub(super) fn crime_label(t: Tr, c: AtrocityCrime) -> String {
    t.word("crime", c.as_str())
}

pub(super) fn facts(t: Tr, i: &Incident, assignee: String, owner: String) -> Vec<Fact> {
    let dash = || "—".to_string();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(dash);
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_else(dash);
    let dates = if i.date_end == i.date_start {
        i.date_start.to_string()
    } else {
        format!("{} – {}", i.date_start, i.date_end)
    };
    let date_precision = format!(
        "{} — {}",
        i.date_precision,
        text_or(
            t,
            &format!("date_precision.{}", i.date_precision),
            ucdp::date_precision_meaning(i.date_precision).unwrap_or_default()
        )
    );
    let place_precision = i
        .place_precision
        .map(|p| {
            format!(
                "{p} — {}",
                text_or(
                    t,
                    &format!("place_precision.{p}"),
                    ucdp::place_precision_meaning(p).unwrap_or_default()
                )
            )
        })
        .unwrap_or_else(dash);
    let place = [
        i.place_name.as_deref(),
        i.admin2.as_deref(),
        i.admin1.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let mut out = vec![
        Fact::new(t.get("incident.code"), i.code.clone()),
        Fact::new(
            t.get("common.country"),
            format!("{} ({})", i.country.name(), i.country.code()),
        ),
        Fact::new(t.get("incident.date"), dates),
        Fact::new(t.get("incident.date_precision"), date_precision),
        Fact::new(
            t.get("incident.place"),
            if place.is_empty() { dash() } else { place },
        ),
    ];
    if let (Some(lat), Some(lon)) = (i.latitude, i.longitude) {
        out.push(Fact::new(
            t.get("common.coordinates"),
            format!("{lat}, {lon}"),
        ));
    }
    out.extend([
        Fact::new(t.get("incident.place_precision"), place_precision),
        Fact::new(t.get("incident.event_type"), opt(&i.event_type)),
        Fact::new(t.get("incident.sub_event_type"), opt(&i.sub_event_type)),
        Fact::new(
            t.get("incident.violence_type"),
            i.violence_type
                .map(|v| t.word("violence", v.as_str()))
                .unwrap_or_else(dash),
        ),
        Fact::new(
            t.get("incident.crimes"),
            if i.crimes.is_empty() {
                dash()
            } else {
                i.crimes
                    .iter()
                    .map(|c| crime_label(t, *c))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        Fact::new(t.get("incident.fatalities_best"), num(i.fatalities.best)),
        Fact::new(t.get("incident.fatalities_low"), num(i.fatalities.low)),
        Fact::new(t.get("incident.fatalities_high"), num(i.fatalities.high)),
        Fact::new(
            t.get("incident.fatalities_civilians"),
            num(i.fatalities.civilians),
        ),
        Fact::new(
            t.get("incident.status"),
            t.word("status", i.status.as_str()),
        ),
        Fact::new(
            t.get("incident.verification_level"),
            t.word("verification", i.verification_level.as_str()),
        ),
        Fact::new(t.get("incident.assignee"), assignee),
        Fact::new(t.get("common.organisation"), owner),
        Fact::new(
            t.get("common.visibility"),
            t.word("visibility", i.visibility.as_str()),
        ),
        Fact::new(t.get("incident.external_ref"), opt(&i.external_ref)),
        Fact::new(t.get("incident.updated_at"), when(i.updated_at)),
    ]);
    out
}

pub(super) fn acts(t: Tr, d: &IncidentDetail) -> Vec<ActRow> {
    d.acts
        .iter()
        .map(|a| ActRow {
            provision: a.provision.clone(),
            crime: crime_label(t, a.crime),
            statute: rome::by_provision(&a.provision)
                .map(|r| r.text.clone())
                .unwrap_or_default(),
            victims: match (&a.victim_description, a.victim_count) {
                (Some(d), Some(n)) => format!("{d} ({n})"),
                (Some(d), None) => d.clone(),
                (None, Some(n)) => n.to_string(),
                (None, None) => String::new(),
            },
            description: a.description.clone().unwrap_or_default(),
        })
        .collect()
}

/// Perpetrators first, then victims, then everyone else, as legal readers look for them.
pub(super) fn parties(t: Tr, d: &IncidentDetail) -> Vec<PartyRow> {
    let mut rows: Vec<(usize, PartyRow)> = d
        .involvements
        .iter()
        .map(|pi| {
            let role = pi.involvement.role;
            let rank = InvolvementRole::ALL
                .iter()
                .position(|r| *r == role)
                .unwrap_or(usize::MAX);
            let act = pi
                .involvement
                .act_id
                .and_then(|a| d.acts.iter().find(|x| x.id == a))
                .map(|a| a.provision.clone())
                .unwrap_or_default();
            let row = PartyRow {
                role: t.word("involvement", role.as_str()),
                name: pi.party.name.clone(),
                kind: t.word("party_kind", pi.party.kind.as_str()),
                degree: pi.involvement.degree.clone().unwrap_or_default(),
                act,
                description: pi.party.description.clone().unwrap_or_default(),
            };
            (rank, row)
        })
        .collect();
    rows.sort_by_key(|(rank, _)| *rank);
    rows.into_iter().map(|(_, r)| r).collect()
}

pub(super) fn sources(t: Tr, d: &IncidentDetail) -> Vec<SourceRow> {
    d.citations
        .iter()
        .map(|cs| {
            let s = &cs.source;
            SourceRow {
                title: s.title.clone(),
                url: s.url.clone().unwrap_or_default(),
                outlet: s.outlet.clone().unwrap_or_default(),
                published_on: s.published_on.map(|d| d.to_string()).unwrap_or_default(),
                connection: t.word("connection", s.connection.as_str()),
                grade: format!(
                    "{}{}",
                    s.reliability.map(String::from).unwrap_or_default(),
                    s.credibility.map(|c| c.to_string()).unwrap_or_default()
                ),
                reference: cs.citation.reference.clone().unwrap_or_default(),
                note: cs.citation.note.clone().unwrap_or_default(),
            }
        })
        .collect()
}
