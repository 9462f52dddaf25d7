//! The frame line and bar charts share: title, plot area, the value axis and axis labels.
use super::ChartText;
use crate::locale::Locale;
use crate::scale::Linear;
use crate::svg::{self, num, Doc, MUTED, RULE};
use std::fmt::Write;

pub(crate) const TICK_SIZE: f64 = 11.0;
const TITLE_SIZE: f64 = 14.0;
const LABEL_SIZE: f64 = 12.0;

/// The rectangle values are drawn in, in the SVG's pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Plot {
    pub(crate) fn bottom(&self) -> f64 {
        self.top + self.height
    }

    pub(crate) fn right(&self) -> f64 {
        self.left + self.width
    }

    /// The vertical pixel of `value` on `axis`.
    pub(crate) fn y(&self, axis: &Linear, value: f64) -> f64 {
        self.bottom() - axis.fraction(value) * self.height
    }
}

/// What the frame needs to know to place the plot.
pub(crate) struct Frame<'a> {
    pub text: &'a ChartText,
    pub locale: &'a Locale,
    pub width: f64,
    pub height: f64,
    pub axis: &'a Linear,
    /// Room under the plot for the category or date labels.
    pub x_labels_height: f64,
    /// Rows reserved above the plot for a legend.
    pub legend_rows: usize,
}

impl Frame<'_> {
    fn tick_labels(&self) -> Vec<String> {
        self.axis
            .ticks
            .iter()
            .map(|t| self.locale.number(*t, self.axis.decimals))
            .collect()
    }

    pub(crate) fn plot(&self) -> Plot {
        let widest = self
            .tick_labels()
            .iter()
            .map(|l| svg::text_width(l, TICK_SIZE))
            .fold(0.0, f64::max);
        let y_label = if self.text.y_label.is_empty() {
            0.0
        } else {
            LABEL_SIZE + 8.0
        };
        let x_label = if self.text.x_label.is_empty() {
            0.0
        } else {
            LABEL_SIZE + 8.0
        };
        let title = if self.text.title.is_empty() {
            8.0
        } else {
            TITLE_SIZE + 18.0
        };
        let left = 10.0 + y_label + widest + 6.0;
        let top = title + 20.0 * self.legend_rows as f64;
        let bottom = self.x_labels_height + x_label + 8.0;
        Plot {
            left,
            top,
            width: (self.width - left - 16.0).max(10.0),
            height: (self.height - top - bottom).max(10.0),
        }
    }

    /// Title, grid lines with the value axis's labels, and both axis labels.
    pub(crate) fn draw(&self, doc: &mut Doc, plot: &Plot) {
        if !self.text.title.is_empty() {
            let _ = write!(
                doc.buf(),
                r#"<text x="10" y="{}" font-size="{}" font-weight="bold">{}</text>"#,
                num(TITLE_SIZE + 6.0),
                num(TITLE_SIZE),
                svg::escape(&self.text.title)
            );
        }
        doc.raw(r#"<g class="y-axis">"#);
        for (tick, label) in self.axis.ticks.iter().zip(self.tick_labels()) {
            let y = plot.y(self.axis, *tick);
            let colour = if *tick == 0.0 { MUTED } else { RULE };
            let _ = write!(
                doc.buf(),
                r#"<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="1"/>"#,
                num(plot.left),
                num(plot.right()),
                y = num(y)
            );
            doc.text(plot.left - 6.0, y + 4.0, TICK_SIZE, "end", MUTED, &label);
        }
        doc.raw("</g>");
        if !self.text.y_label.is_empty() {
            let (x, y) = (10.0 + LABEL_SIZE, plot.top + plot.height / 2.0);
            let _ = write!(
                doc.buf(),
                r#"<text transform="translate({},{}) rotate(-90)" font-size="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                num(x),
                num(y),
                num(LABEL_SIZE),
                svg::escape(&self.text.y_label)
            );
        }
        if !self.text.x_label.is_empty() {
            let y = plot.bottom() + self.x_labels_height + LABEL_SIZE + 4.0;
            doc.text(
                plot.left + plot.width / 2.0,
                y,
                LABEL_SIZE,
                "middle",
                MUTED,
                &self.text.x_label,
            );
        }
    }
}

/// A chart with nothing to draw: its title and the caller's message in the middle.
pub(crate) fn empty(class: &str, text: &ChartText, width: f64, height: f64) -> String {
    let mut doc = Doc::new(class, width, height, &text.title, &text.desc);
    if !text.title.is_empty() {
        let _ = write!(
            doc.buf(),
            r#"<text x="10" y="{}" font-size="{}" font-weight="bold">{}</text>"#,
            num(TITLE_SIZE + 6.0),
            num(TITLE_SIZE),
            svg::escape(&text.title)
        );
    }
    let _ = write!(
        doc.buf(),
        r#"<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="{RULE}"/>"#,
        num(width - 1.0),
        num(height - 1.0)
    );
    doc.raw(r#"<g class="empty">"#);
    doc.text(
        width / 2.0,
        height / 2.0 + 5.0,
        13.0,
        "middle",
        MUTED,
        &text.empty,
    );
    doc.raw("</g>");
    doc.finish()
}

/// A row of legend entries (a short line of each series' colour, then its name) above the plot.
/// Rows wrap at `wrap` pixels, the width `legend_rows` was asked about.
pub(crate) fn legend(doc: &mut Doc, plot: &Plot, wrap: f64, entries: &[(&str, &str)]) {
    doc.raw(r#"<g class="legend">"#);
    let mut x = plot.left;
    let mut y = plot.top - 20.0 * legend_rows(wrap, entries) as f64 + 6.0;
    for (name, colour) in entries {
        let w = 22.0 + svg::text_width(name, TICK_SIZE) + 14.0;
        if x + w > plot.left + wrap && x > plot.left {
            x = plot.left;
            y += 20.0;
        }
        let _ = write!(
            doc.buf(),
            r#"<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="3"/>"#,
            num(x),
            num(x + 16.0),
            svg::escape(colour),
            y = num(y)
        );
        doc.text(x + 22.0, y + 4.0, TICK_SIZE, "start", MUTED, name);
        x += w;
    }
    doc.raw("</g>");
}

/// How many rows `legend` needs for `entries` across `width`.
pub(crate) fn legend_rows(width: f64, entries: &[(&str, &str)]) -> usize {
    let mut rows = 1;
    let mut x = 0.0;
    for (name, _) in entries {
        let w = 22.0 + svg::text_width(name, TICK_SIZE) + 14.0;
        if x + w > width && x > 0.0 {
            rows += 1;
            x = 0.0;
        }
        x += w;
    }
    rows
}
