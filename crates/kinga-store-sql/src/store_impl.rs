//! Wires the `Store` trait to the modules that implement each part of it.
use crate::{Engine, SqlStore};
use async_trait::async_trait;
use chrono::NaiveDate;
use kinga_domain::audit::AuditEntry;
use kinga_domain::ids::*;
use kinga_domain::incident::{Incident, IncidentFilter, IncidentStatus, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::party::{Act, Involvement, NewAct, NewInvolvement, NewParty, Party};
use kinga_domain::report::{NewReport, Report, TriageDecision};
use kinga_domain::source::{Citation, NewCitation, NewSource, Source};
use kinga_domain::user::{Email, User};
use kinga_domain::Country;
use kinga_store::*;

#[async_trait]
impl<E: Engine> Store for SqlStore<E> {
    fn backend_name(&self) -> &'static str {
        self.engine.name()
    }

    async fn add_organisation(&self, actor: &Actor, new: NewOrganisation) -> Result<Organisation> {
        crate::orgs::add(self, actor, new).await
    }
    async fn organisations(&self) -> Result<Vec<Organisation>> {
        crate::orgs::all(self).await
    }
    async fn organisation(&self, slug: &Slug) -> Result<Option<Organisation>> {
        crate::orgs::by_slug(self, slug).await
    }
    async fn network_peers(&self, org: OrgId) -> Result<Vec<OrgId>> {
        crate::orgs::peers(self, org).await
    }

    async fn add_user(&self, actor: &Actor, new: NewUser) -> Result<User> {
        crate::users::add(self, actor, new).await
    }
    async fn user(&self, id: UserId) -> Result<Option<User>> {
        crate::users::by_id(self, id).await
    }
    async fn user_by_email(&self, email: &Email) -> Result<Option<(User, Credentials)>> {
        crate::users::by_email(self, email).await
    }
    async fn users(&self, org: Option<OrgId>) -> Result<Vec<User>> {
        crate::users::list(self, org).await
    }
    async fn set_second_factor(&self, actor: &Actor, user: UserId, secret: &str) -> Result<()> {
        crate::users::set_second_factor(self, actor, user, secret).await
    }
    async fn add_api_token(&self, actor: &Actor, token: &NewApiToken) -> Result<()> {
        crate::users::add_token(self, actor, token).await
    }
    async fn user_by_token(&self, token_hash: &str) -> Result<Option<TokenGrant>> {
        crate::users::by_token(self, token_hash).await
    }
    async fn revoke_api_tokens(
        &self,
        actor: &Actor,
        user: UserId,
        token_hash: Option<&str>,
    ) -> Result<u64> {
        crate::users::revoke_tokens(self, actor, user, token_hash).await
    }
    async fn create_session(&self, actor: &Actor, session: &Session) -> Result<()> {
        crate::users::create_session(self, actor, session).await
    }
    async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        crate::users::session(self, id_hash).await
    }
    async fn confirm_second_factor(&self, actor: &Actor, id_hash: &str) -> Result<()> {
        crate::users::confirm_second_factor(self, actor, id_hash).await
    }
    async fn delete_session(&self, actor: &Actor, id_hash: &str) -> Result<()> {
        crate::users::delete_session(self, actor, id_hash).await
    }
    async fn sign_in_failures(
        &self,
        key: &str,
        window: chrono::Duration,
    ) -> Result<Option<SignInFailures>> {
        crate::sign_in::failures(self, key, window).await
    }
    async fn record_sign_in_failure(&self, key: &str, window: chrono::Duration) -> Result<()> {
        crate::sign_in::record_failure(self, key, window).await
    }
    async fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        crate::sign_in::clear(self, key).await
    }

    async fn submit_report(&self, actor: &Actor, new: NewReport) -> Result<Report> {
        crate::reports::submit(self, actor, new).await
    }
    async fn report(&self, scope: &Scope, id: ReportId) -> Result<Option<Report>> {
        crate::reports::by_id(self, scope, id).await
    }
    async fn reports(&self, scope: &Scope, filter: &ReportFilter) -> Result<Page<Report>> {
        crate::reports::list(self, scope, filter).await
    }
    async fn triage_report(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: ReportId,
        decision: TriageDecision,
    ) -> Result<Report> {
        crate::reports::triage(self, actor, scope, id, decision).await
    }
    async fn link_report(
        &self,
        actor: &Actor,
        scope: &Scope,
        report: ReportId,
        incident: IncidentId,
    ) -> Result<Report> {
        crate::reports::link(self, actor, scope, report, incident).await
    }

    async fn create_incident(&self, actor: &Actor, new: NewIncident) -> Result<Incident> {
        crate::incidents::create(self, actor, new).await
    }
    async fn import_incidents(
        &self,
        actor: &Actor,
        batch: Vec<ImportedIncident>,
    ) -> Result<ImportOutcome> {
        crate::incidents::import(self, actor, batch).await
    }
    async fn incident(&self, scope: &Scope, id: IncidentId) -> Result<Option<Incident>> {
        crate::incidents::by_id(self, scope, id).await
    }
    async fn incidents(&self, scope: &Scope, filter: &IncidentFilter) -> Result<Page<Incident>> {
        crate::incidents::list(self, scope, filter).await
    }
    async fn incident_detail(
        &self,
        scope: &Scope,
        id: IncidentId,
    ) -> Result<Option<IncidentDetail>> {
        crate::incidents::detail(self, scope, id).await
    }
    async fn incidents_near(
        &self,
        scope: &Scope,
        country: Country,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Incident>> {
        crate::incidents::near(self, scope, country, from, to).await
    }
    async fn set_incident_status(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: IncidentId,
        status: IncidentStatus,
        explanation: Option<String>,
    ) -> Result<Incident> {
        crate::incidents::set_status(self, actor, scope, id, status, explanation).await
    }
    async fn assign_incident(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: IncidentId,
        assignee: Option<UserId>,
    ) -> Result<Incident> {
        crate::incidents::assign(self, actor, scope, id, assignee).await
    }
    async fn lock_incident(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: IncidentId,
        stale_after: chrono::Duration,
    ) -> Result<EditLock> {
        crate::incidents::lock(self, actor, scope, id, stale_after).await
    }
    async fn unlock_incident(&self, actor: &Actor, id: IncidentId) -> Result<()> {
        crate::incidents::unlock(self, actor, id).await
    }
    async fn add_act(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewAct,
    ) -> Result<Act> {
        crate::parties::add_act(self, actor, scope, incident, new).await
    }
    async fn add_party(&self, actor: &Actor, new: NewParty) -> Result<Party> {
        crate::parties::add_party(self, actor, new).await
    }
    async fn parties(&self, scope: &Scope) -> Result<Vec<Party>> {
        crate::parties::list_parties(self, scope).await
    }
    async fn add_involvement(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewInvolvement,
    ) -> Result<Involvement> {
        crate::parties::add_involvement(self, actor, scope, incident, new).await
    }
    async fn add_source(&self, actor: &Actor, new: NewSource) -> Result<Source> {
        crate::parties::add_source(self, actor, new).await
    }
    async fn add_citation(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewCitation,
    ) -> Result<Citation> {
        crate::parties::add_citation(self, actor, scope, incident, new).await
    }

    async fn audit_trail(&self, entity_id: &str) -> Result<Vec<AuditEntry>> {
        crate::verify::trail(self, entity_id).await
    }
    async fn verify_reporting(
        &self,
        progress: &(dyn Fn(VerifyProgress) + Send + Sync),
    ) -> Result<VerifyOutcome> {
        crate::verify::verify(self, progress).await
    }
}
