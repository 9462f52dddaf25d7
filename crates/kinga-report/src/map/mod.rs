//! A world map of countries and points, drawn as SVG.
//!
//! Countries can be shaded by class (a choropleth: risk classes, incident counts binned by
//! [`classify`]); points (incidents, signals) are circles at their latitude and longitude. The
//! map shows the world or zooms to a country's outline, for a country page.
mod antimeridian;
mod atlas;
mod draw;
mod projection;
mod topojson;
mod view;

pub use atlas::countries;
pub use projection::equal_earth;

use crate::locale::Locale;
use kinga_domain::Country;

/// A legend entry: what a class means, in the reader's language, and its colour.
#[derive(Debug, Clone)]
pub struct Class {
    pub label: String,
    /// A CSS colour (`#b2182b`, `rgb(…)`); written into the SVG escaped.
    pub colour: String,
}

impl Class {
    pub fn new(label: impl Into<String>, colour: impl Into<String>) -> Self {
        Class {
            label: label.into(),
            colour: colour.into(),
        }
    }
}

/// A country's class (an index into [`Map::country_classes`]) and, optionally, what its
/// tooltip says (its name and value, translated by the caller).
#[derive(Debug, Clone)]
pub struct Shade {
    pub country: Country,
    pub class: usize,
    pub label: Option<String>,
}

/// A circle on the map; `class` indexes [`Map::point_classes`].
#[derive(Debug, Clone)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
    /// In pixels.
    pub radius: f64,
    pub class: usize,
    pub label: Option<String>,
}

/// What part of the world the map shows.
#[derive(Debug, Clone, Copy)]
pub enum View {
    /// Every country but Antarctica.
    World,
    /// A country's outline (its main part) with `margin` around it, as a fraction of the
    /// outline's larger side. Neighbours are drawn too, so the country is seen in its region.
    Country { country: Country, margin: f64 },
    /// A box of longitudes and latitudes in degrees.
    Bounds {
        west: f64,
        south: f64,
        east: f64,
        north: f64,
    },
}

#[derive(Debug, Clone)]
pub struct Map {
    pub title: String,
    pub desc: String,
    pub view: View,
    /// In pixels; the height follows from the view.
    pub width: f64,
    pub country_classes: Vec<Class>,
    pub shades: Vec<Shade>,
    /// The legend's label for countries without a value; no entry when `None`.
    pub no_data: Option<String>,
    pub point_classes: Vec<Class>,
    pub points: Vec<Point>,
}

/// The fill of a country without a value.
pub const NO_DATA: &str = "#d9d9d9";

impl Map {
    /// An empty map 960 pixels wide.
    pub fn new(title: impl Into<String>, desc: impl Into<String>, view: View) -> Self {
        Map {
            title: title.into(),
            desc: desc.into(),
            view,
            width: 960.0,
            country_classes: Vec::new(),
            shades: Vec::new(),
            no_data: None,
            point_classes: Vec::new(),
            points: Vec::new(),
        }
    }

    pub fn to_svg(&self) -> String {
        draw::map(self)
    }
}

/// The class of `value` given ascending class `breaks`: 0 below the first break, 1 from the
/// first to the second, and so on. A value that is not finite has no class.
pub fn classify(value: f64, breaks: &[f64]) -> Option<usize> {
    value
        .is_finite()
        .then(|| breaks.iter().take_while(|b| value >= **b).count())
}

/// Legend labels for the classes `classify` gives: `< 10`, `10–50`, `≥ 50`.
pub fn break_labels(breaks: &[f64], decimals: usize, locale: &Locale) -> Vec<String> {
    let n = |v: f64| locale.number(v, decimals);
    let mut labels = Vec::with_capacity(breaks.len() + 1);
    if let Some(first) = breaks.first() {
        labels.push(format!("< {}", n(*first)));
    }
    for pair in breaks.windows(2) {
        labels.push(format!("{}–{}", n(pair[0]), n(pair[1])));
    }
    if let Some(last) = breaks.last() {
        labels.push(format!("≥ {}", n(*last)));
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    #[test]
    fn classes_from_breaks() {
        let breaks = [10.0, 50.0, 1000.0];
        assert_eq!(classify(3.0, &breaks), Some(0));
        assert_eq!(classify(10.0, &breaks), Some(1));
        assert_eq!(classify(999.0, &breaks), Some(2));
        assert_eq!(classify(5000.0, &breaks), Some(3));
        assert_eq!(classify(f64::NAN, &breaks), None);
        let labels = break_labels(&breaks, 0, &Locale::new(Lang::Fr));
        assert_eq!(
            labels,
            vec!["< 10", "10–50", "50–1\u{202f}000", "≥ 1\u{202f}000"]
        );
    }
}
