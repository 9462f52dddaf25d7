use crate::{Actor, Result, Scope};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kinga_domain::audit::AuditEntry;
use kinga_domain::ids::*;
use kinga_domain::incident::{Incident, IncidentFilter, IncidentStatus, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::party::{Act, Involvement, NewAct, NewInvolvement, NewParty, Party};
use kinga_domain::report::{NewReport, Report, TriageDecision, TriageStatus};
use kinga_domain::source::{Citation, NewCitation, NewSource, Source};
use kinga_domain::user::{Email, User};
use kinga_domain::{Country, Role};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page<T> {
    pub total: u64,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    pub status: Option<TriageStatus>,
    pub country: Option<Country>,
    pub incident: Option<IncidentId>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub organisation: Slug,
    pub role: Role,
    pub email: Email,
    pub password_hash: String,
    pub totp_secret: Option<String>,
}

/// What a sign-in is checked against; only the access layer asks for it.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub password_hash: String,
    pub totp_secret: Option<String>,
}

/// How long a token issued before tokens carried an expiry date stays valid after issue.
pub const LEGACY_TOKEN_DAYS: i64 = 90;

/// A bearer token about to be issued; only its SHA-256 is kept.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token_hash: String,
    pub user: UserId,
    pub expires_at: DateTime<Utc>,
    /// Issued against a code from the user's authenticator: the token carries the rights the
    /// role holds only with a second factor.
    pub second_factor: bool,
}

/// The holder of a live token and what the token carries.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub user: User,
    pub second_factor: bool,
    pub expires_at: DateTime<Utc>,
}

/// Consecutive failed sign-ins under one key (an account), since the first of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignInFailures {
    pub count: u32,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the cookie value: a stolen database does not yield live sessions.
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub second_factor_done: bool,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditLock {
    pub incident_id: IncidentId,
    pub user_id: UserId,
    pub user_label: String,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CitedSource {
    pub citation: Citation,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyInvolvement {
    pub involvement: Involvement,
    pub party: Party,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub acts: Vec<Act>,
    pub involvements: Vec<PartyInvolvement>,
    pub citations: Vec<CitedSource>,
    pub reports: Vec<Report>,
    pub lock: Option<EditLock>,
}

pub use kinga_domain::incident::ImportedIncident;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub created: u64,
    pub already_present: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyOutcome {
    pub entries: u64,
    pub records: u64,
    /// The first broken link, named; `None` when the chain and every record are intact.
    pub first_break: Option<String>,
}

/// How far verification has come, for a progress display on a long run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyProgress {
    /// Audit entries recomputed, of the chain's recorded length.
    Entries { done: u64, total: u64 },
    /// Stored records checked against their last entries so far.
    Records { done: u64 },
    /// Days of the event roll-up recounted so far.
    RollUp { days: u64 },
}

/// Everything Kinga keeps. Writes take the `Actor` that the audit chain records; reads take the
/// `Scope` that limits what comes back. Every write commits together with its audit entry, and
/// returns only after the commit is durable.
#[async_trait]
pub trait Store:
    crate::EvidenceStore
    + crate::EventStore
    + crate::EventAggregates
    + crate::RiskStore
    + crate::SignalStore
    + crate::CheckpointStore
    + crate::IncidentEventStore
    + crate::AccessLog
    + crate::AlertStore
    + Send
    + Sync
    + 'static
{
    fn backend_name(&self) -> &'static str;

    // Organisations and networks.
    async fn add_organisation(&self, actor: &Actor, new: NewOrganisation) -> Result<Organisation>;
    async fn organisations(&self) -> Result<Vec<Organisation>>;
    async fn organisation(&self, slug: &Slug) -> Result<Option<Organisation>>;
    /// Organisations sharing a network with `org`, `org` included.
    async fn network_peers(&self, org: OrgId) -> Result<Vec<OrgId>>;

    // Users, tokens and sessions.
    async fn add_user(&self, actor: &Actor, new: NewUser) -> Result<User>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<(User, Credentials)>>;
    async fn users(&self, org: Option<OrgId>) -> Result<Vec<User>>;
    /// Gives a user their first second factor; refuses one who already has it.
    async fn set_second_factor(&self, actor: &Actor, user: UserId, secret: &str) -> Result<()>;
    async fn add_api_token(&self, actor: &Actor, token: &NewApiToken) -> Result<()>;
    /// The holder of a token that is neither revoked nor expired.
    async fn user_by_token(&self, token_hash: &str) -> Result<Option<TokenGrant>>;
    /// Revokes one of the user's tokens (by hash), or all of them; how many were revoked.
    async fn revoke_api_tokens(
        &self,
        actor: &Actor,
        user: UserId,
        token_hash: Option<&str>,
    ) -> Result<u64>;
    /// Sessions are audited: opening, confirming the second factor and closing each append
    /// an entry, and a session row that does not match its last entry opens nothing.
    async fn create_session(&self, actor: &Actor, session: &Session) -> Result<()>;
    async fn session(&self, id_hash: &str) -> Result<Option<Session>>;
    async fn confirm_second_factor(&self, actor: &Actor, id_hash: &str) -> Result<()>;
    async fn delete_session(&self, actor: &Actor, id_hash: &str) -> Result<()>;
    /// Failed sign-ins under `key` within `window`, kept in the database so that a restart
    /// does not clear them.
    async fn sign_in_failures(
        &self,
        key: &str,
        window: chrono::Duration,
    ) -> Result<Option<SignInFailures>>;
    async fn record_sign_in_failure(&self, key: &str, window: chrono::Duration) -> Result<()>;
    async fn clear_sign_in_failures(&self, key: &str) -> Result<()>;

    // Reports: the intake queue.
    async fn submit_report(&self, actor: &Actor, new: NewReport) -> Result<Report>;
    async fn report(&self, scope: &Scope, id: ReportId) -> Result<Option<Report>>;
    async fn reports(&self, scope: &Scope, filter: &ReportFilter) -> Result<Page<Report>>;
    async fn triage_report(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: ReportId,
        decision: TriageDecision,
    ) -> Result<Report>;
    async fn link_report(
        &self,
        actor: &Actor,
        scope: &Scope,
        report: ReportId,
        incident: IncidentId,
    ) -> Result<Report>;

    // Incidents.
    async fn create_incident(&self, actor: &Actor, new: NewIncident) -> Result<Incident>;
    /// Idempotent by `external_ref`: incidents already imported are counted, not duplicated.
    async fn import_incidents(
        &self,
        actor: &Actor,
        batch: Vec<ImportedIncident>,
    ) -> Result<ImportOutcome>;
    async fn incident(&self, scope: &Scope, id: IncidentId) -> Result<Option<Incident>>;
    async fn incidents(&self, scope: &Scope, filter: &IncidentFilter) -> Result<Page<Incident>>;
    async fn incident_detail(
        &self,
        scope: &Scope,
        id: IncidentId,
    ) -> Result<Option<IncidentDetail>>;
    /// Incidents in `country` overlapping `from..=to`: the candidates of duplicate detection.
    async fn incidents_near(
        &self,
        scope: &Scope,
        country: Country,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Incident>>;
    async fn set_incident_status(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: IncidentId,
        status: IncidentStatus,
        explanation: Option<String>,
    ) -> Result<Incident>;
    async fn assign_incident(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: IncidentId,
        assignee: Option<UserId>,
    ) -> Result<Incident>;
    /// Takes the edit lock, or fails with `Locked` naming who holds it. A lock older than
    /// `stale_after` is taken over.
    async fn lock_incident(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: IncidentId,
        stale_after: chrono::Duration,
    ) -> Result<EditLock>;
    async fn unlock_incident(&self, actor: &Actor, id: IncidentId) -> Result<()>;
    async fn add_act(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewAct,
    ) -> Result<Act>;
    async fn add_party(&self, actor: &Actor, new: NewParty) -> Result<Party>;
    async fn parties(&self, scope: &Scope) -> Result<Vec<Party>>;
    async fn add_involvement(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewInvolvement,
    ) -> Result<Involvement>;
    async fn add_source(&self, actor: &Actor, new: NewSource) -> Result<Source>;
    async fn add_citation(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewCitation,
    ) -> Result<Citation>;

    // The audit chain.
    /// Entries about one record, oldest first: the history shown on its page.
    async fn audit_trail(&self, entity_id: &str) -> Result<Vec<AuditEntry>>;
    /// Recomputes the whole chain and checks every stored record against it.
    async fn verify(&self) -> Result<VerifyOutcome> {
        self.verify_reporting(&|_| {}).await
    }
    /// [`Store::verify`], telling `progress` how far it has come every few thousand rows.
    async fn verify_reporting(
        &self,
        progress: &(dyn Fn(VerifyProgress) + Send + Sync),
    ) -> Result<VerifyOutcome>;
}
