//! The incident's workflow and coding. Coding needs the edit lock: every coding request takes
//! it again (refreshing it), so two analysts never code one incident at once, and a lock that
//! went stale while its holder was away is taken over instead of blocking the desk.
use super::view::{detail, Forms, Outcome};
use crate::ui::common::{collect, not_found, problem, Entered, Problem};
use crate::ui::session::{form_value, Page};
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_domain::fields::Fields;
use kinga_domain::ids::{ActId, IncidentId, PartyId, UserId};
use kinga_domain::incident::IncidentStatus;
use kinga_domain::party::{InvolvementRole, NewAct, NewInvolvement, NewParty};
use kinga_domain::source::{NewCitation, NewSource};
use kinga_domain::ValidationErrors;
use std::collections::HashMap;

/// Which form of the incident page a request came from, to show its values and errors again.
#[derive(Clone, Copy)]
enum Which {
    Status,
    Act,
    Party,
    Source,
}

fn forms(which: Which, entered: Entered) -> Forms {
    let mut f = Forms::default();
    match which {
        Which::Status => f.status = entered,
        Which::Act => f.act = entered,
        Which::Party => f.party = entered,
        Which::Source => f.source = entered,
    }
    f
}

/// The incident page again, with the problem and what was typed.
async fn again(
    page: Page,
    id: IncidentId,
    which: Which,
    form: HashMap<String, String>,
    p: Problem,
) -> Response {
    let mut form = form;
    form.remove("csrf");
    let o = Outcome {
        message: p.message,
        status: Some(p.status),
        forms: forms(which, Entered::with(form, p.fields)),
    };
    detail(page, id, o, String::new()).await
}

fn done(id: IncidentId, notice: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/incidents/{id}?notice={notice}#{anchor}")).into_response()
}

/// The common start of every POST here: the CSRF token, a well-formed id, and the case desk's
/// handle; answers for the handler when one of them is missing.
macro_rules! begin {
    ($page:ident, $raw:ident, $form:ident, $which:expr) => {{
        if let Err(r) = $page.check_csrf(&$form) {
            return r;
        }
        let Ok(id) = $raw.parse::<IncidentId>() else {
            return not_found($page);
        };
        match $page.member.as_analyst() {
            Ok(a) => (id, a),
            Err(e) => {
                let p = problem($page.t, e);
                return again($page, id, $which, $form, p).await;
            }
        }
    }};
}

pub async fn status(
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, analyst) = begin!(page, raw, form, Which::Status);
    let t = page.t;
    let value = form_value(&form);
    let parsed = Fields::new(&value).and_then(|mut f| {
        let status: Option<IncidentStatus> = f.required("status");
        let explanation = f.text("explanation", 5000);
        f.finish().map(|()| (status, explanation))
    });
    let (status, explanation) = match parsed {
        Ok((Some(s), e)) => (s, e),
        Ok((None, _)) => {
            let e = ValidationErrors::single("$.status", "is required");
            return again(page, id, Which::Status, form, Problem::invalid(t, &e)).await;
        }
        Err(e) => return again(page, id, Which::Status, form, Problem::invalid(t, &e)).await,
    };
    match analyst.set_status(id, status, explanation).await {
        Ok(_) => done(id, "status", "workflow"),
        Err(e) => again(page, id, Which::Status, form, problem(t, e)).await,
    }
}

/// Who works the case next: one of the organisation's case workers, or nobody.
pub async fn assign(
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, analyst) = begin!(page, raw, form, Which::Status);
    let t = page.t;
    let value = form_value(&form);
    let parsed = Fields::new(&value).and_then(|mut f| {
        let assignee: Option<UserId> = f.parsed("assignee");
        f.finish().map(|()| assignee)
    });
    let assignee = match parsed {
        Ok(a) => a,
        Err(e) => return again(page, id, Which::Status, form, Problem::invalid(t, &e)).await,
    };
    match analyst.assign(id, assignee).await {
        Ok(_) => done(id, "assigned", "workflow"),
        Err(e) => again(page, id, Which::Status, form, problem(t, e)).await,
    }
}

pub async fn lock(
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, analyst) = begin!(page, raw, form, Which::Status);
    match analyst.lock(id).await {
        Ok(_) => done(id, "locked", "coding"),
        Err(e) => {
            let p = problem(page.t, e);
            again(page, id, Which::Status, HashMap::new(), p).await
        }
    }
}

pub async fn unlock(
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, analyst) = begin!(page, raw, form, Which::Status);
    match analyst.unlock(id).await {
        Ok(()) => done(id, "unlocked", "workflow"),
        Err(e) => {
            let p = problem(page.t, e);
            again(page, id, Which::Status, HashMap::new(), p).await
        }
    }
}

pub async fn act(
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, analyst) = begin!(page, raw, form, Which::Act);
    let t = page.t;
    if let Err(e) = analyst.lock(id).await {
        return again(page, id, Which::Act, form, problem(t, e)).await;
    }
    let new = match NewAct::parse(&form_value(&form)) {
        Ok(n) => n,
        Err(e) => return again(page, id, Which::Act, form, Problem::invalid(t, &e)).await,
    };
    match analyst.add_act(id, new).await {
        Ok(_) => done(id, "act", "acts"),
        Err(e) => again(page, id, Which::Act, form, problem(t, e)).await,
    }
}

/// The party is either one already known (`party_id`) or created here from the form.
enum PartyChoice {
    Known(PartyId),
    New(NewParty),
}

fn read_involvement(
    form: &HashMap<String, String>,
) -> Result<(PartyChoice, InvolvementRole, Option<String>, Option<ActId>), ValidationErrors> {
    let value = form_value(form);
    let mut f = Fields::new(&value)?;
    let role: Option<InvolvementRole> = f.required("role");
    let degree = f.text("degree", 300);
    let act_id: Option<ActId> = f.parsed("act_id");
    let known: Option<PartyId> = f.parsed("party_id");
    let mut errors = f.errors;
    let party = match known {
        Some(p) => Some(PartyChoice::Known(p)),
        None => match NewParty::parse(&value) {
            Ok(p) => Some(PartyChoice::New(p)),
            Err(e) => {
                errors.errors.extend(e.errors);
                None
            }
        },
    };
    errors.into_result()?;
    match (party, role) {
        (Some(p), Some(r)) => Ok((p, r, degree, act_id)),
        _ => Err(ValidationErrors::single("$.role", "is required")),
    }
}

pub async fn involvement(
    page: Page,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, analyst) = begin!(page, raw, form, Which::Party);
    let t = page.t;
    if let Err(e) = analyst.lock(id).await {
        return again(page, id, Which::Party, form, problem(t, e)).await;
    }
    let (party, role, degree, act_id) = match read_involvement(&form) {
        Ok(x) => x,
        Err(e) => return again(page, id, Which::Party, form, Problem::invalid(t, &e)).await,
    };
    let party_id = match party {
        PartyChoice::Known(p) => p,
        PartyChoice::New(new) => match analyst.add_party(new).await {
            Ok(p) => p.id,
            Err(e) => return again(page, id, Which::Party, form, problem(t, e)).await,
        },
    };
    let new = NewInvolvement {
        act_id,
        party_id,
        role,
        degree,
    };
    match analyst.add_involvement(id, new).await {
        Ok(_) => done(id, "involvement", "parties"),
        Err(e) => again(page, id, Which::Party, form, problem(t, e)).await,
    }
}

fn read_citation(
    form: &HashMap<String, String>,
) -> Result<(NewSource, Option<String>, Option<String>), ValidationErrors> {
    let value = form_value(form);
    let mut f = Fields::new(&value)?;
    let reference = f.text("reference", 1000);
    let note = f.text("note", 5000);
    let mut errors = f.errors;
    let source = NewSource::parse(&value).map_err(|e| errors.errors.extend(e.errors));
    errors.into_result()?;
    match source {
        Ok(s) => Ok((s, reference, note)),
        Err(()) => Err(ValidationErrors::single("$.title", "is required")),
    }
}

pub async fn citation(
    page: Page,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    let (id, analyst) = begin!(page, raw, form, Which::Source);
    let t = page.t;
    if let Err(e) = analyst.lock(id).await {
        return again(page, id, Which::Source, form, problem(t, e)).await;
    }
    let (new, reference, note) = match read_citation(&form) {
        Ok(x) => x,
        Err(e) => return again(page, id, Which::Source, form, Problem::invalid(t, &e)).await,
    };
    let source = match analyst.add_source(new).await {
        Ok(s) => s,
        Err(e) => return again(page, id, Which::Source, form, problem(t, e)).await,
    };
    let cite = NewCitation {
        source_id: source.id,
        reference,
        note,
    };
    match analyst.add_citation(id, cite).await {
        Ok(_) => done(id, "citation", "sources"),
        Err(e) => again(page, id, Which::Source, form, problem(t, e)).await,
    }
}
