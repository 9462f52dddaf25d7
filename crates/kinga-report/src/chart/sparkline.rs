//! A sparkline: a word-sized line of a series' recent course, for tables and country cards.
use super::PALETTE;
use crate::svg::{self, num, Doc, MUTED};
use std::fmt::Write;

/// Values evenly spaced in time, oldest first. Missing values (NaN) break the line.
#[derive(Debug, Clone)]
pub struct Sparkline {
    pub title: String,
    pub desc: String,
    /// Written small in place of the line when no value is finite.
    pub empty: String,
    pub values: Vec<f64>,
    pub colour: String,
    pub width: f64,
    pub height: f64,
}

impl Sparkline {
    /// A sparkline 120 by 28 pixels.
    pub fn new(
        title: impl Into<String>,
        desc: impl Into<String>,
        empty: impl Into<String>,
        values: Vec<f64>,
    ) -> Self {
        Sparkline {
            title: title.into(),
            desc: desc.into(),
            empty: empty.into(),
            values,
            colour: PALETTE[0].to_string(),
            width: 120.0,
            height: 28.0,
        }
    }

    pub fn to_svg(&self) -> String {
        let mut doc = Doc::new(
            "kinga-sparkline",
            self.width,
            self.height,
            &self.title,
            &self.desc,
        );
        let finite: Vec<f64> = self
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if finite.is_empty() {
            doc.text(
                2.0,
                self.height / 2.0 + 4.0,
                10.0,
                "start",
                MUTED,
                &self.empty,
            );
            return doc.finish();
        }
        // Counts are read against zero; a series that goes below zero uses its own range.
        let lo = finite.iter().copied().fold(0.0, f64::min);
        let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let range = if hi - lo > 0.0 { hi - lo } else { 1.0 };
        let pad = 3.0;
        let n = self.values.len();
        let step = if n > 1 {
            (self.width - 2.0 * pad) / (n - 1) as f64
        } else {
            0.0
        };
        let x = |i: usize| {
            if n > 1 {
                pad + step * i as f64
            } else {
                self.width / 2.0
            }
        };
        let y = |v: f64| self.height - pad - (v - lo) / range * (self.height - 2.0 * pad);

        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in self.values.iter().enumerate() {
            if v.is_finite() {
                let _ = write!(
                    d,
                    "{}{},{}",
                    if pen_down { "L" } else { "M" },
                    num(x(i)),
                    num(y(*v))
                );
                pen_down = true;
            } else {
                pen_down = false;
            }
        }
        let colour = svg::escape(&self.colour);
        let _ = write!(
            doc.buf(),
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-linejoin="round"/>"#
        );
        // The latest value is marked, as a reader's eye goes to where the series ends.
        if let Some((i, v)) = self
            .values
            .iter()
            .enumerate()
            .rev()
            .find(|(_, v)| v.is_finite())
        {
            let _ = write!(
                doc.buf(),
                r#"<circle cx="{}" cy="{}" r="2" fill="{colour}"/>"#,
                num(x(i)),
                num(y(*v))
            );
        }
        doc.finish()
    }
}
