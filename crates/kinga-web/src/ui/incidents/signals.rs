//! The escalation signals of an incident's region around its dates, beside the incident: was
//! the violence it documents part of a build-up the detectors saw?
use crate::api::signals::{around_incident, incident_window};
use crate::ui::common::{problem, query};
use crate::ui::i18n::Tr;
use crate::ui::session::Page;
use kinga_domain::incident::Incident;

pub(super) struct SignalRow {
    pub period: String,
    pub region: String,
    pub method: String,
    pub observed: String,
    pub expected: String,
    pub score: String,
}

/// What the incident page shows of its region's signals.
#[derive(Default)]
pub(super) struct RegionSignals {
    pub rows: Vec<SignalRow>,
    /// The window, in words.
    pub window: String,
    /// The signals page filtered to the region and window.
    pub link: String,
    /// Why the signals could not be read, if they could not.
    pub problem: String,
}

pub(super) async fn region_signals(t: Tr, page: &Page, i: &Incident) -> RegionSignals {
    let (from, to) = incident_window(i);
    let (from, to) = (from.to_string(), to.to_string());
    let mut pairs = vec![("country", i.country.code())];
    if let Some(a) = &i.admin1 {
        pairs.push(("admin1", a.as_str()));
    }
    pairs.push(("from", &from));
    pairs.push(("to", &to));
    let mut out = RegionSignals {
        window: t.get("incident.signals.window").to_string(),
        link: format!("/signals?{}", query(&pairs)),
        ..RegionSignals::default()
    };
    match around_incident(&page.member, i).await {
        Ok(signals) => {
            out.rows = signals
                .iter()
                .map(|s| SignalRow {
                    period: format!(
                        "{} ({})",
                        s.period_start,
                        t.word("signals.period", s.period.as_str())
                    ),
                    region: s
                        .admin1
                        .clone()
                        .unwrap_or_else(|| s.country.name().to_string()),
                    method: t.word("signals.method", &s.method),
                    observed: format!("{:.0}", s.observed),
                    expected: format!("{:.1}", s.expected),
                    score: format!("{:.2}", s.score),
                })
                .collect();
        }
        Err(e) => out.problem = problem(t, e).message,
    }
    out
}
