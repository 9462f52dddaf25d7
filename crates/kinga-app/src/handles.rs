use crate::{AccessError, Result};
use chrono::Duration;
use kinga_domain::audit::AuditEntry;
use kinga_domain::dedup::{self, DuplicateSuggestion, Probe};
use kinga_domain::ids::*;
use kinga_domain::incident::{Incident, IncidentFilter, IncidentStatus, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::party::{Act, Involvement, NewAct, NewInvolvement, NewParty, Party};
use kinga_domain::report::{NewReport, Report, TriageDecision};
use kinga_domain::source::{Citation, NewCitation, NewSource, Source};
use kinga_domain::user::{Email, User};
use kinga_domain::Role;
use kinga_store::*;
use std::sync::Arc;

/// A signed-in user and the organisations whose `network` records they may read.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub peers: Vec<OrgId>,
}

impl Principal {
    pub fn scope(&self) -> Scope {
        Scope {
            user_id: Some(self.user.id),
            organisation_id: Some(self.user.organisation_id),
            role: Some(self.user.role),
            network_peers: self.peers.clone(),
            own_reports_only: self.user.role.sees_only_own_reports(),
            everything: false,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            label: self.user.email.to_string(),
            organisation_id: Some(self.user.organisation_id),
            organisation: Some(self.user.organisation.clone()),
        }
    }
}

/// Anyone signed in: reads within scope, and field reports.
#[derive(Clone)]
pub struct Member {
    store: Arc<dyn Store>,
    principal: Principal,
}

impl Member {
    pub(crate) fn new(store: Arc<dyn Store>, principal: Principal) -> Self {
        Member { store, principal }
    }

    pub fn user(&self) -> &User {
        &self.principal.user
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// For the handles other modules of this crate build on a member (risk desk).
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn as_analyst(&self) -> Result<Analyst> {
        if self.principal.user.role.works_cases() {
            Ok(Analyst(self.clone()))
        } else {
            Err(AccessError::Forbidden(self.principal.user.role))
        }
    }

    pub fn as_admin(&self) -> Result<Admin> {
        if self.principal.user.role.administers() {
            Ok(Admin(self.clone()))
        } else {
            Err(AccessError::Forbidden(self.principal.user.role))
        }
    }

    #[tracing::instrument(skip_all)]
    pub async fn submit_report(&self, new: NewReport) -> Result<Report> {
        if !self.principal.user.role.may_submit_reports() {
            return Err(AccessError::Forbidden(self.principal.user.role));
        }
        Ok(self
            .store
            .submit_report(&self.principal.actor(), new)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn report(&self, id: ReportId) -> Result<Option<Report>> {
        Ok(self.store.report(&self.principal.scope(), id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Page<Report>> {
        Ok(self.store.reports(&self.principal.scope(), filter).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn incidents(&self, filter: &IncidentFilter) -> Result<Page<Incident>> {
        Ok(self
            .store
            .incidents(&self.principal.scope(), filter)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn incident(&self, id: IncidentId) -> Result<Option<Incident>> {
        Ok(self.store.incident(&self.principal.scope(), id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn incident_detail(&self, id: IncidentId) -> Result<Option<IncidentDetail>> {
        Ok(self
            .store
            .incident_detail(&self.principal.scope(), id)
            .await?)
    }

    /// The audit history of an incident the reader may see.
    #[tracing::instrument(skip_all)]
    pub async fn incident_history(&self, id: IncidentId) -> Result<Option<Vec<AuditEntry>>> {
        if self.incident(id).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(self.store.audit_trail(&id.to_string()).await?))
    }

    /// The member's own organisation and those it shares a network with: who else uses this
    /// server, and in which networks, is not every member's business.
    #[tracing::instrument(skip_all)]
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let own = self.principal.user.organisation_id;
        Ok(self
            .store
            .organisations()
            .await?
            .into_iter()
            .filter(|o| o.id == own || self.principal.peers.contains(&o.id))
            .collect())
    }

    #[tracing::instrument(skip_all)]
    pub async fn parties(&self) -> Result<Vec<Party>> {
        Ok(self.store.parties(&self.principal.scope()).await?)
    }
}

/// The case desk: triage, incidents and their coding.
#[derive(Clone)]
pub struct Analyst(Member);

impl Analyst {
    fn parts(&self) -> (&Arc<dyn Store>, Actor, Scope) {
        (
            &self.0.store,
            self.0.principal.actor(),
            self.0.principal.scope(),
        )
    }

    pub fn member(&self) -> &Member {
        &self.0
    }

    #[tracing::instrument(skip_all)]
    pub async fn triage(&self, id: ReportId, decision: TriageDecision) -> Result<Report> {
        let (s, a, sc) = self.parts();
        Ok(s.triage_report(&a, &sc, id, decision).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn link(&self, report: ReportId, incident: IncidentId) -> Result<Report> {
        let (s, a, sc) = self.parts();
        Ok(s.link_report(&a, &sc, report, incident).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_incident(&self, new: NewIncident) -> Result<Incident> {
        let (s, a, _) = self.parts();
        Ok(s.create_incident(&a, new).await?)
    }

    /// Incidents that may already document what `probe` describes, with the reasons.
    #[tracing::instrument(skip_all)]
    pub async fn duplicates(&self, probe: &Probe<'_>) -> Result<Vec<DuplicateSuggestion>> {
        let (s, _, sc) = self.parts();
        let w = Duration::days(dedup::WINDOW_DAYS);
        let near = s
            .incidents_near(&sc, probe.country, probe.date - w, probe.date + w)
            .await?;
        Ok(dedup::suggest(probe, &near, 5))
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_status(
        &self,
        id: IncidentId,
        status: IncidentStatus,
        explanation: Option<String>,
    ) -> Result<Incident> {
        let (s, a, sc) = self.parts();
        Ok(s.set_incident_status(&a, &sc, id, status, explanation)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn assign(&self, id: IncidentId, assignee: Option<UserId>) -> Result<Incident> {
        let (s, a, sc) = self.parts();
        Ok(s.assign_incident(&a, &sc, id, assignee).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn lock(&self, id: IncidentId) -> Result<EditLock> {
        let (s, a, sc) = self.parts();
        Ok(s.lock_incident(&a, &sc, id, Duration::minutes(30)).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn unlock(&self, id: IncidentId) -> Result<()> {
        let (s, a, _) = self.parts();
        Ok(s.unlock_incident(&a, id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_act(&self, incident: IncidentId, new: NewAct) -> Result<Act> {
        let (s, a, sc) = self.parts();
        Ok(s.add_act(&a, &sc, incident, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_party(&self, new: NewParty) -> Result<Party> {
        let (s, a, _) = self.parts();
        Ok(s.add_party(&a, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_involvement(
        &self,
        incident: IncidentId,
        new: NewInvolvement,
    ) -> Result<Involvement> {
        let (s, a, sc) = self.parts();
        Ok(s.add_involvement(&a, &sc, incident, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_source(&self, new: NewSource) -> Result<Source> {
        let (s, a, _) = self.parts();
        Ok(s.add_source(&a, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_citation(&self, incident: IncidentId, new: NewCitation) -> Result<Citation> {
        let (s, a, sc) = self.parts();
        Ok(s.add_citation(&a, &sc, incident, new).await?)
    }

    /// Colleagues an incident may be assigned to.
    #[tracing::instrument(skip_all)]
    pub async fn colleagues(&self) -> Result<Vec<User>> {
        Ok(self
            .0
            .store
            .users(Some(self.0.principal.user.organisation_id))
            .await?)
    }
}

/// Administration of one's own organisation, and admission of new organisations.
#[derive(Clone)]
pub struct Admin(Member);

impl Admin {
    /// Admits an organisation into the administrator's own networks only: admitting one
    /// into another network would let its members read that network's shared records.
    #[tracing::instrument(skip_all)]
    pub async fn add_organisation(&self, new: NewOrganisation) -> Result<Organisation> {
        let own = self
            .0
            .store
            .organisation(&self.0.principal.user.organisation)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Some(other) = new.networks.iter().find(|n| !own.networks.contains(n)) {
            return Err(AccessError::OutsideScope(format!(
                "network {other} is not one of your organisation's networks"
            )));
        }
        Ok(self
            .0
            .store
            .add_organisation(&self.0.principal.actor(), new)
            .await?)
    }

    /// Users join the administrator's own organisation only: an administrator who could add
    /// users elsewhere could read another organisation's records through them.
    #[tracing::instrument(skip_all)]
    pub async fn add_user(&self, role: Role, email: Email, password: &str) -> Result<User> {
        crate::password::check_strength(password).map_err(|e| {
            StoreError::Invalid(kinga_domain::ValidationErrors::single(
                "$.password",
                e.to_string(),
            ))
        })?;
        let new = NewUser {
            organisation: self.0.principal.user.organisation.clone(),
            role,
            email,
            password_hash: crate::password::hash(password),
            totp_secret: None,
        };
        Ok(self
            .0
            .store
            .add_user(&self.0.principal.actor(), new)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn users(&self) -> Result<Vec<User>> {
        Ok(self
            .0
            .store
            .users(Some(self.0.principal.user.organisation_id))
            .await?)
    }
}

/// The longest a token may live, and its default lifetime.
pub const MAX_TOKEN_DAYS: u32 = 366;
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

/// How a token is issued.
#[derive(Debug, Clone)]
pub struct TokenOptions {
    pub days: u32,
    /// A current code from the holder's authenticator.
    pub second_factor_code: Option<String>,
}

impl Default for TokenOptions {
    fn default() -> Self {
        TokenOptions {
            days: DEFAULT_TOKEN_DAYS,
            second_factor_code: None,
        }
    }
}

/// Kinga's own maintenance and set-up, run from the command line by whoever holds the
/// database: every change is still recorded in the audit chain, under `system:<task>`.
pub struct System {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) actor: Actor,
}

impl System {
    pub(crate) fn new(store: Arc<dyn Store>, task: &str) -> Self {
        System {
            store,
            actor: Actor::system(task),
        }
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_organisation(&self, new: NewOrganisation) -> Result<Organisation> {
        Ok(self.store.add_organisation(&self.actor, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        Ok(self.store.organisations().await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_user(
        &self,
        org: Slug,
        role: Role,
        email: Email,
        password: &str,
        totp_secret: Option<String>,
    ) -> Result<User> {
        crate::password::check_strength(password).map_err(|e| {
            StoreError::Invalid(kinga_domain::ValidationErrors::single(
                "password",
                e.to_string(),
            ))
        })?;
        let new = NewUser {
            organisation: org,
            role,
            email,
            password_hash: crate::password::hash(password),
            totp_secret,
        };
        Ok(self.store.add_user(&self.actor, new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        Ok(self.store.user_by_email(email).await?.map(|(u, _)| u))
    }

    /// Issues a bearer token for a user with the default lifetime and no second factor.
    #[tracing::instrument(skip_all)]
    pub async fn create_token(&self, email: &Email) -> Result<String> {
        self.issue_token(email, &TokenOptions::default()).await
    }

    /// Issues a bearer token for a user; only its hash is kept. With a current code from the
    /// user's authenticator the token carries the rights their role holds only with a second
    /// factor; without one, an administrator's token works as a coordinator's.
    #[tracing::instrument(skip_all)]
    pub async fn issue_token(&self, email: &Email, options: &TokenOptions) -> Result<String> {
        let (user, creds) = self
            .store
            .user_by_email(email)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !(1..=MAX_TOKEN_DAYS).contains(&options.days) {
            return Err(StoreError::Invalid(kinga_domain::ValidationErrors::single(
                "days",
                format!("must be 1 to {MAX_TOKEN_DAYS}"),
            ))
            .into());
        }
        let second_factor = match &options.second_factor_code {
            None => false,
            Some(code) => match creds.totp_secret.as_deref() {
                Some(secret) if crate::totp::check(secret, code) => true,
                _ => return Err(AccessError::BadSecondFactor),
            },
        };
        let token = crate::token::generate("kt_");
        self.store
            .add_api_token(
                &self.actor,
                &NewApiToken {
                    token_hash: crate::token::hash(&token),
                    user: user.id,
                    expires_at: kinga_domain::time::now() + Duration::days(options.days.into()),
                    second_factor,
                },
            )
            .await?;
        Ok(token)
    }

    /// Gives a user without one their second factor (an operator setting up an account for
    /// someone who then scans the secret).
    #[tracing::instrument(skip_all)]
    pub async fn set_second_factor(&self, email: &Email, secret: &str) -> Result<()> {
        let user = self
            .user_by_email(email)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(self
            .store
            .set_second_factor(&self.actor, user.id, secret)
            .await?)
    }

    /// Revokes one token of the user (given in full) or all of them; how many were revoked.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_tokens(&self, email: &Email, token: Option<&str>) -> Result<u64> {
        let user = self
            .user_by_email(email)
            .await?
            .ok_or(StoreError::NotFound)?;
        let hash = token.map(|t| crate::token::hash(t.trim()));
        Ok(self
            .store
            .revoke_api_tokens(&self.actor, user.id, hash.as_deref())
            .await?)
    }

    /// Imports incidents owned by `org`.
    #[tracing::instrument(skip_all)]
    pub async fn import_incidents(
        &self,
        org: &Organisation,
        batch: Vec<ImportedIncident>,
    ) -> Result<ImportOutcome> {
        let actor = self.actor.clone().acting_for(org.id, org.slug.clone());
        Ok(self.store.import_incidents(&actor, batch).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn verify(&self) -> Result<VerifyOutcome> {
        Ok(self.store.verify().await?)
    }

    /// [`Self::verify`], telling `progress` how far it has come.
    #[tracing::instrument(skip_all)]
    pub async fn verify_reporting(
        &self,
        progress: &(dyn Fn(VerifyProgress) + Send + Sync),
    ) -> Result<VerifyOutcome> {
        Ok(self.store.verify_reporting(progress).await?)
    }
}
