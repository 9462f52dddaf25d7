//! Detector settings, one set per level. The defaults are textbook values fixed before any data
//! was looked at (see docs/escalation.md); a deployment overrides them with a JSON file.
use super::series::{Level, Measure};
use kinga_domain::period::Period;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorConfig {
    pub measure: Measure,
    /// A signal needs at least this many in the period itself, whatever the statistics say: one
    /// event in a quiet province is a fact to read, not an escalation.
    pub min_count: u64,
    /// The expected value never goes below this, so a baseline of zeros does not make every
    /// single event infinitely surprising.
    pub min_expected: f64,
    pub ewma: Option<EwmaConfig>,
    pub cusum: Option<CusumConfig>,
    pub ears: Option<EarsConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwmaConfig {
    /// Weight of the newest period, 0 < λ ≤ 1.
    pub lambda: f64,
    /// Control-limit width in standard deviations of the EWMA statistic.
    pub limit: f64,
    pub baseline: usize,
    pub guard: usize,
    /// Periods of baseline needed before judging at all.
    pub min_history: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CusumConfig {
    /// The shift the CUSUM is tuned to catch, as a multiple of the expected value.
    pub shift: f64,
    /// Decision interval on the log-likelihood-ratio scale.
    pub decision: f64,
    pub baseline: usize,
    pub guard: usize,
    pub min_history: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarsConfig {
    /// Which of C1, C2, C3 to run.
    pub variants: Vec<EarsVariant>,
    pub baseline: usize,
    /// Threshold of C1 and C2 (standard deviations).
    pub limit: f64,
    /// Threshold of C3 (sum of the last three C2 excesses over one).
    pub c3_limit: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EarsVariant {
    C1,
    C2,
    C3,
}

impl DetectorConfig {
    /// Defaults for a level and period length. Weekly baselines span a year, monthly ones two;
    /// the guard band is a fortnight or a month. Country series aggregate many divisions and are
    /// less sparse, so they ask for more events before signalling.
    pub fn default_for(level: Level, period: Period) -> Self {
        let (baseline, guard) = match period {
            Period::Week => (52, 2),
            Period::Month => (24, 1),
        };
        let min_history = baseline / 2;
        let min_count = match level {
            Level::Country => 5,
            Level::Admin1 => 3,
        };
        Self {
            measure: Measure::Events,
            min_count,
            min_expected: 0.5,
            ewma: Some(EwmaConfig {
                lambda: 0.3,
                limit: 3.0,
                baseline,
                guard,
                min_history,
            }),
            cusum: Some(CusumConfig {
                shift: 2.0,
                decision: 5.0,
                baseline,
                guard,
                min_history,
            }),
            ears: Some(EarsConfig {
                variants: vec![EarsVariant::C2],
                baseline: 7,
                limit: 3.0,
                c3_limit: 2.0,
            }),
        }
    }

    /// Checks the ranges a typo could break; returns the offending field and why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |f: &str, m: &str| Err((f.to_string(), m.to_string()));
        if not_positive(self.min_expected) {
            return bad("min_expected", "must be greater than 0");
        }
        if let Some(e) = &self.ewma {
            if not_positive(e.lambda) || e.lambda > 1.0 {
                return bad("ewma.lambda", "must be in (0, 1]");
            }
            if not_positive(e.limit) {
                return bad("ewma.limit", "must be greater than 0");
            }
            if e.baseline == 0 {
                return bad("ewma.baseline", "must be at least 1");
            }
        }
        if let Some(c) = &self.cusum {
            if c.shift.is_nan() || c.shift <= 1.0 {
                return bad("cusum.shift", "must be greater than 1");
            }
            if not_positive(c.decision) {
                return bad("cusum.decision", "must be greater than 0");
            }
            if c.baseline == 0 {
                return bad("cusum.baseline", "must be at least 1");
            }
        }
        if let Some(e) = &self.ears {
            if e.baseline < 2 {
                return bad("ears.baseline", "must be at least 2");
            }
            if e.variants.is_empty() {
                return bad("ears.variants", "name at least one of C1, C2, C3");
            }
        }
        Ok(())
    }
}

/// Settings for both levels, as read from a configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelConfigs {
    pub country: DetectorConfig,
    pub admin1: DetectorConfig,
}

impl LevelConfigs {
    pub fn default_for(period: Period) -> Self {
        Self {
            country: DetectorConfig::default_for(Level::Country, period),
            admin1: DetectorConfig::default_for(Level::Admin1, period),
        }
    }

    pub fn for_level(&self, level: Level) -> &DetectorConfig {
        match level {
            Level::Country => &self.country,
            Level::Admin1 => &self.admin1,
        }
    }
}

fn not_positive(x: f64) -> bool {
    x.is_nan() || x <= 0.0
}

impl LevelConfigs {
    /// Reads a JSON settings file: any field it names replaces the default for that level and
    /// period, the rest keep their defaults. Errors name the JSON path.
    pub fn from_json(text: &str, period: Period) -> Result<Self, ConfigError> {
        let given: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let mut merged = serde_json::to_value(Self::default_for(period))
            .map_err(|e| ConfigError::Syntax(e.to_string()))?;
        merge(&mut merged, given, "$")?;
        let configs: Self = serde_json::from_value(merged)
            .map_err(|e| ConfigError::Field("$".into(), e.to_string()))?;
        for (level, config) in [("country", &configs.country), ("admin1", &configs.admin1)] {
            config
                .validate()
                .map_err(|(field, why)| ConfigError::Field(format!("$.{level}.{field}"), why))?;
        }
        Ok(configs)
    }
}

fn merge(
    base: &mut serde_json::Value,
    given: serde_json::Value,
    path: &str,
) -> Result<(), ConfigError> {
    use serde_json::Value;
    match (base, given) {
        (Value::Object(b), Value::Object(g)) => {
            for (k, v) in g {
                let here = format!("{path}.{k}");
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v, &here)?,
                    None => return Err(ConfigError::Field(here, "unknown setting".into())),
                }
            }
            Ok(())
        }
        (slot, v) => {
            *slot = v;
            Ok(())
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("detector settings are not valid JSON: {0}")]
    Syntax(String),
    #[error("detector setting {0}: {1}")]
    Field(String, String),
}
