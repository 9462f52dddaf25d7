//! Writing SVG: escaping, the root element every figure shares, and short coordinates.
use std::fmt::Write;

/// Text and attribute values escaped for XML; quotes too, since both go into attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate rounded to one decimal, written as briefly as possible (`12`, `12.5`, `-0.5`).
pub(crate) fn num(value: f64) -> String {
    tenths(round_tenths(value))
}

pub(crate) fn round_tenths(value: f64) -> i64 {
    // Figures are at most a few thousand pixels, so the cast cannot overflow.
    (value * 10.0).round() as i64
}

pub(crate) fn tenths(t: i64) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let a = t.unsigned_abs();
    if a.is_multiple_of(10) {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

pub(crate) const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
pub(crate) const INK: &str = "#1a1a1a";
pub(crate) const MUTED: &str = "#5f6368";
pub(crate) const RULE: &str = "#e0e0e0";

/// An SVG document being written: the root element with its accessible name and description.
pub(crate) struct Doc {
    out: String,
}

impl Doc {
    pub(crate) fn new(class: &str, width: f64, height: f64, title: &str, desc: &str) -> Self {
        let mut out = String::with_capacity(4096);
        let (w, h) = (num(width), num(height));
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" font-family="{}" fill="{INK}"><title>{}</title><desc>{}</desc>"#,
            escape(class),
            escape(FONT),
            escape(title),
            escape(desc)
        );
        Doc { out }
    }

    pub(crate) fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    pub(crate) fn buf(&mut self) -> &mut String {
        &mut self.out
    }

    /// A line of text; `anchor` is `start`, `middle` or `end`.
    pub(crate) fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, fill: &str, text: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{}">{}</text>"#,
            num(x),
            num(y),
            num(size),
            escape(fill),
            escape(text)
        );
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A rough width of a line of text, enough to leave room for axis labels without measuring
/// glyphs (which would need the fonts the reader's browser has).
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.58
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<b> & "q" 'a'"#),
            "&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos;"
        );
        assert_eq!(escape("a\u{1}b"), "ab");
    }

    #[test]
    fn short_coordinates() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.04), "12");
        assert_eq!(num(12.06), "12.1");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(-0.04), "0");
    }
}
