//! The storage port for alerts and the record of responses. Raising is idempotent by the
//! alert's dedup key within its organisation; moves are checked against the domain's lifecycle
//! inside the write, and only the owning organisation moves its alerts.
use crate::{Actor, Page, Result, Scope};
use async_trait::async_trait;
use kinga_domain::alert::{
    Alert, AlertLevel, AlertMove, AlertStatus, NewAlert, NewResponse, ResponseAction, Tier,
};
use kinga_domain::ids::AlertId;
use kinga_domain::Country;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct AlertFilter {
    pub status: Option<AlertStatus>,
    pub country: Option<Country>,
    pub level: Option<AlertLevel>,
    pub tier: Option<Tier>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for AlertFilter {
    fn default() -> Self {
        AlertFilter {
            status: None,
            country: None,
            level: None,
            tier: None,
            limit: 100,
            offset: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponseFilter {
    pub alert: Option<AlertId>,
    pub country: Option<Country>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for ResponseFilter {
    fn default() -> Self {
        ResponseFilter {
            alert: None,
            country: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// What raising gave: the alert, and whether it is new or the one its dedup key already named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Raised {
    pub alert: Alert,
    pub created: bool,
}

#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Raises an alert for the actor's organisation. An alert of the same organisation with the
    /// same dedup key is returned as it is, never raised twice, also when two raises race.
    async fn raise_alert(&self, actor: &Actor, new: NewAlert) -> Result<Raised>;
    async fn alert(&self, scope: &Scope, id: AlertId) -> Result<Option<Alert>>;
    /// Alerts the reader may see, newest first.
    async fn alerts(&self, scope: &Scope, filter: &AlertFilter) -> Result<Page<Alert>>;
    /// Moves an alert the reader may see and the actor's organisation owns. With
    /// `expected_version`, refuses (`Conflict`) when someone moved it meanwhile.
    async fn move_alert(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AlertId,
        wanted: AlertMove,
        expected_version: Option<u32>,
    ) -> Result<Alert>;
    /// Records a response. When it answers an alert, that alert must be visible to the reader;
    /// an open alert not yet responded to moves to `responded` in the same write, when the
    /// actor's organisation owns it.
    async fn record_response(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewResponse,
    ) -> Result<ResponseAction>;
    /// Responses the reader may see, latest date first.
    async fn responses(
        &self,
        scope: &Scope,
        filter: &ResponseFilter,
    ) -> Result<Page<ResponseAction>>;
}
