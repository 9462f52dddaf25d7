//! Sources back every assertion: a publication, a dataset or a person's account, graded on the
//! Admiralty scale; a citation ties a source to one incident with the passage it rests on.
use crate::ids::{CitationId, IncidentId, OrgId, SourceId};
use crate::org::Slug;
use crate::report::word_enum;
use crate::{ValidationErrors, Visibility};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

word_enum!(SourceConnection, "source connection", {
    Eyewitness => "eyewitness", Victim => "victim", Hearsay => "hearsay",
    OfficialRecord => "official_record", Media => "media", Osint => "osint", Dataset => "dataset",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub title: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub connection: SourceConnection,
    /// Admiralty reliability of the source, A (reliable) to F (cannot be judged).
    pub reliability: Option<char>,
    /// Admiralty credibility of the information, 1 (confirmed) to 6 (cannot be judged).
    pub credibility: Option<u8>,
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSource {
    pub visibility: Visibility,
    pub title: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub connection: SourceConnection,
    pub reliability: Option<char>,
    pub credibility: Option<u8>,
    pub external_ref: Option<String>,
}

impl NewSource {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = crate::fields::Fields::new(body)?;
        let title = f.required_text("title", 500);
        let outlet = f.text("outlet", 300);
        let url = f.text("url", 2_000);
        if url
            .as_deref()
            .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            f.push("url", "must start with http:// or https://");
        }
        let published_on = f.date("published_on");
        let connection = f.required("connection");
        let reliability = f.text("reliability", 1).and_then(|r| {
            let c = r.chars().next().unwrap_or(' ').to_ascii_uppercase();
            if ('A'..='F').contains(&c) {
                Some(c)
            } else {
                f.push("reliability", "must be A to F");
                None
            }
        });
        let credibility = f.count("credibility");
        if credibility.is_some_and(|c| !(1..=6).contains(&c)) {
            f.push("credibility", "must be 1 to 6");
        }
        let visibility = f.parsed("visibility").unwrap_or(Visibility::Organisation);
        f.finish()?;
        Ok(NewSource {
            visibility,
            title: title.expect("checked"),
            outlet,
            url,
            published_on,
            connection: connection.expect("checked"),
            reliability,
            credibility: credibility.map(|c| c as u8),
            external_ref: None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    pub id: CitationId,
    pub incident_id: IncidentId,
    pub source_id: SourceId,
    /// Page, timestamp or passage the assertion rests on.
    pub reference: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCitation {
    pub source_id: SourceId,
    pub reference: Option<String>,
    pub note: Option<String>,
}
