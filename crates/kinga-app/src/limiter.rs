//! Slows password guessing: after a few failures for one e-mail or one address, further
//! attempts are refused for a while, whether or not the password would have been right.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(5, Duration::from_secs(15 * 60))
    }
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(minutes)` while any of `keys` is locked out.
    pub fn check(&self, keys: &[&str]) -> Result<(), u64> {
        let mut map = self.failures.lock().expect("limiter lock");
        let now = Instant::now();
        map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        for k in keys {
            if let Some((n, since)) = map.get(*k) {
                if *n >= self.max_failures {
                    let left = self.window.saturating_sub(now.duration_since(*since));
                    return Err(left.as_secs().div_ceil(60).max(1));
                }
            }
        }
        Ok(())
    }

    pub fn failed(&self, keys: &[&str]) {
        let mut map = self.failures.lock().expect("limiter lock");
        let now = Instant::now();
        for k in keys {
            let e = map.entry(k.to_string()).or_insert((0, now));
            e.0 += 1;
        }
    }

    pub fn succeeded(&self, keys: &[&str]) {
        let mut map = self.failures.lock().expect("limiter lock");
        for k in keys {
            map.remove(*k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(l.check(&["a@b.org"]).is_ok());
            l.failed(&["a@b.org"]);
        }
        assert!(l.check(&["a@b.org"]).is_err());
        assert!(l.check(&["c@d.org"]).is_ok());
        l.succeeded(&["a@b.org"]);
        assert!(l.check(&["a@b.org"]).is_ok());
    }
}
