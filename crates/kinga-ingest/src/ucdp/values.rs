//! Parsers for single GED cells. They return the problem as a phrase that completes
//! "'<value>' ...", so the row parser can wrap it with file, line and field.
use chrono::{NaiveDate, NaiveDateTime};

/// GED dates come as `2009-02-20` (CSV release) or `2009-02-20T00:00:00` (GeoJSON and R
/// conversions); the time is always midnight and carries no information.
pub(crate) fn date(s: &str) -> Result<NaiveDate, String> {
    if let Some(d) = plain_date(s) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").map(|d| d.date()))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").map(|d| d.date()))
        .map_err(|_| "is not a date".to_string())
}

/// `YYYY-MM-DD` read without a format string: every row of a large file has two dates, and
/// the general parser showed in an import's profile. Anything else goes to the general parser.
fn plain_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// A count or identifier. Conversions through R store integers as doubles (`118.0`), so a
/// whole-valued decimal is accepted; a fraction or a sign is not.
pub(crate) fn whole(s: &str) -> Result<u64, String> {
    let digits = match s.split_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        Some(_) => return Err("is not a whole number".to_string()),
        None => s,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("is not a non-negative whole number".to_string());
    }
    digits
        .parse()
        .map_err(|_| "is too large a number".to_string())
}

pub(crate) fn whole_u32(s: &str) -> Result<u32, String> {
    u32::try_from(whole(s)?).map_err(|_| "is too large a number".to_string())
}

/// A code on one of UCDP's closed scales (type of violence, date and place precision).
pub(crate) fn code(s: &str, lo: u8, hi: u8) -> Result<u8, String> {
    whole(s)
        .ok()
        .and_then(|n| u8::try_from(n).ok())
        .filter(|n| (lo..=hi).contains(n))
        .ok_or_else(|| format!("is not a code from {lo} to {hi}"))
}

pub(crate) fn degrees(s: &str, limit: f64) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| "is not a number".to_string())?;
    // The range test also rejects NaN and the infinities, which `f64::from_str` accepts.
    if (-limit..=limit).contains(&v) {
        Ok(v)
    } else {
        Err(format!("is outside -{limit} to {limit}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_ged_spellings() {
        let d = NaiveDate::from_ymd_opt(2009, 2, 20).unwrap();
        assert_eq!(date("2009-02-20"), Ok(d));
        assert_eq!(date("2009-02-20T00:00:00"), Ok(d));
        assert!(date("2013-13-01").is_err());
        assert!(date("20/02/2009").is_err());
        assert!(date("2009-02-20T").is_err());
        assert!(date("2009-02-30").is_err());
        // The quick path reads what the general parser reads, or leaves it to it.
        for s in [
            "2009-02-20",
            "2009-02-30",
            "2009-0a-20",
            "0999-12-31",
            "2009-2-20",
            "2024-02-29",
            "2023-02-29",
            "2023-00-10",
            "+209-01-01",
        ] {
            let general = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            assert!(plain_date(s).is_none_or(|d| Some(d) == general), "{s}");
            assert_eq!(date(s).ok(), general, "{s}");
        }
    }

    #[test]
    fn whole_numbers_accept_r_doubles_only_when_whole() {
        assert_eq!(whole("118"), Ok(118));
        assert_eq!(whole("118.0"), Ok(118));
        assert!(whole("118.5").is_err());
        assert!(whole("118.").is_err());
        assert!(whole("-1").is_err());
        assert!(whole("+1").is_err());
        assert!(whole("").is_err());
        assert!(whole_u32("99999999999").is_err());
    }

    #[test]
    fn codes_and_degrees_are_range_checked() {
        assert_eq!(code("3", 1, 3), Ok(3));
        assert!(code("4", 1, 3).is_err());
        assert!(code("0", 1, 5).is_err());
        assert_eq!(degrees("-29.965717", 90.0), Ok(-29.965717));
        assert!(degrees("91", 90.0).is_err());
        assert!(degrees("NaN", 90.0).is_err());
        assert!(degrees("inf", 180.0).is_err());
    }
}
