//! The trend chart of one region: a bar per period of its event counts, the periods that raised
//! a signal marked in red. Plain SVG drawn on the server, so it needs no script and prints.
use chrono::NaiveDate;
use kinga_domain::period::Period;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 10.0;

pub struct Trend<'a> {
    pub period: Period,
    pub first: i64,
    /// One count per period from `first` on.
    pub counts: &'a [u64],
    /// Buckets that raised at least one signal.
    pub signalled: &'a [i64],
    pub title: &'a str,
    pub legend_counts: &'a str,
    pub legend_signal: &'a str,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn date(period: Period, bucket: i64) -> NaiveDate {
    period.start(bucket)
}

pub fn svg(t: &Trend) -> String {
    let n = t.counts.len().max(1) as f64;
    let max = t.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = plot_w / n;
    let bar = (step * 0.8).max(0.5);
    let title = escape(t.title);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{title}" data-testid="signal-chart"><title>{title}</title>"#
    );
    out.push_str(&format!(
        r##"<line x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" stroke="#888" stroke-width="1"/>"##,
        y = TOP + plot_h,
        x2 = WIDTH - 4.0
    ));
    out.push_str(&format!(
        r##"<text x="{x}" y="{y}" font-size="10" text-anchor="end" fill="#444">{max}</text><text x="{x}" y="{y0}" font-size="10" text-anchor="end" fill="#444">0</text>"##,
        x = LEFT - 4.0,
        y = TOP + 8.0,
        y0 = TOP + plot_h,
    ));
    for (i, &c) in t.counts.iter().enumerate() {
        let bucket = t.first + i as i64;
        let x = LEFT + i as f64 * step;
        let h = c as f64 / max * plot_h;
        let marked = t.signalled.contains(&bucket);
        let fill = if marked { "#b3261e" } else { "#5b7fa6" };
        if c > 0 || marked {
            out.push_str(&format!(
                r#"<rect x="{x:.2}" y="{y:.2}" width="{bar:.2}" height="{h:.2}" fill="{fill}"{data}><title>{d}: {c}</title></rect>"#,
                y = TOP + plot_h - h,
                data = if marked { r#" data-signal="1""# } else { "" },
                d = date(t.period, bucket),
            ));
        }
        if marked {
            out.push_str(&format!(
                r##"<circle cx="{cx:.2}" cy="{cy:.2}" r="3" fill="#b3261e"/>"##,
                cx = x + bar / 2.0,
                cy = TOP + plot_h - h - 5.0,
            ));
        }
    }
    let last = t.first + t.counts.len() as i64 - 1;
    out.push_str(&format!(
        r##"<text x="{LEFT}" y="{y}" font-size="10" fill="#444">{a}</text><text x="{x2}" y="{y}" font-size="10" text-anchor="end" fill="#444">{b}</text>"##,
        y = HEIGHT - 6.0,
        x2 = WIDTH - 4.0,
        a = date(t.period, t.first),
        b = date(t.period, last.max(t.first)),
    ));
    out.push_str(&format!(
        r##"<rect x="{lx}" y="{ly}" width="8" height="8" fill="#5b7fa6"/><text x="{tx}" y="{ty}" font-size="10" fill="#444">{a}</text><rect x="{lx2}" y="{ly}" width="8" height="8" fill="#b3261e"/><text x="{tx2}" y="{ty}" font-size="10" fill="#444">{b}</text>"##,
        lx = WIDTH / 2.0 - 120.0,
        tx = WIDTH / 2.0 - 108.0,
        lx2 = WIDTH / 2.0 + 20.0,
        tx2 = WIDTH / 2.0 + 32.0,
        ly = HEIGHT - 14.0,
        ty = HEIGHT - 6.0,
        a = escape(t.legend_counts),
        b = escape(t.legend_signal),
    ));
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_signalled_periods_and_escapes_the_title() {
        let s = svg(&Trend {
            period: Period::Week,
            first: 2280,
            counts: &[0, 2, 9, 0],
            signalled: &[2282],
            title: "Ouham <province> & co",
            legend_counts: "events",
            legend_signal: "signal",
        });
        assert_eq!(s.matches("data-signal=\"1\"").count(), 1);
        assert!(s.contains("Ouham &lt;province&gt; &amp; co"));
        assert!(!s.contains("<province>"));
        assert_eq!(
            s.matches("<rect").count(),
            2 + 2,
            "two bars and two legend keys"
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
    }
}
