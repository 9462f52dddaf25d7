//! Charts: a time-series line chart, a bar chart and a sparkline.
//!
//! Each takes plain values and the caller's translated texts, and returns one SVG string.
//! Values that are NaN or infinite are left out; a chart with nothing left to draw says so with
//! the caller's `empty` text instead of drawing empty axes.
mod axes;
mod bar;
mod line;
mod sparkline;

pub use bar::{Bar, BarChart};
pub use line::{LineChart, Series};
pub use sparkline::Sparkline;

/// The words a chart shows, in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct ChartText {
    /// Drawn at the top and given to screen readers as the figure's name.
    pub title: String,
    /// What the chart shows, for screen readers (e.g. the highest value and when it occurred).
    pub desc: String,
    pub x_label: String,
    pub y_label: String,
    /// Shown in place of the plot when there is nothing to draw.
    pub empty: String,
}

/// Colours that stay apart for readers with the common colour-vision deficiencies (Okabe and
/// Ito's palette), in the order series take them.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

pub(crate) fn palette_colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}
