//! A time-series line chart: one or more series of dated values.
use super::axes::{self, Frame, Plot, TICK_SIZE};
use super::{palette_colour, ChartText};
use crate::locale::Locale;
use crate::scale::{self, Linear};
use crate::svg::{self, num, Doc, MUTED};
use chrono::NaiveDate;
use std::fmt::Write;

/// One line: its name (for the legend), its dated values, and a colour if the caller wants a
/// particular one (otherwise the next of [`super::PALETTE`]).
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub name: String,
    pub points: Vec<(NaiveDate, f64)>,
    pub colour: Option<String>,
}

impl Series {
    pub fn new(name: impl Into<String>, points: Vec<(NaiveDate, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            colour: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LineChart {
    pub text: ChartText,
    pub locale: Locale,
    pub series: Vec<Series>,
    pub width: f64,
    pub height: f64,
}

impl LineChart {
    /// A chart 640 by 320 pixels with no series yet.
    pub fn new(text: ChartText, locale: Locale) -> Self {
        LineChart {
            text,
            locale,
            series: Vec::new(),
            width: 640.0,
            height: 320.0,
        }
    }

    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    pub fn to_svg(&self) -> String {
        let finite = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|(_, v)| v.is_finite())
        };
        let (Some(first), Some(last)) = (
            finite().map(|(d, _)| *d).min(),
            finite().map(|(d, _)| *d).max(),
        ) else {
            return axes::empty(
                "kinga-chart kinga-line",
                &self.text,
                self.width,
                self.height,
            );
        };
        // A single day gets a week around it, so its point sits in the middle of the axis.
        let (start, end) = if first == last {
            (first - chrono::Days::new(3), last + chrono::Days::new(3))
        } else {
            (first, last)
        };
        let lo = finite().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
        let hi = finite().map(|(_, v)| *v).fold(f64::NEG_INFINITY, f64::max);
        let axis = Linear::including_zero(lo, hi, 5);

        let colours: Vec<String> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.colour
                    .clone()
                    .unwrap_or_else(|| palette_colour(i).to_string())
            })
            .collect();
        let entries: Vec<(&str, &str)> = self
            .series
            .iter()
            .zip(&colours)
            .filter(|(s, _)| !s.name.is_empty())
            .map(|(s, c)| (s.name.as_str(), c.as_str()))
            .collect();
        let show_legend = self.series.len() > 1 && !entries.is_empty();
        let wrap = self.width - 80.0;
        let frame = Frame {
            text: &self.text,
            locale: &self.locale,
            width: self.width,
            height: self.height,
            axis: &axis,
            x_labels_height: TICK_SIZE + 10.0,
            legend_rows: if show_legend {
                axes::legend_rows(wrap, &entries)
            } else {
                0
            },
        };
        let plot = frame.plot();
        let span = (end - start).num_days() as f64;
        let x = |d: NaiveDate| plot.left + (d - start).num_days() as f64 / span * plot.width;

        let mut doc = Doc::new(
            "kinga-chart kinga-line",
            self.width,
            self.height,
            &self.text.title,
            &self.text.desc,
        );
        frame.draw(&mut doc, &plot);
        self.date_axis(&mut doc, &plot, start, end, x);
        if show_legend {
            axes::legend(&mut doc, &plot, wrap, &entries);
        }
        for (series, colour) in self.series.iter().zip(&colours) {
            draw_series(&mut doc, series, colour, x, |v| plot.y(&axis, v));
        }
        doc.finish()
    }

    fn date_axis(
        &self,
        doc: &mut Doc,
        plot: &Plot,
        start: NaiveDate,
        end: NaiveDate,
        x: impl Fn(NaiveDate) -> f64,
    ) {
        let max_ticks = ((plot.width / 80.0) as usize).clamp(2, 10);
        let (step, ticks) = scale::date_ticks(start, end, max_ticks);
        doc.raw(r#"<g class="x-axis">"#);
        for (i, tick) in ticks.iter().enumerate() {
            let tx = x(*tick);
            let label = scale::date_label(*tick, step, i == 0, &self.locale);
            let _ = write!(
                doc.buf(),
                r#"<line x1="{tx}" x2="{tx}" y1="{}" y2="{}" stroke="{MUTED}"/>"#,
                num(plot.bottom()),
                num(plot.bottom() + 4.0),
                tx = num(tx)
            );
            // A label that would run past the right edge is ended at its tick instead.
            let half = svg::text_width(&label, TICK_SIZE) / 2.0;
            let anchor = if tx + half > self.width - 2.0 {
                "end"
            } else {
                "middle"
            };
            doc.text(
                tx,
                plot.bottom() + TICK_SIZE + 6.0,
                TICK_SIZE,
                anchor,
                MUTED,
                &label,
            );
        }
        doc.raw("</g>");
    }
}

/// The series as one path, broken where a value is missing; a value alone between gaps is a dot.
fn draw_series(
    doc: &mut Doc,
    series: &Series,
    colour: &str,
    x: impl Fn(NaiveDate) -> f64,
    y: impl Fn(f64) -> f64,
) {
    let mut points = series.points.clone();
    points.sort_by_key(|(d, _)| *d);
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (d, v) in points {
        if v.is_finite() {
            if let Some(run) = runs.last_mut() {
                run.push((x(d), y(v)));
            }
        } else if runs.last().is_some_and(|r| !r.is_empty()) {
            runs.push(Vec::new());
        }
    }
    let colour = svg::escape(colour);
    let _ = write!(
        doc.buf(),
        r#"<g class="series" data-name="{}">"#,
        svg::escape(&series.name)
    );
    let mut d = String::new();
    for run in runs.iter().filter(|r| r.len() > 1) {
        for (i, (px, py)) in run.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{}",
                if i == 0 { "M" } else { "L" },
                num(*px),
                num(*py)
            );
        }
    }
    if !d.is_empty() {
        let _ = write!(
            doc.buf(),
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>"#
        );
    }
    for run in runs.iter().filter(|r| r.len() == 1) {
        let (px, py) = run[0];
        let _ = write!(
            doc.buf(),
            r#"<circle cx="{}" cy="{}" r="2.5" fill="{colour}"/>"#,
            num(px),
            num(py)
        );
    }
    doc.raw("</g>");
}
