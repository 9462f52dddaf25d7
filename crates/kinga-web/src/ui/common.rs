//! What the report, incident and administration pages share: the message page, the mapping of
//! access and store errors to messages a person can act on, form state and select options.
//! It lives under `incidents` only because `ui/mod.rs` belongs to the sign-in work.
use crate::error::Answer;
use crate::ui::i18n::{Tr, TEXTS};
use crate::ui::session::{render, FormErrors, Page};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use kinga_app::records::StoreError;
use kinga_app::AccessError;
use kinga_domain::ValidationErrors;
use std::collections::HashMap;
mod duplicates;
mod forms;

pub(crate) use duplicates::{suggestions, Suggestion};
pub(crate) use forms::{checks, collect, countries, visibilities, words, Choice, Entered, Group};

#[derive(Template)]
#[template(path = "message.html")]
struct MessageTemplate {
    p: Page,
    t: Tr,
    title: String,
    message: String,
}

/// Sets the status of a rendered page, unless rendering itself already failed.
pub(crate) fn with_status(mut r: Response, status: StatusCode) -> Response {
    if r.status().is_success() {
        *r.status_mut() = status;
    }
    r
}

pub(crate) fn message_page(page: Page, status: StatusCode, title: &str, message: &str) -> Response {
    let t = page.t;
    let body = render(&MessageTemplate {
        p: page,
        t,
        title: title.to_string(),
        message: message.to_string(),
    });
    with_status(body, status)
}

/// Absent and invisible records look the same, so nobody learns what another organisation holds.
pub(crate) fn not_found(page: Page) -> Response {
    let t = page.t;
    message_page(
        page,
        StatusCode::NOT_FOUND,
        t.get("common.not_found_title"),
        t.get("common.not_found"),
    )
}

pub(crate) fn forbidden(page: Page) -> Response {
    let t = page.t;
    message_page(
        page,
        StatusCode::FORBIDDEN,
        t.get("common.forbidden_title"),
        t.get("common.forbidden"),
    )
}

/// A failed action explained: the page is shown again with this message, and the fields it
/// names marked.
pub(crate) struct Problem {
    pub status: StatusCode,
    pub message: String,
    pub fields: FormErrors,
}

impl Problem {
    pub fn invalid(t: Tr, e: &ValidationErrors) -> Self {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: t.get("common.error").to_string(),
            fields: field_errors(t, e),
        }
    }

    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Problem {
            status,
            message: message.into(),
            fields: FormErrors::default(),
        }
    }
}

pub(crate) fn problem(t: Tr, e: AccessError) -> Problem {
    match e {
        AccessError::Forbidden(_) => Problem::new(StatusCode::FORBIDDEN, t.get("common.forbidden")),
        AccessError::Store(StoreError::NotFound) => {
            Problem::new(StatusCode::NOT_FOUND, t.get("common.not_found"))
        }
        AccessError::Store(StoreError::Invalid(v)) => Problem::invalid(t, &v),
        AccessError::Store(StoreError::Rule(r)) => {
            Problem::new(StatusCode::CONFLICT, format!("{} {r}", t.get("error.rule")))
        }
        AccessError::Store(StoreError::Conflict(c)) => Problem::new(
            StatusCode::CONFLICT,
            format!("{} {c}", t.get("error.conflict")),
        ),
        AccessError::Store(StoreError::Locked { by, since }) => {
            Problem::new(StatusCode::LOCKED, lock_text(t, &by, since))
        }
        other => page_failure(t, crate::error::access_answer(other)),
    }
}

/// A failure that has no sentence of its own on this page: status and words from the one
/// mapping in `error.rs`; for a failure of the server, the request's id instead of its detail.
pub(crate) fn page_failure(t: Tr, answer: Answer) -> Problem {
    if answer.is_internal() {
        Problem::new(answer.status, internal_text(t))
    } else {
        Problem::new(answer.status, answer.detail)
    }
}

/// The words of a server failure, with the id a user can quote to an administrator.
pub(crate) fn internal_text(t: Tr) -> String {
    match crate::request_id::current() {
        Some(id) => format!(
            "{} {} {id}",
            t.get("error.internal"),
            t.get("error.request_id")
        ),
        None => t.get("error.internal").to_string(),
    }
}

/// An evidence desk failure as a page says it.
pub(crate) fn evidence_failure(t: Tr, e: crate::vault::EvidenceError) -> Problem {
    page_failure(t, crate::error::evidence_answer(e))
}

pub(crate) fn lock_text(t: Tr, by: &str, since: DateTime<Utc>) -> String {
    t.get("lock.held")
        .replace("{user}", by)
        .replace("{time}", &when(since))
}

/// The domain names fields by JSON path and explains in English; the common explanations are
/// translated, and `crimes[2]` is shown beside the `crimes` field.
pub(crate) fn field_errors(t: Tr, e: &ValidationErrors) -> FormErrors {
    let mut out = HashMap::new();
    for f in &e.errors {
        let path = f.path.trim_start_matches("$.");
        let field = path.split('[').next().unwrap_or(path).to_string();
        let msg = translate_message(t, &f.message);
        out.entry(field)
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&msg);
            })
            .or_insert(msg);
    }
    FormErrors(out)
}

/// The domain words its checks in English; the page speaks the visitor's language. Messages
/// with values in them are matched by their fixed parts and the values carried over.
fn translate_message(t: Tr, m: &str) -> String {
    // In English the domain's own wording is kept: it names the kind of value expected.
    if t.lang() != "en" {
        if let Some(text) = translate_with_values(t, m) {
            return text;
        }
    }
    match m {
        "is required" => t.get("field.required"),
        "must not be empty" => t.get("field.empty"),
        "is in the future" => t.get("field.future"),
        "latitude and longitude go together" => t.get("field.coordinates"),
        "must be a whole number" => t.get("field.whole_number"),
        "must be zero or more" => t.get("field.zero_or_more"),
        "expected a string or a number" => t.get("field.string_or_number"),
        "is before date_start" => t.get("field.end_before_start"),
        "a password needs at least 10 characters" => t.get("field.password_short"),
        _ => return m.to_string(),
    }
    .to_string()
}
fn translate_with_values(t: Tr, m: &str) -> Option<String> {
    let fill = |key: &str, values: &[(&str, &str)]| {
        values
            .iter()
            .fold(t.get(key).to_string(), |text, (name, value)| {
                text.replace(name, value)
            })
    };
    if let Some(n) = m
        .strip_prefix("must be at most ")
        .and_then(|r| r.strip_suffix(" characters"))
    {
        return Some(fill("field.max_chars", &[("{n}", n)]));
    }
    if let Some((low, high)) = m
        .strip_prefix("must be between ")
        .and_then(|r| r.split_once(" and "))
    {
        return Some(fill("field.between", &[("{low}", low), ("{high}", high)]));
    }
    // "'VALUE' is not …": the value as typed, then what it should have been.
    let (value, rest) = m.strip_prefix('\'')?.rsplit_once("' is not ")?;
    let key = match rest {
        "a date in the form YYYY-MM-DD" => "field.not_date",
        "an ISO 3166-1 country code" => "field.not_country",
        _ => "field.not_allowed",
    };
    let allowed = rest
        .rsplit_once(" (")
        .and_then(|(_, list)| list.strip_suffix(')'))
        .unwrap_or("");
    let text = fill(key, &[("{value}", value)]);
    Some(if key == "field.not_allowed" && !allowed.is_empty() {
        format!("{text} ({allowed})")
    } else {
        text
    })
}

/// A text from ENTRIES when there is one, else the domain's own (English) wording.
pub(crate) fn text_or(t: Tr, key: &str, fallback: &str) -> String {
    match TEXTS.get(key) {
        Some(_) => t.get(key).to_string(),
        None => fallback.to_string(),
    }
}

pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A query string of the non-empty pairs, percent-encoded.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
/// A label and its value, for the definition lists of a record's page.
pub(crate) struct Fact {
    pub label: String,
    pub value: String,
}

impl Fact {
    pub fn new(label: &str, value: impl Into<String>) -> Self {
        Fact {
            label: label.to_string(),
            value: value.into(),
        }
    }
}

/// Only a path on this site may be a place to go back to: no open redirects.
pub(crate) fn safe_back(back: Option<&String>, default: &str) -> String {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b.clone(),
        _ => default.to_string(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    #[test]
    fn checks_with_values_in_them_speak_french_too() {
        let fr = Tr(Lang::Fr);
        let cases = [
            ("must be between -90 and 90", "doit être compris entre -90 et 90"),
            ("must be at most 200 characters", "doit compter au plus 200 caractères"),
            (
                "'31/12/2024' is not a date in the form YYYY-MM-DD",
                "« 31/12/2024 » n'est pas une date au format AAAA-MM-JJ",
            ),
            (
                "'XX' is not an ISO 3166-1 country code",
                "« XX » n'est pas un code de pays ISO 3166-1",
            ),
            (
                "'secret' is not a visibility class (public, network, organisation, restricted, sealed)",
                "« secret » n'est pas une valeur acceptée (public, network, organisation, restricted, sealed)",
            ),
            ("must be zero or more", "doit être positif ou nul"),
            ("is required", "est obligatoire"),
        ];
        for (english, french) in cases {
            assert_eq!(translate_message(fr, english), french);
        }
        let en = Tr(Lang::En);
        assert_eq!(
            translate_message(en, "must be between -180 and 180"),
            "must be between -180 and 180"
        );
        assert_eq!(translate_message(fr, "something new"), "something new");
        let choice = "'secret' is not a visibility class (public, network)";
        assert_eq!(translate_message(en, choice), choice);
    }

    #[test]
    fn queries_are_encoded() {
        assert_eq!(
            query(&[("q", "a b&c"), ("country", ""), ("offset", "50")]),
            "q=a%20b%26c&offset=50"
        );
    }
}
