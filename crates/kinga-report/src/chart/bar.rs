//! A bar chart of categories: incidents per month, per country, per kind of act.
use super::axes::{self, Frame, TICK_SIZE};
use super::{ChartText, PALETTE};
use crate::locale::Locale;
use crate::scale::Linear;
use crate::svg::{self, num, Doc, MUTED};
use std::fmt::Write;

/// One category and its value. A value that is not finite leaves the category's place empty,
/// so a missing month still shows as a gap.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Bar {
            label: label.into(),
            value,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BarChart {
    pub text: ChartText,
    pub locale: Locale,
    pub bars: Vec<Bar>,
    pub colour: String,
    /// Decimals of the value written in each bar's tooltip.
    pub decimals: usize,
    pub width: f64,
    pub height: f64,
}

/// Labels longer than this are cut, so one long name cannot squeeze the plot away.
const MAX_LABEL: usize = 24;

impl BarChart {
    /// A chart 640 by 320 pixels of the first palette colour.
    pub fn new(text: ChartText, locale: Locale, bars: Vec<Bar>) -> Self {
        BarChart {
            text,
            locale,
            bars,
            colour: PALETTE[0].to_string(),
            decimals: 0,
            width: 640.0,
            height: 320.0,
        }
    }

    pub fn to_svg(&self) -> String {
        let values = || self.bars.iter().map(|b| b.value).filter(|v| v.is_finite());
        if values().next().is_none() {
            return axes::empty("kinga-chart kinga-bar", &self.text, self.width, self.height);
        }
        let lo = values().fold(f64::INFINITY, f64::min);
        let hi = values().fold(f64::NEG_INFINITY, f64::max);
        let axis = Linear::including_zero(lo, hi, 5);

        let labels: Vec<String> = self.bars.iter().map(|b| shorten(&b.label)).collect();
        let widest = labels
            .iter()
            .map(|l| svg::text_width(l, TICK_SIZE))
            .fold(0.0, f64::max);
        // Labels are turned when they would not fit side by side under their bars.
        let rough_band = (self.width - 80.0) / self.bars.len() as f64;
        let turned = widest + 4.0 > rough_band;
        let x_labels_height = if turned {
            widest * 0.71 + TICK_SIZE + 8.0
        } else {
            TICK_SIZE + 10.0
        };
        let frame = Frame {
            text: &self.text,
            locale: &self.locale,
            width: self.width,
            height: self.height,
            axis: &axis,
            x_labels_height,
            legend_rows: 0,
        };
        let plot = frame.plot();
        let band = plot.width / self.bars.len() as f64;
        let mut doc = Doc::new(
            "kinga-chart kinga-bar",
            self.width,
            self.height,
            &self.text.title,
            &self.text.desc,
        );
        frame.draw(&mut doc, &plot);

        let zero = plot.y(&axis, 0.0);
        let colour = svg::escape(&self.colour);
        let _ = write!(doc.buf(), r#"<g class="bars" fill="{colour}">"#);
        for (i, bar) in self
            .bars
            .iter()
            .enumerate()
            .filter(|(_, b)| b.value.is_finite())
        {
            let top = plot.y(&axis, bar.value);
            let (y, h) = if top < zero {
                (top, zero - top)
            } else {
                (zero, top - zero)
            };
            let _ = write!(
                doc.buf(),
                r#"<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>"#,
                num(plot.left + band * (i as f64 + 0.1)),
                num(y),
                num(band * 0.8),
                num(h),
                svg::escape(&bar.label),
                svg::escape(&self.locale.number(bar.value, self.decimals))
            );
        }
        doc.raw("</g>");

        doc.raw(r#"<g class="x-axis">"#);
        // When bars are thin, only every n-th label is written, so labels never overlap.
        let every = if turned {
            ((TICK_SIZE + 2.0) / band).ceil().max(1.0) as usize
        } else {
            1
        };
        for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let cx = plot.left + band * (i as f64 + 0.5);
            let y = plot.bottom() + TICK_SIZE + 6.0;
            if turned {
                let _ = write!(
                    doc.buf(),
                    r#"<text transform="translate({},{}) rotate(-45)" font-size="{}" text-anchor="end" fill="{MUTED}">{}</text>"#,
                    num(cx + 3.0),
                    num(plot.bottom() + 8.0),
                    num(TICK_SIZE),
                    svg::escape(label)
                );
            } else {
                doc.text(cx, y, TICK_SIZE, "middle", MUTED, label);
            }
        }
        doc.raw("</g>");
        doc.finish()
    }
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL {
        label.to_string()
    } else {
        let cut: String = label.chars().take(MAX_LABEL - 1).collect();
        format!("{}…", cut.trim_end())
    }
}
