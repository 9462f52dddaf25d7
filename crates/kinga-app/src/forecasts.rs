//! Forecasts of the statistical risk model, stored for the country pages. The model runs on the
//! command line; what it stores is public and recorded under the task that ran it.
use crate::{Result, System};
use kinga_domain::risk::NewForecast;

impl System {
    /// Stores a year's forecasts; how many were stored.
    #[tracing::instrument(skip_all, fields(forecasts = batch.len()))]
    pub async fn save_forecasts(&self, batch: Vec<NewForecast>) -> Result<u64> {
        Ok(self.store.save_forecasts(&self.actor, batch).await?)
    }
}
