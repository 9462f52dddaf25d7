use crate::ids::OrgId;
use crate::Country;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A short, URL-safe handle for an organisation or a network (`irri-uganda`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "'{0}' is not a slug: use 2-64 lower-case letters, digits and dashes, starting with a letter"
)]
pub struct BadSlug(pub String);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, BadSlug> {
        let ok = (2..=64).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.ends_with('-');
        if ok {
            Ok(Slug(s.to_string()))
        } else {
            Err(BadSlug(s.to_string()))
        }
    }

    /// Builds a slug from a free-text name, for demo data and suggestions in forms.
    pub fn from_name(name: &str) -> Self {
        let mut out = String::new();
        for c in name.chars() {
            let c = match c {
                'à' | 'â' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'î' | 'ï' => 'i',
                'ô' | 'ö' => 'o',
                'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                c => c.to_ascii_lowercase(),
            };
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let mut s: String = out.trim_matches('-').chars().take(64).collect();
        while s.ends_with('-') {
            s.pop();
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            s = format!("o-{s}");
        }
        Slug(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrgId,
    pub slug: Slug,
    pub name: String,
    pub country: Option<Country>,
    /// Networks this organisation belongs to; `network` records are shared across them.
    pub networks: Vec<Slug>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub slug: Slug,
    pub name: String,
    pub country: Option<Country>,
    pub networks: Vec<Slug>,
}

impl NewOrganisation {
    pub fn parse(
        slug: &str,
        name: &str,
        country: Option<&str>,
        networks: &[String],
    ) -> Result<Self, crate::ValidationErrors> {
        let mut errs = crate::ValidationErrors::new();
        let slug = errs.check("$.slug", Slug::parse(slug));
        if name.trim().is_empty() {
            errs.push("$.name", "must not be empty");
        }
        let country = match country.filter(|c| !c.trim().is_empty()) {
            Some(c) => errs.check("$.country", Country::parse(c)),
            None => None,
        };
        let mut nets = Vec::new();
        for (i, n) in networks.iter().enumerate() {
            if let Some(s) = errs.check(&format!("$.networks[{i}]"), Slug::parse(n)) {
                nets.push(s);
            }
        }
        errs.into_result()?;
        Ok(NewOrganisation {
            slug: slug.expect("checked"),
            name: name.trim().to_string(),
            country,
            networks: nets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        assert!(Slug::parse("kenya-hrc").is_ok());
        assert!(Slug::parse("Kenya").is_err());
        assert!(Slug::parse("a").is_err());
        assert!(Slug::parse("x-").is_err());
    }

    #[test]
    fn slug_from_name_is_valid() {
        let s = Slug::from_name("L'Action de la jeunesse Guinéenne pour l'Aide");
        assert_eq!(s.as_str(), "l-action-de-la-jeunesse-guineenne-pour-l-aide");
        assert!(Slug::parse(s.as_str()).is_ok());
    }
}
