//! Form state and the options of selects and checkboxes, for every form of the interface.
use crate::ui::i18n::Tr;
use crate::ui::session::FormErrors;
use kinga_domain::Country;
use std::collections::HashMap;

/// What a visitor typed into one form, and what was wrong with it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Entered {
    pub values: HashMap<String, String>,
    pub errors: FormErrors,
}

impl Entered {
    pub fn with(values: HashMap<String, String>, errors: FormErrors) -> Self {
        Entered { values, errors }
    }

    pub fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    /// The error of one field, or an empty string (templates print it unconditionally).
    pub fn e(&self, key: &str) -> String {
        self.errors.of(key)
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_string(), value.into());
    }
}

/// Collects a submitted form; repeated names (checkboxes) become one comma-separated value,
/// which is how the domain parsers read lists from forms.
pub(crate) fn collect(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for (k, v) in pairs {
        out.entry(k)
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v);
            })
            .or_insert(v);
    }
    out
}

/// One option of a select, or one checkbox.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Choice {
            selected: value == current,
            value,
            label: label.into(),
        }
    }
}

/// Options under a heading (`<optgroup>`).
pub(crate) struct Group {
    pub label: String,
    pub items: Vec<Choice>,
}

/// Countries by name; `current` may be alpha-2 or lower case, as typed into a URL.
pub(crate) fn countries(current: &str) -> Vec<Choice> {
    let current = Country::parse(current)
        .map(|c| c.code().to_string())
        .unwrap_or_default();
    Country::all()
        .iter()
        .map(|c| {
            Choice::new(
                c.alpha3.clone(),
                format!("{} ({})", c.name, c.alpha3),
                &current,
            )
        })
        .collect()
}

/// Vocabulary words as options, labelled in the visitor's language.
pub(crate) fn words(t: Tr, prefix: &str, values: &[&str], current: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice::new(*v, t.word(prefix, v), current))
        .collect()
}

/// Checkboxes of a comma-separated value.
pub(crate) fn checks(t: Tr, prefix: &str, values: &[&str], current: &str) -> Vec<Choice> {
    let on: Vec<&str> = current.split(',').map(str::trim).collect();
    values
        .iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: t.word(prefix, v),
            selected: on.contains(v),
        })
        .collect()
}

pub(crate) fn visibilities(t: Tr, current: &str) -> Vec<Choice> {
    let all: Vec<&str> = kinga_domain::Visibility::ALL
        .iter()
        .map(kinga_domain::Visibility::as_str)
        .collect();
    words(t, "visibility", &all, current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_joined() {
        let m = collect(vec![
            ("crimes".into(), "genocide".into()),
            ("crimes".into(), "war_crimes".into()),
        ]);
        assert_eq!(m["crimes"], "genocide,war_crimes");
    }
}
