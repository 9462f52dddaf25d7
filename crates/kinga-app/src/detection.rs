//! Watching for escalation: the detectors run over the counts of the events every organisation
//! shares, region by region, and their signals replace the last run of the same level and
//! period. The command line and the demo ask for a run here; what to print is theirs.
use crate::{Result, System};
use kinga_analysis::escalation::{self as esc, DetectorConfig, RegionSeries};
use kinga_domain::event::{Dataset, Level};
use kinga_domain::period::Period;
use kinga_store::{CountQuery, NewSignal, NewSignalRun, SignalRun};

/// What to watch: a level, a period and, optionally, one dataset's events only.
#[derive(Debug, Clone)]
pub struct Watch {
    pub level: Level,
    pub period: Period,
    pub dataset: Option<Dataset>,
}

/// A stored run and how many regions it watched.
#[derive(Debug, Clone)]
pub struct DetectorRun {
    pub run: SignalRun,
    pub regions: usize,
}

impl System {
    /// The dense series of every region at the watched level, from the first period with any
    /// event to the last; `None` when no event has been imported.
    #[tracing::instrument(skip_all)]
    pub async fn event_series(&self, watch: &Watch) -> Result<Option<Vec<RegionSeries>>> {
        let mut query = CountQuery::new(watch.level, watch.period);
        query.dataset = watch.dataset.clone();
        let counts = self.shared_event_counts(&query).await?;
        let (Some(first), Some(last)) = (
            counts.iter().map(|c| c.period).min(),
            counts.iter().map(|c| c.period).max(),
        ) else {
            return Ok(None);
        };
        Ok(Some(esc::build_series(
            &counts,
            watch.level,
            watch.period,
            first,
            last,
        )))
    }

    /// Runs the detectors over every region and stores the signals in place of the last run of
    /// the same level and period; `None` when there are no events to watch.
    #[tracing::instrument(skip_all)]
    pub async fn run_detectors(
        &self,
        watch: &Watch,
        config: &DetectorConfig,
        dataset_label: Option<String>,
    ) -> Result<Option<DetectorRun>> {
        let Some(series) = self.event_series(watch).await? else {
            return Ok(None);
        };
        let found = esc::detect_all(&series, config);
        let first = series.iter().map(|s| s.first).min().unwrap_or_default();
        let last = series.iter().map(RegionSeries::last).max().unwrap_or(first);
        // A detector configuration is plain numbers and names: it always serialises.
        let settings = serde_json::to_string(config).unwrap_or_default();
        let run = self
            .replace_signals(NewSignalRun {
                level: watch.level,
                period: watch.period,
                measure: config.measure.as_str().into(),
                dataset: dataset_label,
                first_bucket: first,
                last_bucket: last,
                settings,
                owner: None,
                signals: found
                    .iter()
                    .map(|s| NewSignal {
                        country: s.region.country,
                        admin1: s.region.admin1.clone(),
                        bucket: s.bucket,
                        measure: s.measure.as_str().into(),
                        method: s.method.as_str().into(),
                        observed: s.observed,
                        expected: s.expected,
                        score: s.score,
                        threshold: s.threshold,
                    })
                    .collect(),
            })
            .await?;
        Ok(Some(DetectorRun {
            run,
            regions: series.len(),
        }))
    }
}
