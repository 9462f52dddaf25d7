//! Which part of the projected world a map shows, and how it maps to pixels.
use super::atlas::{self, Bounds, ANTARCTICA, ATLAS};
use super::projection::equal_earth;
use super::View;

/// Zoomed maps keep a shape between a wide strip and a square, whatever the country's shape.
const MIN_ASPECT: f64 = 0.5;
const MAX_ASPECT: f64 = 1.0;

/// The projected rectangle a map shows, scaled to `width` pixels.
pub(crate) struct Frame {
    pub bounds: Bounds,
    pub scale: f64,
    pub width: f64,
    pub height: f64,
}

impl Frame {
    pub(crate) fn new(view: &View, width: f64) -> Frame {
        let bounds = match *view {
            View::World => world(),
            View::Country { country, margin } => match atlas::outline(country) {
                Some(outline) => zoom(pad(outline.main_bounds(), margin)),
                None => world(),
            },
            View::Bounds {
                west,
                south,
                east,
                north,
            } => {
                // Meridians curve in this projection, so the box's edges are sampled, not only
                // its corners.
                let mut b = Bounds::EMPTY;
                for i in 0..=8 {
                    let t = f64::from(i) / 8.0;
                    let lon = west + (east - west) * t;
                    let lat = south + (north - south) * t;
                    b.add(equal_earth(lon, south));
                    b.add(equal_earth(lon, north));
                    b.add(equal_earth(west, lat));
                    b.add(equal_earth(east, lat));
                }
                if b.is_empty() || b.width() <= 0.0 || b.height() <= 0.0 {
                    world()
                } else {
                    zoom(b)
                }
            }
        };
        let scale = width / bounds.width();
        Frame {
            bounds,
            scale,
            width,
            height: bounds.height() * scale,
        }
    }

    /// Pixel coordinates of a projected point, y growing downwards as in SVG.
    pub(crate) fn pixel(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            (x - self.bounds.x0) * self.scale,
            (self.bounds.y1 - y) * self.scale,
        )
    }
}

fn world() -> Bounds {
    let land = ATLAS
        .iter()
        .filter(|o| o.numeric.as_deref() != Some(ANTARCTICA))
        .fold(Bounds::EMPTY, |acc, o| acc.union(o.bounds));
    pad(land, 0.01)
}

fn pad(b: Bounds, margin: f64) -> Bounds {
    let m = b.width().max(b.height()) * margin.max(0.0);
    Bounds {
        x0: b.x0 - m,
        y0: b.y0 - m,
        x1: b.x1 + m,
        y1: b.y1 + m,
    }
}

/// Widens or heightens `b` about its centre to an aspect ratio a page can lay out.
fn zoom(b: Bounds) -> Bounds {
    let (cx, cy) = ((b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0);
    let (mut w, mut h) = (b.width(), b.height());
    if h > w * MAX_ASPECT {
        w = h / MAX_ASPECT;
    } else if h < w * MIN_ASPECT {
        h = w * MIN_ASPECT;
    }
    Bounds {
        x0: cx - w / 2.0,
        y0: cy - h / 2.0,
        x1: cx + w / 2.0,
        y1: cy + h / 2.0,
    }
}
