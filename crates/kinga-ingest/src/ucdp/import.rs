//! Turns a GED event into the incident, perpetrator, source and citation Kinga stores.
use super::event::GedEvent;
use super::values;
use super::GED_VERSION;
use kinga_domain::incident::ImportedIncident;
use kinga_domain::incident::{Fatalities, NewIncident, VerificationLevel};
use kinga_domain::party::{NewParty, PartyKind};
use kinga_domain::source::{NewSource, SourceConnection};
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Visibility;

// The limits `NewIncident::parse` and `NewSource::parse` put on hand-entered records; imports
// keep to them so an imported record can be edited and saved back through the same forms.
const TITLE_MAX: usize = 300;
const SUMMARY_MAX: usize = 20_000;
const SOURCE_TITLE_MAX: usize = 500;
const OUTLET_MAX: usize = 300;
const ADMIN_MAX: usize = 200;
const PLACE_MAX: usize = 500;
const PARTY_NAME_MAX: usize = 300;

/// ACLED interaction code 1: state forces. UCDP names every government side "Government of …".
const ACLED_STATE_FORCES: u8 = 1;

/// UCDP's own names for its three types of organised violence.
fn type_label(t: ViolenceType) -> &'static str {
    match t {
        ViolenceType::StateBased => "State-based conflict",
        ViolenceType::NonState => "Non-state conflict",
        ViolenceType::OneSided => "One-sided violence",
    }
}

impl GedEvent {
    /// The external key shared by the incident and its source, so a re-import finds both.
    pub fn external_ref(&self) -> String {
        format!("ucdp-ged:{}", self.id)
    }

    /// Builds the records an import stores. UCDP GED is published data, so the demo passes
    /// `Visibility::Public`; a network importing it for internal work may choose narrower.
    pub fn into_imported(self, visibility: Visibility) -> ImportedIncident {
        let place = self
            .where_description
            .as_deref()
            .or(self.adm_1.as_deref())
            .unwrap_or(self.country.name());
        let title = clip(
            &format!(
                "{}: {} — {place}",
                type_label(self.type_of_violence),
                self.dyad_name
            ),
            TITLE_MAX,
        );
        let incident = NewIncident {
            country: self.country,
            visibility,
            title,
            summary: Some(clip(&self.summary(), SUMMARY_MAX)),
            date_start: self.date_start,
            date_end: self.date_end,
            date_precision: self.date_prec,
            // Kept as UCDP writes them ("Ouaka province"): the suffix is not always a label to
            // strip ("Northern province", "North Eastern province" are names), and an analyst
            // filtering by admin1 should meet the spelling the dataset's users know.
            admin1: self.adm_1.as_deref().map(|a| clip(a, ADMIN_MAX)),
            admin2: self.adm_2.as_deref().map(|a| clip(a, ADMIN_MAX)),
            place_name: self
                .where_description
                .as_deref()
                .map(|p| clip(p, PLACE_MAX)),
            latitude: Some(self.latitude),
            longitude: Some(self.longitude),
            place_precision: Some(self.where_prec),
            event_type: None,
            sub_event_type: None,
            violence_type: Some(self.type_of_violence),
            // UCDP counts deaths in organised violence; whether an event is a war crime, a crime
            // against humanity or genocide is a legal qualification an analyst makes, never the
            // importer.
            crimes: Vec::new(),
            fatalities: Fatalities {
                best: Some(self.best),
                low: Some(self.low),
                high: Some(self.high),
                civilians: Some(self.deaths_civilians),
            },
            verification_level: match self.number_of_sources {
                Some(n) if n >= 2 => VerificationLevel::Corroborated,
                _ => VerificationLevel::SingleSource,
            },
            external_ref: Some(self.external_ref()),
        };
        ImportedIncident {
            perpetrators: vec![self.side_a_party(visibility)],
            source: Some(self.source(visibility)),
            citation_reference: Some(self.citation_reference()),
            incident,
        }
    }

    fn summary(&self) -> String {
        let mut lines = vec![
            format!("Conflict: {}", self.conflict_name),
            format!("Side A: {}", self.side_a),
            format!("Side B: {}", self.side_b),
        ];
        if let Some(h) = &self.source_headline {
            lines.push(format!("Source headline: {h}"));
        }
        lines.push(format!("UCDP GED {GED_VERSION} event {}", self.id));
        lines.join("\n")
    }

    /// Side A is the government in state-based conflict and the perpetrator in one-sided
    /// violence; UCDP's coding gives no more precise attribution to record.
    fn side_a_party(&self, visibility: Visibility) -> NewParty {
        NewParty {
            visibility,
            kind: PartyKind::ArmedUnit,
            name: clip(&self.side_a, PARTY_NAME_MAX),
            description: None,
            acled_inter: self
                .side_a
                .starts_with("Government of")
                .then_some(ACLED_STATE_FORCES),
            external_ref: self.side_a_new_id.map(|id| format!("ucdp-actor:{id}")),
        }
    }

    fn source(&self, visibility: Visibility) -> NewSource {
        let title = self
            .source_headline
            .clone()
            .or_else(|| self.source_article.clone())
            .unwrap_or_else(|| format!("UCDP GED {GED_VERSION} event {}", self.id));
        NewSource {
            visibility,
            title: clip(&title, SOURCE_TITLE_MAX),
            outlet: self.source_office.as_deref().map(|o| clip(o, OUTLET_MAX)),
            url: None,
            published_on: self.published_on(),
            connection: SourceConnection::Dataset,
            // Admiralty grading judges a source's reliability: an analyst's call, not UCDP's.
            reliability: None,
            credibility: None,
            external_ref: Some(self.external_ref()),
        }
    }

    /// `source_date` lists one date per source article; only when they agree is there one
    /// publication date to record.
    fn published_on(&self) -> Option<chrono::NaiveDate> {
        let mut dates = self.source_date.as_deref()?.split(';').map(str::trim);
        let first = values::date(dates.next()?).ok()?;
        dates.all(|d| values::date(d) == Ok(first)).then_some(first)
    }

    fn citation_reference(&self) -> String {
        let mut parts = vec![format!("UCDP GED {GED_VERSION} id {}", self.id)];
        if let Some(a) = &self.source_article {
            parts.push(format!("source_article: {a}"));
        }
        if let Some(d) = &self.source_date {
            parts.push(format!("source_date: {d}"));
        }
        parts.join("; ")
    }
}

/// Shortens to at most `max` characters, marking the cut with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some(_) => {
            let cut = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            format!("{}…", s[..cut].trim_end())
        }
    }
}
