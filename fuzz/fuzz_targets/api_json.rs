//! The API's JSON body parsers on arbitrary bytes: the body is read as the API reads it
//! (`serde_json::from_slice`), then handed to every domain parser, strictly (unknown fields
//! refused, as the API does) and plainly (as the web forms do).
#![no_main]

use chrono::NaiveDate;
use kinga_domain::event::Event;
use kinga_domain::fields::strictly;
use kinga_domain::incident::{IncidentFilter, NewIncident};
use kinga_domain::org::NewOrganisation;
use kinga_domain::party::{NewAct, NewParty};
use kinga_domain::report::NewReport;
use kinga_domain::risk::{ClassOverride, NewAssessment, NewEvidenceLink, ScoreInput};
use kinga_domain::source::NewSource;
use kinga_domain::ValidationErrors;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Runs `parse` both ways and reads every error as an answer would show it.
fn both<T>(body: &Value, parse: impl Fn(&Value) -> Result<T, ValidationErrors>) {
    for result in [strictly(body, &[], &parse), parse(body)] {
        if let Err(errors) = result {
            for e in &errors.errors {
                let _ = (e.path.len(), e.message.len());
            }
            let _ = (errors.to_string(), serde_json::to_string(&errors));
        }
    }
}

fn organisation(body: &Value) {
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let networks: Vec<String> = body
        .get("networks")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let _ = NewOrganisation::parse(
        text("slug").unwrap_or(""),
        text("name").unwrap_or(""),
        text("country"),
        &networks,
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
    both(&body, |v| NewReport::parse(v, today));
    both(&body, NewIncident::parse);
    both(&body, IncidentFilter::parse);
    both(&body, NewParty::parse);
    both(&body, NewAct::parse);
    both(&body, NewSource::parse);
    both(&body, NewAssessment::parse);
    both(&body, ScoreInput::parse);
    both(&body, NewEvidenceLink::parse);
    both(&body, ClassOverride::parse);
    both(&body, Event::from_json);
    let _ = strictly(&body, &["slug", "name", "country", "networks"], |_| Ok(()));
    organisation(&body);
});
