//! Words the risk pages share: class names, the score scale, the overall band, the reasons the
//! class rule gives, and the notice that the Framework list is incomplete.
use crate::ui::common::{message_page, not_found, problem, text_or};
use crate::ui::i18n::Tr;
use crate::ui::session::Page;
use axum::response::Response;
use kinga_app::records::StoreError;
use kinga_app::AccessError;
use kinga_domain::framework::{framework, Completeness, RiskFactor};
use kinga_domain::risk::{RiskClass, Score};

pub fn french(t: Tr) -> bool {
    t.lang() == "fr"
}

pub fn class_name(t: Tr, c: RiskClass) -> String {
    t.word("risk_class", c.as_str())
}

pub fn score_name(t: Tr, s: Score) -> String {
    t.word("risk_score", &s.as_word())
}

/// A forecast predictor in plain words; a yearly change column (`<name>.change`) says so. A
/// column without a label keeps its name, so nothing is shown under a meaning it may not have.
pub fn predictor_label(t: Tr, column: &str) -> String {
    let (level, change) = match column.strip_suffix(".change") {
        Some(level) => (level, true),
        None => (column, false),
    };
    let label = text_or(t, &format!("predictor.{level}"), level);
    if change {
        t.get("risk.forecast.change_of").replace("{label}", &label)
    } else {
        label
    }
}

pub fn factor_title(t: Tr, f: &RiskFactor) -> String {
    format!("{}. {}", f.number, f.title(french(t)))
}

/// What the project's copy of the Framework lacks, in the visitor's language.
pub fn framework_gaps(t: Tr) -> Vec<String> {
    framework()
        .factors
        .iter()
        .filter(|f| f.completeness != Completeness::Complete)
        .filter_map(|f| {
            f.gap(french(t))
                .map(|g| format!("{} {}: {g}", t.get("risk.factor"), f.number))
        })
        .collect()
}

/// A failed read or write as a page the visitor can act on.
pub fn failure(page: Page, e: AccessError) -> Response {
    if matches!(e, AccessError::Store(StoreError::NotFound)) {
        return not_found(page);
    }
    let t = page.t;
    let pr = problem(t, e);
    message_page(page, pr.status, t.get("error.title"), &pr.message)
}

pub fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    #[test]
    fn predictors_read_in_plain_words_and_unknown_ones_keep_their_name() {
        let (en, fr) = (Tr(Lang::En), Tr(Lang::Fr));
        assert_eq!(
            predictor_label(en, "battledeaths.log2"),
            "Battle deaths (log)"
        );
        assert_eq!(
            predictor_label(fr, "battledeaths.log2.change"),
            "Morts au combat (log) : évolution depuis l'année précédente"
        );
        assert_eq!(
            predictor_label(en, "widetargeting.change"),
            "widetargeting: change since the year before"
        );
        assert_eq!(predictor_label(fr, "some_column"), "some_column");
    }
}
