//! The language a figure's numbers and dates are written in.

/// The languages Kinga's interface speaks; they differ here only in how numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    fn separators(self) -> (&'static str, char) {
        match self {
            Lang::En => (",", '.'),
            // French groups thousands with a narrow no-break space (as CLDR does), so a number
            // never breaks across lines.
            Lang::Fr => ("\u{202f}", ','),
        }
    }
}

/// How a figure writes numbers and dates. Month names are optional: without them, dates on an
/// axis are written as ISO 8601 numbers (`2024-03`), which need no translation.
#[derive(Debug, Clone, Default)]
pub struct Locale {
    pub lang: Lang,
    pub month_names: Option<[String; 12]>,
}

impl Locale {
    pub fn new(lang: Lang) -> Self {
        Locale {
            lang,
            month_names: None,
        }
    }

    /// Short month names, January first, as the caller's translations spell them.
    pub fn with_month_names(mut self, names: [String; 12]) -> Self {
        self.month_names = Some(names);
        self
    }

    pub fn number(&self, value: f64, decimals: usize) -> String {
        format_number(value, decimals, self.lang)
    }
}

/// `value` rounded to `decimals` places, with the language's grouping and decimal separators:
/// `1,234.5` in English, `1 234,5` in French.
pub fn format_number(value: f64, decimals: usize, lang: Lang) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let (group, point) = lang.separators();
    let digits = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + 8);
    // A value that rounds to zero is written without a sign.
    if value < 0.0 && digits.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push_str(group);
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push(point);
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_french_separators() {
        assert_eq!(format_number(1234.5, 1, Lang::En), "1,234.5");
        assert_eq!(format_number(1234.5, 1, Lang::Fr), "1\u{202f}234,5");
        assert_eq!(format_number(1_234_567.0, 0, Lang::En), "1,234,567");
        assert_eq!(format_number(123.0, 0, Lang::Fr), "123");
        assert_eq!(format_number(0.25, 2, Lang::Fr), "0,25");
    }

    #[test]
    fn signs_and_rounding() {
        assert_eq!(format_number(-1234.0, 0, Lang::En), "-1,234");
        assert_eq!(format_number(-0.04, 1, Lang::En), "0.0");
        assert_eq!(format_number(999.96, 1, Lang::En), "1,000.0");
        assert_eq!(format_number(f64::NAN, 1, Lang::En), "");
    }
}
