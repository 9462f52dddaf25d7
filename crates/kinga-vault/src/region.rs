//! Rectangles of an image to blur, as a person gives them (pixels of the image as stored, or
//! fractions of its width and height), checked against the real size before anything is made.
use crate::{Result, VaultError};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Pixels of the image as stored (EXIF rotation is not applied).
    #[default]
    Px,
    /// Fractions (0 to 1) of the image's width and height.
    Fraction,
}

/// A region as asked for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    #[serde(default)]
    pub unit: Unit,
}

/// A region in whole pixels, inside the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// `X,Y,W,H`: whole numbers are pixels; numbers with a decimal point are fractions of the
/// width and height (`0.25,0.1,0.5,0.3`).
impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(format!(
                "'{s}': expected X,Y,W,H (four numbers separated by commas)"
            ));
        }
        let mut v = [0f64; 4];
        for (slot, (p, name)) in v.iter_mut().zip(parts.iter().zip(["X", "Y", "W", "H"])) {
            *slot = p
                .parse::<f64>()
                .map_err(|_| format!("'{s}': {name} '{p}' is not a number"))?;
        }
        let unit = if parts.iter().any(|p| p.contains('.')) {
            Unit::Fraction
        } else {
            Unit::Px
        };
        Ok(Region {
            x: v[0],
            y: v[1],
            w: v[2],
            h: v[3],
            unit,
        })
    }
}

impl Region {
    /// The pixels this region covers in an image of `width` × `height`; `index` names the
    /// region in the error.
    pub fn resolve(&self, index: usize, width: u32, height: u32) -> Result<Rect> {
        let bad = |field: &'static str, message: String| VaultError::Region {
            index,
            field,
            message,
        };
        for (field, v) in [("x", self.x), ("y", self.y), ("w", self.w), ("h", self.h)] {
            if !v.is_finite() || v < 0.0 {
                return Err(bad(field, format!("{v} must be a number of at least 0")));
            }
        }
        for (field, v) in [("w", self.w), ("h", self.h)] {
            if v <= 0.0 {
                return Err(bad(field, "must be greater than 0".into()));
            }
        }
        let (x0, y0, x1, y1) = match self.unit {
            Unit::Px => {
                for (field, v) in [("x", self.x), ("y", self.y), ("w", self.w), ("h", self.h)] {
                    if v.fract() != 0.0 {
                        return Err(bad(
                            field,
                            format!("{v} is not a whole number of pixels (give fractions with unit \"fraction\")"),
                        ));
                    }
                }
                (self.x, self.y, self.x + self.w, self.y + self.h)
            }
            Unit::Fraction => {
                for (field, v) in [("x", self.x), ("y", self.y), ("w", self.w), ("h", self.h)] {
                    if v > 1.0 {
                        return Err(bad(field, format!("{v} is not a fraction between 0 and 1")));
                    }
                }
                // Rounded outwards: a fraction covers at least what it names. A sum a hair
                // over 1 (0.7 + 0.3 in binary) is taken as the edge.
                let edge = |v: f64| if v > 1.0 && v < 1.0 + 1e-9 { 1.0 } else { v };
                let (w, h) = (f64::from(width), f64::from(height));
                (
                    (self.x * w).floor(),
                    (self.y * h).floor(),
                    (edge(self.x + self.w) * w).ceil(),
                    (edge(self.y + self.h) * h).ceil(),
                )
            }
        };
        if x1 > f64::from(width) {
            return Err(bad(
                if x0 >= f64::from(width) { "x" } else { "w" },
                format!("reaches x = {x1}, beyond the image width of {width} px"),
            ));
        }
        if y1 > f64::from(height) {
            return Err(bad(
                if y0 >= f64::from(height) { "y" } else { "h" },
                format!("reaches y = {y1}, beyond the image height of {height} px"),
            ));
        }
        let rect = Rect {
            x: x0 as u32,
            y: y0 as u32,
            w: (x1 - x0) as u32,
            h: (y1 - y0) as u32,
        };
        if rect.w == 0 || rect.h == 0 {
            return Err(bad(
                if rect.w == 0 { "w" } else { "h" },
                "covers no whole pixel of the image".into(),
            ));
        }
        Ok(rect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_and_fractions() {
        let r: Region = "10,20,30,40".parse().unwrap();
        assert_eq!(r.unit, Unit::Px);
        assert_eq!(
            r.resolve(0, 100, 100).unwrap(),
            Rect {
                x: 10,
                y: 20,
                w: 30,
                h: 40
            }
        );
        let f: Region = "0.5,0,0.5,1.0".parse().unwrap();
        assert_eq!(f.unit, Unit::Fraction);
        assert_eq!(
            f.resolve(0, 101, 50).unwrap(),
            Rect {
                x: 50,
                y: 0,
                w: 51,
                h: 50
            }
        );
        assert!("1,2,3".parse::<Region>().is_err());
        assert!("a,2,3,4".parse::<Region>().is_err());
    }

    #[test]
    fn regions_outside_the_image_are_named() {
        let r: Region = "90,0,20,10".parse().unwrap();
        let e = r.resolve(1, 100, 50).unwrap_err();
        assert!(
            matches!(
                e,
                VaultError::Region {
                    index: 1,
                    field: "w",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("width of 100 px"), "{e}");
        let e = "0,60,10,10"
            .parse::<Region>()
            .unwrap()
            .resolve(0, 100, 50)
            .unwrap_err();
        assert!(matches!(e, VaultError::Region { field: "y", .. }), "{e}");
        let e = "0,0,0,10"
            .parse::<Region>()
            .unwrap()
            .resolve(0, 100, 50)
            .unwrap_err();
        assert!(matches!(e, VaultError::Region { field: "w", .. }), "{e}");
        let e = "0.5,0,0.6,0.1"
            .parse::<Region>()
            .unwrap()
            .resolve(0, 100, 50)
            .unwrap_err();
        assert!(matches!(e, VaultError::Region { field: "w", .. }), "{e}");
        let half = Region {
            x: 1.5,
            y: 0.0,
            w: 2.0,
            h: 2.0,
            unit: Unit::Px,
        };
        assert!(half.resolve(0, 10, 10).is_err());
    }
}
