//! Reads the fields of one JSON object (an API body, or a web form turned into one) and collects
//! every bad field by its JSON path, so a client learns about all its mistakes in one answer.
use crate::ValidationErrors;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::str::FromStr;

/// The earliest year a date field takes: no record Kinga keeps is older, and a typo such as
/// `0013` or a negative year is refused instead of stored.
pub const EARLIEST_YEAR: i32 = 1900;

thread_local! {
    /// Field names read while [`strictly`] runs on this thread (parsing is synchronous).
    static READ: RefCell<Option<BTreeSet<String>>> = const { RefCell::new(None) };
}

fn note_read(key: &str) {
    READ.with(|r| {
        if let Some(seen) = r.borrow_mut().as_mut() {
            seen.insert(key.to_string());
        }
    });
}

/// Runs `parse` over `body` and refuses every top-level field that it did not read, so that a
/// misspelt field (`"visiblity": "sealed"`) is an error rather than a silently kept default.
/// `also` names fields the caller reads itself.
pub fn strictly<T>(
    body: &Value,
    also: &[&str],
    parse: impl FnOnce(&Value) -> Result<T, ValidationErrors>,
) -> Result<T, ValidationErrors> {
    let outer = READ.with(|r| r.replace(Some(BTreeSet::new())));
    let parsed = parse(body);
    let read = READ.with(|r| r.replace(outer)).unwrap_or_default();
    let unknown: Vec<&String> = body
        .as_object()
        .map(|o| {
            o.keys()
                .filter(|k| !read.contains(*k) && !also.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if unknown.is_empty() {
        return parsed;
    }
    let mut errors = parsed.err().unwrap_or_default();
    for k in unknown {
        errors.push(format!("$.{k}"), "is not a field of this request");
    }
    Err(errors)
}

pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
    pub errors: ValidationErrors,
}

impl<'a> Fields<'a> {
    pub fn new(value: &'a Value) -> Result<Self, ValidationErrors> {
        match value.as_object() {
            Some(obj) => Ok(Fields {
                obj,
                prefix: "$".into(),
                errors: ValidationErrors::new(),
            }),
            None => Err(ValidationErrors::single("$", "expected a JSON object")),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        note_read(key);
        self.obj.get(key)
    }

    /// The raw value of `key`, for fields that are lists or objects.
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.get(key)
    }

    fn path(&self, key: &str) -> String {
        format!("{}.{}", self.prefix, key)
    }

    /// A present, non-blank string; numbers are accepted as their decimal text because HTML
    /// forms send everything as text.
    fn raw(&mut self, key: &str) -> Option<String> {
        match self.get(key) {
            None | Some(Value::Null) => None,
            // No database stores it, and it ends strings early in the ones that try.
            Some(Value::String(s)) if s.contains('\0') => {
                let p = self.path(key);
                self.errors.push(p, "must not contain a NUL character");
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(_) => {
                let p = self.path(key);
                self.errors.push(p, "expected a string or a number");
                None
            }
        }
    }

    pub fn text(&mut self, key: &str, max_len: usize) -> Option<String> {
        let v = self.raw(key)?;
        if v.chars().count() > max_len {
            let p = self.path(key);
            self.errors
                .push(p, format!("must be at most {max_len} characters"));
            return None;
        }
        Some(v)
    }

    pub fn required_text(&mut self, key: &str, max_len: usize) -> Option<String> {
        let present = self.get(key).is_some();
        let v = self.text(key, max_len);
        if v.is_none() && !self.errors.errors.iter().any(|e| e.path == self.path(key)) {
            let p = self.path(key);
            self.errors.push(
                p,
                if present {
                    "must not be empty"
                } else {
                    "is required"
                },
            );
        }
        v
    }

    pub fn parsed<T>(&mut self, key: &str) -> Option<T>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        let v = self.raw(key)?;
        match v.parse::<T>() {
            Ok(t) => Some(t),
            Err(e) => {
                let p = self.path(key);
                self.errors.push(p, e.to_string());
                None
            }
        }
    }

    pub fn required<T>(&mut self, key: &str) -> Option<T>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        let had_error = self.errors.errors.len();
        let v = self.parsed(key);
        if v.is_none() && self.errors.errors.len() == had_error {
            let p = self.path(key);
            self.errors.push(p, "is required");
        }
        v
    }

    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let v = self.raw(key)?;
        match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            Ok(d) if !(EARLIEST_YEAR..=9999).contains(&d.year()) => {
                let p = self.path(key);
                self.errors.push(
                    p,
                    format!("'{v}' is not a date between {EARLIEST_YEAR} and 9999"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                let p = self.path(key);
                self.errors
                    .push(p, format!("'{v}' is not a date in the form YYYY-MM-DD"));
                None
            }
        }
    }

    pub fn required_date(&mut self, key: &str) -> Option<NaiveDate> {
        let had_error = self.errors.errors.len();
        let v = self.date(key);
        if v.is_none() && self.errors.errors.len() == had_error {
            let p = self.path(key);
            self.errors.push(p, "is required");
        }
        v
    }

    pub fn number_in(&mut self, key: &str, min: f64, max: f64) -> Option<f64> {
        let v: f64 = self.parsed(key)?;
        if !(min..=max).contains(&v) || !v.is_finite() {
            let p = self.path(key);
            self.errors
                .push(p, format!("must be between {min} and {max}"));
            return None;
        }
        Some(v)
    }

    pub fn count(&mut self, key: &str) -> Option<u32> {
        let v: i64 = match self.raw(key)?.parse() {
            Ok(v) => v,
            Err(_) => {
                let p = self.path(key);
                self.errors.push(p, "must be a whole number");
                return None;
            }
        };
        match u32::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                let p = self.path(key);
                self.errors.push(p, "must be zero or more");
                None
            }
        }
    }

    /// Whether the client sent a value for `key` at all (valid or not).
    pub fn present(&self, key: &str) -> bool {
        match self.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        }
    }

    pub fn push(&mut self, key: &str, message: impl Into<String>) {
        let p = self.path(key);
        self.errors.push(p, message);
    }

    pub fn finish(self) -> Result<(), ValidationErrors> {
        self.errors.into_result()
    }
}
