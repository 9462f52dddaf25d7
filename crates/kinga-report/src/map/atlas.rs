//! The countries' outlines: Natural Earth's 1:110m countries from world-atlas, decoded and
//! projected once, on first use.
use super::antimeridian;
use super::projection::equal_earth;
use super::topojson;
use kinga_domain::Country;
use std::collections::HashMap;
use std::sync::LazyLock;

const COUNTRIES_110M: &str = include_str!("../../data/countries-110m.json");
/// ISO 3166-1 numeric codes (world-atlas's ids) and their alpha-3 codes.
const ISO_NUMERIC: &str = include_str!("../../data/iso_3166-1_numeric.csv");

/// Antarctica, left off world maps: it would take a fifth of the height and has no population
/// to protect.
pub(crate) const ANTARCTICA: &str = "010";

/// A rectangle in projected coordinates, y growing northwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bounds {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Bounds {
    pub(crate) const EMPTY: Bounds = Bounds {
        x0: f64::INFINITY,
        y0: f64::INFINITY,
        x1: f64::NEG_INFINITY,
        y1: f64::NEG_INFINITY,
    };

    pub(crate) fn add(&mut self, (x, y): (f64, f64)) {
        self.x0 = self.x0.min(x);
        self.y0 = self.y0.min(y);
        self.x1 = self.x1.max(x);
        self.y1 = self.y1.max(y);
    }

    pub(crate) fn union(mut self, other: Bounds) -> Bounds {
        self.add((other.x0, other.y0));
        self.add((other.x1, other.y1));
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.x0 > self.x1 || self.y0 > self.y1
    }

    pub(crate) fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub(crate) fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    pub(crate) fn intersects(&self, other: &Bounds) -> bool {
        self.x0 <= other.x1 && other.x0 <= self.x1 && self.y0 <= other.y1 && other.y0 <= self.y1
    }
}

/// One outline of the atlas, projected: polygons of rings of points.
pub(crate) struct Outline {
    /// `None` for the few areas without an ISO code (Kosovo, Northern Cyprus, Somaliland).
    pub country: Option<Country>,
    pub numeric: Option<String>,
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
    /// The bounds of each polygon, in the same order.
    pub polygon_bounds: Vec<Bounds>,
    pub bounds: Bounds,
}

impl Outline {
    /// The bounds of the country's main part: its largest polygon, with the others that lie
    /// near it. France's page then shows France, not France and French Guiana with the
    /// Atlantic between.
    pub(crate) fn main_bounds(&self) -> Bounds {
        let area = |b: &Bounds| b.width() * b.height();
        let Some(main) = self
            .polygon_bounds
            .iter()
            .copied()
            .max_by(|a, b| area(a).total_cmp(&area(b)))
        else {
            return self.bounds;
        };
        let reach = main.width().hypot(main.height()) * 0.5;
        let near = Bounds {
            x0: main.x0 - reach,
            y0: main.y0 - reach,
            x1: main.x1 + reach,
            y1: main.y1 + reach,
        };
        self.polygon_bounds
            .iter()
            .filter(|b| b.intersects(&near))
            .fold(main, |acc, b| acc.union(*b))
    }
}

pub(crate) static ATLAS: LazyLock<Vec<Outline>> = LazyLock::new(|| {
    let alpha3: HashMap<&str, &str> = ISO_NUMERIC
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(','))
        .collect();
    topojson::features(COUNTRIES_110M, "countries")
        .expect("the embedded world-atlas topology decodes")
        .into_iter()
        .map(|f| {
            let country =
                f.id.as_deref()
                    .and_then(|id| alpha3.get(id))
                    .and_then(|code| Country::parse(code).ok());
            let project = |ring: &[(f64, f64)]| -> Vec<(f64, f64)> {
                ring.iter()
                    .map(|&(lon, lat)| equal_earth(lon, lat))
                    .collect()
            };
            // A polygon cut at the 180th meridian becomes a polygon per side, so the bounds of
            // each stay on its side of the map. (No hole in the atlas crosses the meridian.)
            let polygons: Vec<Vec<Vec<(f64, f64)>>> = f
                .polygons
                .iter()
                .filter(|rings| !rings.is_empty())
                .flat_map(|rings| {
                    let pieces = antimeridian::split(&rings[0]);
                    if pieces.len() == 1 {
                        vec![rings.iter().map(|r| project(r)).collect()]
                    } else {
                        pieces.iter().map(|p| vec![project(p)]).collect()
                    }
                })
                .collect();
            let polygon_bounds: Vec<Bounds> = polygons
                .iter()
                .map(|rings: &Vec<Vec<(f64, f64)>>| {
                    let mut b = Bounds::EMPTY;
                    rings.iter().flatten().for_each(|p| b.add(*p));
                    b
                })
                .collect();
            let bounds = polygon_bounds
                .iter()
                .fold(Bounds::EMPTY, |acc, b| acc.union(*b));
            Outline {
                country,
                numeric: f.id,
                polygons,
                polygon_bounds,
                bounds,
            }
        })
        .collect()
});

pub(crate) fn outline(country: Country) -> Option<&'static Outline> {
    ATLAS.iter().find(|o| o.country == Some(country))
}

/// The countries the atlas has an outline for. Small states (many islands, Singapore, Bahrain)
/// are below the 1:110m scale and have none; a map can still show them as points.
pub fn countries() -> Vec<Country> {
    ATLAS.iter().filter_map(|o| o.country).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outline_with_an_iso_id_is_a_domain_country() {
        assert_eq!(ATLAS.len(), 177);
        let unnamed: Vec<_> = ATLAS.iter().filter(|o| o.country.is_none()).collect();
        // Kosovo, Northern Cyprus and Somaliland have no ISO 3166-1 code.
        assert_eq!(unnamed.len(), 3);
        assert!(unnamed.iter().all(|o| o.numeric.is_none()));
        let caf = outline(Country::parse("CAF").unwrap()).unwrap();
        assert_eq!(caf.numeric.as_deref(), Some("140"));
    }

    #[test]
    fn the_numeric_table_agrees_with_the_domain() {
        for line in ISO_NUMERIC.lines().skip(1) {
            let (_, code) = line.split_once(',').unwrap();
            assert!(Country::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn main_bounds_leave_far_territories_out() {
        let france = outline(Country::parse("FRA").unwrap()).unwrap();
        assert!(france.main_bounds().width() < france.bounds.width() / 3.0);
    }
}
