use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

/// Now, cut to microseconds: both databases keep microseconds, and a record's audit digest
/// must come out the same after a round trip through either.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Days since 1970-01-01: the integer bucket stored beside every date so time aggregation is
/// the same SQL on every backend.
pub fn day_number(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    (d - epoch).num_days()
}
