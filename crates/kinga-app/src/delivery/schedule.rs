//! When a failed delivery is tried again. The schedule is Svix's, which partners who receive
//! webhooks from other services already expect: the first attempt at once, then after
//! 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours: eight attempts
//! over about 27½ hours, after which the message has failed. Each wait is spread by up to a
//! tenth either way, so messages that failed together (a partner's outage) do not all come
//! back in the same second; the spread is drawn from a seed (the message's own, see
//! [`jitter_seed`]), so a message's schedule is the same every time it is computed.
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// The wait before each attempt, the first being immediate.
pub const RETRY_DELAYS: [Duration; 8] = [
    Duration::zero(),
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(10),
];

/// Days an endpoint may fail every message before it is paused.
pub const PAUSE_AFTER_DAYS: i64 = 5;

/// How much of each wait the jitter may add or take away, in thousandths.
const JITTER_PER_MILLE: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NextAttempt {
    At(DateTime<Utc>),
    /// Every attempt of the schedule was made: the message has failed.
    Failed,
}

/// A seed for a message's jitter, from its outbox id: stable across restarts and different
/// between messages.
pub fn jitter_seed(message_id: &str) -> u64 {
    let digest = Sha256::digest(message_id.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("eight bytes"))
}

/// When to make the next attempt, after `attempts_made` attempts of which the last, made at
/// `last_attempt`, failed. With no attempt made yet the answer is `last_attempt` itself (the
/// time the message was queued).
pub fn next_attempt(attempts_made: usize, last_attempt: DateTime<Utc>, seed: u64) -> NextAttempt {
    match RETRY_DELAYS.get(attempts_made) {
        Some(delay) => NextAttempt::At(last_attempt + jittered(*delay, seed, attempts_made)),
        None => NextAttempt::Failed,
    }
}

fn jittered(delay: Duration, seed: u64, attempt: usize) -> Duration {
    let millis = delay.num_milliseconds();
    let spread = millis * JITTER_PER_MILLE / 1000;
    if spread == 0 {
        return delay;
    }
    // One draw per (message, attempt) from a fixed mixing function: a plain hash, not a
    // random generator, so tests and restarts see the same times.
    let draw = mix(seed ^ (attempt as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let offset = (draw % (2 * spread as u64 + 1)) as i64 - spread;
    Duration::milliseconds(millis + offset)
}

/// SplitMix64's finaliser: spreads nearby inputs over the whole range.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the outbox knows of an endpoint's recent deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointHealth {
    /// The first failed message since the endpoint last accepted one, if any has failed.
    pub failing_since: Option<DateTime<Utc>>,
}

/// Whether to pause an endpoint that has failed every message for `days` days: a partner whose
/// receiver is gone should not be sent each new alert for ever, and a paused endpoint is shown
/// to its owner to fix and resume.
pub fn should_pause(health: EndpointHealth, now: DateTime<Utc>, days: i64) -> bool {
    health
        .failing_since
        .is_some_and(|since| now - since >= Duration::days(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn the_schedule_is_svixs() {
        let secs: Vec<i64> = RETRY_DELAYS.iter().map(Duration::num_seconds).collect();
        assert_eq!(secs, [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    }

    #[test]
    fn each_wait_is_within_a_tenth_of_the_schedule() {
        for seed in 0..500u64 {
            for (n, delay) in RETRY_DELAYS.iter().enumerate() {
                let NextAttempt::At(at) = next_attempt(n, t0(), seed) else {
                    panic!("attempt {n} should be scheduled");
                };
                let waited = (at - t0()).num_milliseconds();
                let nominal = delay.num_milliseconds();
                assert!(
                    (waited - nominal).abs() <= nominal / 10,
                    "seed {seed} attempt {n}: {waited} ms for {nominal} ms"
                );
            }
        }
        assert_eq!(next_attempt(0, t0(), 42), NextAttempt::At(t0()));
    }

    #[test]
    fn jitter_is_the_same_for_the_same_seed_and_spread_across_seeds() {
        let seed = jitter_seed("01890a5d-ac96-774b-bcce-b302099a8057");
        assert_eq!(next_attempt(3, t0(), seed), next_attempt(3, t0(), seed));
        let distinct: std::collections::BTreeSet<_> = (0..50u64)
            .map(|s| next_attempt(4, t0(), jitter_seed(&s.to_string())))
            .collect();
        assert!(
            distinct.len() > 40,
            "{} distinct times of 50",
            distinct.len()
        );
    }

    #[test]
    fn after_the_eighth_attempt_the_message_has_failed() {
        assert!(matches!(next_attempt(7, t0(), 1), NextAttempt::At(_)));
        assert_eq!(next_attempt(8, t0(), 1), NextAttempt::Failed);
        assert_eq!(next_attempt(100, t0(), 1), NextAttempt::Failed);
    }

    #[test]
    fn an_endpoint_is_paused_after_five_days_of_failures_only() {
        let failing = |days: i64| EndpointHealth {
            failing_since: Some(t0() - Duration::days(days)),
        };
        assert!(!should_pause(
            EndpointHealth {
                failing_since: None
            },
            t0(),
            PAUSE_AFTER_DAYS
        ));
        assert!(!should_pause(failing(4), t0(), PAUSE_AFTER_DAYS));
        assert!(should_pause(failing(5), t0(), PAUSE_AFTER_DAYS));
        assert!(should_pause(failing(2), t0(), 2));
    }
}
