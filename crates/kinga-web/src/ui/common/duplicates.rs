//! Duplicate suggestions ready for a template, their reasons in the visitor's language.
use crate::ui::i18n::Tr;
use kinga_domain::dedup::DuplicateSuggestion;

/// A suggested duplicate, ready for a template.
pub(crate) struct Suggestion {
    pub id: String,
    pub code: String,
    pub title: String,
    pub reasons: Vec<String>,
}

pub(crate) fn suggestions(t: Tr, found: Vec<DuplicateSuggestion>) -> Vec<Suggestion> {
    found
        .into_iter()
        .map(|s| Suggestion {
            id: s.incident_id.to_string(),
            code: s.code,
            title: s.title,
            reasons: s.reasons.iter().map(|r| reason(t, r)).collect(),
        })
        .collect()
}

/// The dedup module explains its suggestions in English; the known forms are translated.
fn reason(t: Tr, r: &str) -> String {
    if let Some(c) = r
        .strip_prefix("same country (")
        .and_then(|s| s.strip_suffix(')'))
    {
        return t.get("dup.same_country").replace("{country}", c);
    }
    if r == "same dates" {
        return t.get("dup.same_dates").to_string();
    }
    if let Some(n) = r.strip_suffix(" day(s) apart") {
        return t.get("dup.days_apart").replace("{n}", n);
    }
    if let Some(km) = r.strip_suffix(" km apart") {
        return t.get("dup.km_apart").replace("{km}", km);
    }
    if let Some(p) = r
        .strip_prefix("similar text (")
        .and_then(|s| s.strip_suffix(')'))
    {
        return t.get("dup.similar_text").replace("{pct}", p);
    }
    r.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    #[test]
    fn reasons_are_translated() {
        let fr = Tr(Lang::Fr);
        assert_eq!(reason(fr, "same country (CAF)"), "même pays (CAF)");
        assert_eq!(reason(fr, "3 day(s) apart"), "à 3 jour(s) d'écart");
        assert_eq!(reason(fr, "something new"), "something new");
    }
}
