//! Possible duplicates: when an analyst creates an incident or links a report, incidents in the
//! same country that are near in time, near in space or similar in wording are offered, each
//! with the reasons it was offered.
use crate::incident::Incident;
use crate::Country;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashSet;

/// What is being compared against existing incidents.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    pub country: Country,
    pub date: NaiveDate,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub text: &'a str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DuplicateSuggestion {
    pub incident_id: crate::ids::IncidentId,
    pub code: String,
    pub title: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// How far either side of the probe's date candidates are looked for.
pub const WINDOW_DAYS: i64 = 7;
const NEAR_KM: f64 = 50.0;
const SIMILAR_TEXT: f64 = 0.25;

pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

fn trigrams(s: &str) -> HashSet<[char; 3]> {
    let mut set = HashSet::new();
    for word in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
    {
        let chars: Vec<char> = format!(" {} ", word.to_lowercase()).chars().collect();
        for w in chars.windows(3) {
            set.insert([w[0], w[1], w[2]]);
        }
    }
    set
}

/// Jaccard similarity of word trigrams: robust to typos and word order, cheap enough to run on
/// every candidate of a week's window.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    let (ta, tb) = (trigrams(a), trigrams(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let inter = ta.intersection(&tb).count() as f64;
    inter / (ta.len() + tb.len()) as f64 * 2.0
}

pub fn assess(probe: &Probe, incident: &Incident) -> Option<DuplicateSuggestion> {
    if incident.country != probe.country {
        return None;
    }
    let days = if probe.date < incident.date_start {
        (incident.date_start - probe.date).num_days()
    } else if probe.date > incident.date_end {
        (probe.date - incident.date_end).num_days()
    } else {
        0
    };
    if days > WINDOW_DAYS {
        return None;
    }
    let mut reasons = vec![format!("same country ({})", probe.country)];
    let mut score = 1.0 - days as f64 / (WINDOW_DAYS as f64 + 1.0);
    reasons.push(if days == 0 {
        "same dates".to_string()
    } else {
        format!("{days} day(s) apart")
    });
    let mut near = false;
    if let (Some(a), Some(b), Some(c), Some(d)) = (
        probe.latitude,
        probe.longitude,
        incident.latitude,
        incident.longitude,
    ) {
        let km = haversine_km(a, b, c, d);
        if km <= NEAR_KM {
            near = true;
            score += 1.0 - km / NEAR_KM;
            reasons.push(format!("{km:.1} km apart"));
        }
    }
    let incident_text = format!(
        "{} {} {}",
        incident.title,
        incident.summary.as_deref().unwrap_or(""),
        incident.place_name.as_deref().unwrap_or("")
    );
    let sim = text_similarity(probe.text, &incident_text);
    let similar = sim >= SIMILAR_TEXT;
    if similar {
        score += sim;
        reasons.push(format!("similar text ({:.0}%)", sim * 100.0));
    }
    if !(near || similar || days == 0) {
        return None;
    }
    Some(DuplicateSuggestion {
        incident_id: incident.id,
        code: incident.code.clone(),
        title: incident.title.clone(),
        score,
        reasons,
    })
}

/// The best few suggestions, strongest first.
pub fn suggest(probe: &Probe, candidates: &[Incident], max: usize) -> Vec<DuplicateSuggestion> {
    let mut out: Vec<DuplicateSuggestion> =
        candidates.iter().filter_map(|i| assess(probe, i)).collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(max);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_similarity() {
        let km = haversine_km(4.3612, 18.5550, 6.4926, 17.4526);
        assert!(
            (km - 266.0).abs() < 5.0,
            "Bangui-Bossangoa is about 266 km, got {km}"
        );
        assert!(text_similarity("attack on Bossangoa church", "Bossangoa church attacked") > 0.5);
        assert!(text_similarity("attack on Bossangoa church", "cattle raid in Vakaga") < 0.1);
    }
}
