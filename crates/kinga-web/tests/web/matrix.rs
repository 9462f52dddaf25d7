//! The access matrix: every route the server serves, asked by every kind of caller (each role
//! of the owning organisation, organisations inside and outside its network, anonymous) about a
//! record of each visibility, reads and writes, JSON API and HTML forms alike.
//!
//! The route list is read from the routing source, so a route added without an entry in
//! [`TABLE`] fails this test by name: nobody gets to ship a route whose access nobody thought
//! about. Expected answers follow the rules in `kinga_domain::access`: a role lacking a right
//! is told 403, a record the caller may not read is as absent as a missing one (404), and a
//! reader who does not own a record is refused its change (409 "only the organisation that
//! owns…", or 403 where the route says so). Every answer is also searched for the marker text
//! of each record the caller may not read, so a list or a page that leaks one fails too.
//!
//! Refusals are sent first, route by route: the audit chain's head must not move, and every
//! record must read the same afterwards. Each form a caller may send is also sent with a
//! forged CSRF token, and must be refused as well. `MATRIX_DUMP=1` prints every answer.
use crate::helpers::{
    add_organisations, add_users, create_keys, csrf_of, enrol_form, serve_with_vault, session_of,
    sign_in_form, sqlite_store, token, PASSWORD, TEST_TOTP_SECRET,
};
use futures::StreamExt;
use kinga_app::evidence::Vault;
use kinga_app::Access;
use kinga_domain::event::{Dataset, NewEvent};
use kinga_domain::org::{Organisation, Slug};
use kinga_domain::user::Email;
use kinga_domain::{Country, Role, Visibility};
use kinga_store::{Actor, Store};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use Role::*;

const ALL: &[Role] = &[Monitor, Analyst, Coordinator, Legal, Admin, Observer];
/// Everyone but observers, who read and never write.
const SUBMIT: &[Role] = &[Monitor, Analyst, Coordinator, Legal, Admin];
/// The case desk (`Role::works_cases`).
const CASE: &[Role] = &[Analyst, Coordinator, Legal, Admin];
const LEGAL: &[Role] = &[Legal, Admin];
const ADMIN: &[Role] = &[Admin];
/// `kinga_domain::risk::may_assess`.
const ASSESS: &[Role] = &[Analyst];
/// `kinga_domain::risk::may_sign_off`.
const SIGN: &[Role] = &[Analyst, Coordinator];
/// The alert desk (`Role::raises_alerts`).
const DESK: &[Role] = &[Analyst, Coordinator, Admin];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Via {
    Api,
    Ui,
}

/// The record a route's `{id}` names; the matrix asks about one of each visibility, all owned
/// by alpha.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rec {
    /// No record in the path: asked once per caller.
    No,
    Report,
    Incident,
    Evidence,
    Assessment,
    Alert,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// Past the access checks: 2xx, 3xx, or for a write a 4xx about the body or the record's
    /// state (400, 409 of state, 422, 423), which only a caller who may write gets to see.
    Ok,
    /// 401 from the API, a redirect to the sign-in page from the interface.
    Login,
    Forbidden,
    NotFound,
    /// 409 "only the organisation that owns … may change it".
    NotOwner,
    Status(u16),
    /// The answer carries the marker of a record the caller may not read.
    Leak(&'static str),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok => f.write_str("ok"),
            Outcome::Login => f.write_str("sign-in"),
            Outcome::Forbidden => f.write_str("403"),
            Outcome::NotFound => f.write_str("404"),
            Outcome::NotOwner => f.write_str("409 not owner"),
            Outcome::Status(s) => write!(f, "{s}"),
            Outcome::Leak(m) => write!(f, "LEAK of {m}"),
        }
    }
}

#[derive(Clone, Copy)]
enum Rule {
    /// The sign-in flow, static files and the language switch: anyone; their workings are
    /// tested in `signin_flow`; here only that they answer without error and leak nothing.
    Flow,
    /// Anyone, anonymous included.
    Open,
    /// Any signed-in caller of these roles (others 403); no record involved.
    Roles(&'static [Role]),
    /// These roles are told 404 (the path names a record that does not exist), others 403.
    Absent(&'static [Role]),
    /// Reading a record: role (403), then visibility (404).
    Read(&'static [Role]),
    /// Only the owning organisation, for a change or for what its own staff alone may read:
    /// role (403), visibility (404), then ownership (the outcome given).
    Owner(&'static [Role], Outcome),
    /// Adding one's own item to a record of the network (evidence of a partner on a shared
    /// incident, owned and sealed by the partner, decision 0005): role (403), visibility
    /// (404), then an organisation outside the owner's networks is refused (403).
    Contribute(&'static [Role]),
    /// Undoing what only the caller could have done (releasing one's own editing lock): the
    /// same answer for any record, and nothing changes unless the caller owns it.
    Noop(&'static [Role]),
}

struct Entry {
    via: Via,
    method: &'static str,
    path: &'static str,
    rec: Rec,
    rule: Rule,
    /// JSON for the API, `a=b&c=d` for a form (the CSRF token is added), or `MULTIPART` for an
    /// evidence upload. `{incident}`, `{analyst}` and `{version}` are filled in.
    body: &'static str,
}

const fn api(
    method: &'static str,
    path: &'static str,
    rec: Rec,
    rule: Rule,
    body: &'static str,
) -> Entry {
    Entry {
        via: Via::Api,
        method,
        path,
        rec,
        rule,
        body,
    }
}

const fn ui(
    method: &'static str,
    path: &'static str,
    rec: Rec,
    rule: Rule,
    body: &'static str,
) -> Entry {
    Entry {
        via: Via::Ui,
        method,
        path,
        rec,
        rule,
        body,
    }
}

const NOT_OWNER: Outcome = Outcome::NotOwner;
const FORBIDDEN: Outcome = Outcome::Forbidden;

use Rec::{Alert as Alr, Assessment as Asm, Evidence as Ev, Incident as Inc, No, Report as Rep};
use Rule::*;

/// Who may do what. A route missing here, or listed here and not served, fails the test.
const TABLE: &[Entry] = &[
    // JSON API, under /api/v1.
    api("GET", "/health", No, Open, ""),
    api("GET", "/openapi.json", No, Open, ""),
    api("GET", "/me", No, Roles(ALL), ""),
    api("GET", "/reports", No, Roles(ALL), ""),
    api(
        "POST",
        "/reports",
        No,
        Roles(SUBMIT),
        r#"{"text": "Matrix report", "country": "CAF", "occurred_on": "2026-11-20", "visibility": "organisation"}"#,
    ),
    api("GET", "/reports/{id}", Rep, Read(ALL), ""),
    api(
        "POST",
        "/reports/{id}/triage",
        Rep,
        Owner(CASE, NOT_OWNER),
        r#"{"decision": "accept"}"#,
    ),
    api(
        "POST",
        "/reports/{id}/link",
        Rep,
        Owner(CASE, NOT_OWNER),
        r#"{"incident": "{incident}"}"#,
    ),
    api("GET", "/reports/{id}/duplicates", Rep, Read(CASE), ""),
    api("GET", "/incidents", No, Roles(ALL), ""),
    api(
        "POST",
        "/incidents",
        No,
        Roles(CASE),
        r#"{"title": "Matrix incident", "country": "CAF", "date_start": "2013-12-06", "visibility": "organisation"}"#,
    ),
    api("GET", "/incidents/{id}", Inc, Read(ALL), ""),
    api(
        "POST",
        "/incidents/{id}/status",
        Inc,
        Owner(CASE, NOT_OWNER),
        r#"{"status": "in_verification", "explanation": "matrix"}"#,
    ),
    api(
        "POST",
        "/incidents/{id}/assign",
        Inc,
        Owner(CASE, NOT_OWNER),
        r#"{"assignee": "{analyst}"}"#,
    ),
    api("GET", "/incidents/{id}/history", Inc, Read(ALL), ""),
    api("GET", "/incidents/{id}/events", Inc, Read(ALL), ""),
    api(
        "POST",
        "/incidents/{id}/events",
        Inc,
        Owner(CASE, NOT_OWNER),
        r#"{"event": "ucdp-ged:402"}"#,
    ),
    api(
        "DELETE",
        "/incidents/{id}/events/{event_id}",
        Inc,
        Owner(CASE, NOT_OWNER),
        "",
    ),
    api(
        "GET",
        "/incidents/{id}/event-suggestions",
        Inc,
        Read(ALL),
        "",
    ),
    api("GET", "/events/{event_id}/incidents", No, Roles(ALL), ""),
    api("GET", "/incidents/{id}/evidence", Inc, Read(ALL), ""),
    api(
        "POST",
        "/incidents/{id}/evidence",
        Inc,
        Contribute(SUBMIT),
        "MULTIPART",
    ),
    // A protected source: legal officers and administrators of the owner read it; the filer
    // or they write it. The API replaces an existing value (the form adds one only where there
    // is none, see ACCEPTED): reported, as the old ciphertext is then gone.
    api(
        "GET",
        "/reports/{id}/sealed",
        Rep,
        Owner(LEGAL, FORBIDDEN),
        "",
    ),
    api(
        "POST",
        "/reports/{id}/sealed",
        Rep,
        Owner(LEGAL, FORBIDDEN),
        r#"{"witness_name": "Matrix witness"}"#,
    ),
    api("GET", "/evidence/{id}", Ev, Read(ALL), ""),
    api(
        "GET",
        "/evidence/{id}/content",
        Ev,
        Read(LEGAL),
        "original=true",
    ),
    api("GET", "/evidence/{id}/derivatives", Ev, Read(ALL), ""),
    api(
        "POST",
        "/evidence/{id}/derivatives",
        Ev,
        Owner(CASE, FORBIDDEN),
        r#"{"thumbnail": {"size": 32}}"#,
    ),
    api(
        "GET",
        "/evidence/{id}/derivatives/{copy}/content",
        Ev,
        Read(ALL),
        "",
    ),
    api("GET", "/evidence/{id}/custody", Ev, Read(ALL), ""),
    api(
        "POST",
        "/evidence/{id}/verify",
        Ev,
        Owner(CASE, FORBIDDEN),
        "",
    ),
    api(
        "POST",
        "/evidence/{id}/transfer",
        Ev,
        Owner(LEGAL, FORBIDDEN),
        r#"{"to": "ICC Office of the Prosecutor", "note": "matrix"}"#,
    ),
    api(
        "POST",
        "/evidence/{id}/deletion-request",
        Ev,
        Owner(LEGAL, FORBIDDEN),
        r#"{"reason": "matrix"}"#,
    ),
    api("GET", "/admin/keys", No, Roles(ADMIN), ""),
    api(
        "POST",
        "/admin/keys/unlock",
        No,
        Roles(ADMIN),
        r#"{"passphrase": "the organisation key passphrase"}"#,
    ),
    api("POST", "/admin/keys/lock", No, Roles(ADMIN), ""),
    api("GET", "/organisations", No, Roles(ALL), ""),
    api(
        "POST",
        "/organisations",
        No,
        Roles(ADMIN),
        r#"{"slug": "delta", "name": "Delta", "networks": ["net"]}"#,
    ),
    api("GET", "/users", No, Roles(ADMIN), ""),
    api(
        "POST",
        "/users",
        No,
        Roles(ADMIN),
        r#"{"email": "matrix@{org}.org", "role": "observer", "password": "a long enough passphrase"}"#,
    ),
    api("GET", "/signals", No, Roles(ALL), ""),
    api("GET", "/signals/{id}/events", No, Absent(ALL), ""),
    api("GET", "/risk/framework", No, Roles(ALL), ""),
    api("GET", "/assessments", No, Roles(ALL), ""),
    api(
        "POST",
        "/assessments",
        No,
        Roles(ASSESS),
        r#"{"country": "CAF", "assessed_on": "2026-11-01", "visibility": "organisation"}"#,
    ),
    api("GET", "/assessments/{id}", Asm, Read(ALL), ""),
    api(
        "POST",
        "/assessments/{id}/scores",
        Asm,
        Owner(ASSESS, NOT_OWNER),
        r#"{"indicator": "7.3", "score": 2, "confidence": "low"}"#,
    ),
    api(
        "POST",
        "/assessments/{id}/links",
        Asm,
        Owner(ASSESS, NOT_OWNER),
        r#"{"indicator": "13.6", "kind": "document", "target": "https://example.org/matrix"}"#,
    ),
    api(
        "DELETE",
        "/assessments/{id}/links/{link}",
        Asm,
        Owner(ASSESS, NOT_OWNER),
        "",
    ),
    api(
        "POST",
        "/assessments/{id}/signoff",
        Asm,
        Owner(SIGN, NOT_OWNER),
        r#"{"version": {version}}"#,
    ),
    api("GET", "/assessments/{id}/diff", Asm, Read(ALL), ""),
    api("GET", "/countries/{country}/risk", No, Roles(ALL), ""),
    api(
        "POST",
        "/countries/{country}/class",
        No,
        Roles(SIGN),
        r#"{"class": "serious_concern", "rationale": "matrix"}"#,
    ),
    api(
        "POST",
        "/countries/{country}/class/refresh",
        No,
        Roles(SIGN),
        "",
    ),
    api("GET", "/alerts", No, Roles(ALL), ""),
    api(
        "POST",
        "/alerts",
        No,
        Roles(DESK),
        r#"{"country": "CAF", "level": "watch", "message_en": "Matrix alert", "message_fr": "Alerte de la matrice"}"#,
    ),
    api("GET", "/alerts/{id}", Alr, Read(ALL), ""),
    api("POST", "/alerts/{id}/ack", Alr, Owner(DESK, NOT_OWNER), ""),
    api(
        "POST",
        "/alerts/{id}/escalate",
        Alr,
        Owner(DESK, NOT_OWNER),
        r#"{"version": null}"#,
    ),
    api(
        "POST",
        "/alerts/{id}/close",
        Alr,
        Owner(DESK, NOT_OWNER),
        "",
    ),
    api("GET", "/responses", No, Roles(ALL), ""),
    // A response that answers an alert is part of the alert's workflow: the owner's to record.
    api(
        "POST",
        "/responses",
        Alr,
        Owner(DESK, NOT_OWNER),
        r#"{"alert_id": "{id}", "country": "CAF", "actor_kind": "state", "actor": "Matrix", "kind": "statement", "date": "2026-11-20"}"#,
    ),
    // HTML interface.
    ui("GET", "/", No, Flow, ""),
    ui("GET", "/assets/htmx.min.js", No, Flow, ""),
    ui("GET", "/assets/kinga.js", No, Flow, ""),
    ui("GET", "/assets/kinga.css", No, Flow, ""),
    ui("GET", "/assets/region-select.js", No, Flow, ""),
    ui("GET", "/login", No, Flow, ""),
    ui(
        "POST",
        "/login",
        No,
        Flow,
        "email=nobody%40nowhere.org&password=not+it",
    ),
    ui("GET", "/login/second-factor", No, Flow, ""),
    ui("POST", "/login/second-factor", No, Flow, "code=000000"),
    ui("GET", "/login/enrol", No, Flow, ""),
    ui("POST", "/login/enrol", No, Flow, "secret=x&code=000000"),
    ui("POST", "/logout", No, Flow, ""),
    ui("GET", "/lang/{code}", No, Flow, ""),
    ui("GET", "/reports/new", No, Roles(SUBMIT), ""),
    ui(
        "POST",
        "/reports/new",
        No,
        Roles(SUBMIT),
        "text=Matrix+report&country=CAF&occurred_on=2026-11-20&visibility=organisation",
    ),
    ui("GET", "/reports/triage", No, Roles(CASE), ""),
    ui("GET", "/reports/mine", No, Roles(ALL), ""),
    ui("GET", "/reports/{id}", Rep, Read(ALL), ""),
    ui(
        "POST",
        "/reports/{id}/triage",
        Rep,
        Owner(CASE, NOT_OWNER),
        "decision=accept",
    ),
    ui(
        "POST",
        "/reports/{id}/link",
        Rep,
        Owner(CASE, NOT_OWNER),
        "incident={incident}",
    ),
    ui(
        "POST",
        "/reports/{id}/sealed",
        Rep,
        Owner(LEGAL, FORBIDDEN),
        "witness_name=Matrix+witness",
    ),
    ui(
        "POST",
        "/reports/{id}/sealed/show",
        Rep,
        Owner(LEGAL, FORBIDDEN),
        "",
    ),
    ui("GET", "/reports/{id}/evidence", Rep, Read(ALL), ""),
    ui(
        "POST",
        "/reports/{id}/evidence",
        Rep,
        Contribute(SUBMIT),
        "MULTIPART",
    ),
    ui("GET", "/incidents", No, Roles(ALL), ""),
    ui("GET", "/incidents/new", No, Roles(CASE), ""),
    ui(
        "POST",
        "/incidents/new",
        No,
        Roles(CASE),
        "title=Matrix+incident&country=CAF&date_start=2013-12-06&visibility=organisation",
    ),
    ui(
        "POST",
        "/incidents/new/duplicates",
        No,
        Roles(CASE),
        "title=Matrix&country=CAF&date_start=2013-12-06",
    ),
    ui("GET", "/incidents/{id}", Inc, Read(ALL), ""),
    ui(
        "POST",
        "/incidents/{id}/status",
        Inc,
        Owner(CASE, NOT_OWNER),
        "status=in_verification&explanation=matrix",
    ),
    ui(
        "POST",
        "/incidents/{id}/assign",
        Inc,
        Owner(CASE, NOT_OWNER),
        "assignee={analyst}",
    ),
    ui(
        "POST",
        "/incidents/{id}/lock",
        Inc,
        Owner(CASE, NOT_OWNER),
        "",
    ),
    ui("POST", "/incidents/{id}/unlock", Inc, Noop(CASE), ""),
    ui(
        "POST",
        "/incidents/{id}/acts",
        Inc,
        Owner(CASE, NOT_OWNER),
        "act=killing&count=3",
    ),
    ui(
        "POST",
        "/incidents/{id}/involvements",
        Inc,
        Owner(CASE, NOT_OWNER),
        "party_name=Matrix+militia&party_kind=armed_group&role=perpetrator",
    ),
    ui(
        "POST",
        "/incidents/{id}/citations",
        Inc,
        Owner(CASE, NOT_OWNER),
        "source_title=Matrix+source&source_kind=media&url=https%3A%2F%2Fexample.org%2Fm",
    ),
    ui("GET", "/incidents/{id}/events", Inc, Read(ALL), ""),
    ui(
        "POST",
        "/incidents/{id}/events",
        Inc,
        Owner(CASE, NOT_OWNER),
        "event=ucdp-ged%3A402",
    ),
    ui(
        "POST",
        "/incidents/{id}/events/remove",
        Inc,
        Owner(CASE, NOT_OWNER),
        "event=ucdp-ged%3A401",
    ),
    ui("GET", "/incidents/{id}/evidence", Inc, Read(ALL), ""),
    ui(
        "POST",
        "/incidents/{id}/evidence",
        Inc,
        Contribute(SUBMIT),
        "MULTIPART",
    ),
    ui("GET", "/evidence/{id}", Ev, Read(ALL), ""),
    ui("GET", "/evidence/{id}/file", Ev, Read(LEGAL), "original=1"),
    ui("GET", "/evidence/{id}/derivatives", Ev, Read(ALL), ""),
    ui(
        "POST",
        "/evidence/{id}/derivatives",
        Ev,
        Owner(CASE, FORBIDDEN),
        "action=thumbnail&size=32",
    ),
    ui("GET", "/evidence/{id}/copies/{copy}", Ev, Read(ALL), ""),
    ui("GET", "/evidence/{id}/custody", Ev, Read(ALL), ""),
    ui(
        "POST",
        "/evidence/{id}/verify",
        Ev,
        Owner(CASE, FORBIDDEN),
        "",
    ),
    ui(
        "POST",
        "/evidence/{id}/transfer",
        Ev,
        Owner(LEGAL, FORBIDDEN),
        "to=ICC+Office+of+the+Prosecutor&note=matrix",
    ),
    ui(
        "POST",
        "/evidence/{id}/deletion-request",
        Ev,
        Owner(LEGAL, FORBIDDEN),
        "reason=matrix",
    ),
    ui("GET", "/admin", No, Roles(ADMIN), ""),
    ui(
        "POST",
        "/admin/organisations",
        No,
        Roles(ADMIN),
        "slug=echo&name=Echo&networks=net",
    ),
    ui(
        "POST",
        "/admin/users",
        No,
        Roles(ADMIN),
        "email=matrix-ui%40{org}.org&role=observer&password=a+long+enough+passphrase",
    ),
    ui("GET", "/admin/keys", No, Roles(ADMIN), ""),
    ui(
        "POST",
        "/admin/keys/unlock",
        No,
        Roles(ADMIN),
        "passphrase=the+organisation+key+passphrase",
    ),
    ui("POST", "/admin/keys/lock", No, Roles(ADMIN), ""),
    ui("GET", "/signals", No, Roles(ALL), ""),
    ui("GET", "/countries", No, Roles(ALL), ""),
    ui("GET", "/countries/{country}", No, Roles(ALL), ""),
    ui(
        "POST",
        "/countries/{country}/class",
        No,
        Roles(SIGN),
        "class=serious_concern&rationale=matrix",
    ),
    ui(
        "POST",
        "/countries/{country}/class/refresh",
        No,
        Roles(SIGN),
        "",
    ),
    ui("GET", "/assessments/new", No, Roles(ASSESS), ""),
    ui(
        "POST",
        "/assessments/new",
        No,
        Roles(ASSESS),
        "country=CAF&assessed_on=2026-11-01&visibility=organisation",
    ),
    ui("GET", "/assessments/{id}", Asm, Read(ALL), ""),
    ui(
        "GET",
        "/assessments/{id}/edit",
        Asm,
        Owner(ASSESS, FORBIDDEN),
        "",
    ),
    ui(
        "POST",
        "/assessments/{id}/scores",
        Asm,
        Owner(ASSESS, FORBIDDEN),
        "indicator=7.3&score=2&confidence=low",
    ),
    ui(
        "POST",
        "/assessments/{id}/links",
        Asm,
        Owner(ASSESS, NOT_OWNER),
        "indicator=13.6&kind=document&target=https%3A%2F%2Fexample.org%2Fmatrix",
    ),
    ui(
        "POST",
        "/assessments/{id}/links/{link}/remove",
        Asm,
        Owner(ASSESS, NOT_OWNER),
        "",
    ),
    ui(
        "POST",
        "/assessments/{id}/signoff",
        Asm,
        Owner(SIGN, NOT_OWNER),
        "version={version}",
    ),
    ui("GET", "/assessments/{id}/diff", Asm, Read(ALL), ""),
];

/// Answers that differ from the rules above but are no hole, each with its reason: (via,
/// method, path, caller, visibilities (none listed: any), outcome, why). A refusal listed here
/// is still sent with the refusals, so it must still change nothing.
type Accepted = (
    Via,
    &'static str,
    &'static str,
    Who,
    &'static [Visibility],
    Outcome,
    &'static str,
);

/// A `static`, not a `const`: an exception is known by its address, and each use of a `const`
/// may make a copy elsewhere.
static ACCEPTED: &[Accepted] = &[
    (
        Via::Ui,
        "POST",
        "/reports/{id}/sealed",
        Who {
            org: "alpha",
            role: Some(Legal),
        },
        &[],
        Outcome::Forbidden,
        "the form adds a protected source only to a report that has none, and each has one",
    ),
    (
        Via::Ui,
        "POST",
        "/reports/{id}/sealed",
        Who {
            org: "alpha",
            role: Some(Admin),
        },
        &[],
        Outcome::Forbidden,
        "the form adds a protected source only to a report that has none, and each has one",
    ),
];

/// Answers that look wrong but open nothing, reported rather than failed; a real hole is not
/// listed here, so that the test fails until it is mended.
static FINDINGS: &[Accepted] = &[];

/// A caller: an organisation and a role, or nobody.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Who {
    org: &'static str,
    role: Option<Role>,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.role {
            Some(r) => write!(f, "{r}@{}", self.org),
            None => f.write_str("anonymous"),
        }
    }
}

const CALLERS: &[Who] = &[
    Who {
        org: "alpha",
        role: Some(Monitor),
    },
    Who {
        org: "alpha",
        role: Some(Analyst),
    },
    Who {
        org: "alpha",
        role: Some(Coordinator),
    },
    Who {
        org: "alpha",
        role: Some(Legal),
    },
    Who {
        org: "alpha",
        role: Some(Admin),
    },
    Who {
        org: "alpha",
        role: Some(Observer),
    },
    Who {
        org: "bravo",
        role: Some(Monitor),
    },
    Who {
        org: "bravo",
        role: Some(Analyst),
    },
    Who {
        org: "bravo",
        role: Some(Legal),
    },
    Who {
        org: "bravo",
        role: Some(Admin),
    },
    Who {
        org: "charlie",
        role: Some(Analyst),
    },
    Who {
        org: "charlie",
        role: Some(Legal),
    },
    Who {
        org: "",
        role: None,
    },
];

/// What a record is for the marker search: reports, incidents, evidence, assessments, and the
/// protected source sealed on each report.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Report,
    Incident,
    Evidence,
    Assessment,
    Sealed,
    /// A user of alpha who never acts, so that only a listing of alpha's users names them.
    User,
    /// An event alpha imported for itself (`events.owner`), cited on each of its incidents.
    Event,
    /// The rationale of a risk class alpha's analyst set for the country.
    Class,
    /// The English message of an alert alpha's analyst raised.
    Alert,
}

const KINDS: [Kind; 9] = [
    Kind::Report,
    Kind::Incident,
    Kind::Evidence,
    Kind::Assessment,
    Kind::Sealed,
    Kind::User,
    Kind::Event,
    Kind::Class,
    Kind::Alert,
];

fn kind_of(rec: Rec) -> Kind {
    match rec {
        // A route without a record is asked with no visibility, so its kind is never read.
        Rec::Report | No => Kind::Report,
        Rec::Incident => Kind::Incident,
        Rec::Evidence => Kind::Evidence,
        Rec::Assessment => Kind::Assessment,
        Rec::Alert => Kind::Alert,
    }
}

/// Unique text in each record, ending in `-x` so that no marker is the start of another.
fn marker(kind: Kind, v: Visibility) -> String {
    let k = match kind {
        Kind::Report => "report",
        Kind::Incident => "incident",
        Kind::Evidence => "evidence",
        Kind::Assessment => "assessment",
        Kind::Sealed => "sealed",
        Kind::User => "user",
        Kind::Event => "event",
        Kind::Class => "class",
        Kind::Alert => "alert",
    };
    format!("mx-{k}-{v}-x")
}

/// Whether the caller may read alpha's record of this kind and visibility
/// (`kinga_domain::access`).
fn sees(who: Who, kind: Kind, v: Visibility) -> bool {
    let Some(role) = who.role else {
        return false;
    };
    // Monitors see the reports they submitted; alpha's were written by its legal officer.
    if kind == Kind::Report && role.sees_only_own_reports() {
        return false;
    }
    if matches!(kind, Kind::User | Kind::Event) {
        return who.org == "alpha";
    }
    if kind == Kind::Sealed {
        return who.org == "alpha" && role.sees_sealed() && sees(who, Kind::Report, v);
    }
    match v {
        Visibility::Public => true,
        Visibility::Network => who.org == "alpha" || who.org == "bravo",
        Visibility::Organisation => who.org == "alpha",
        Visibility::Restricted => who.org == "alpha" && role.sees_restricted(),
        Visibility::Sealed => who.org == "alpha" && role.sees_sealed(),
    }
}

fn expected(e: &Entry, who: Who, v: Option<Visibility>) -> Outcome {
    let Some(role) = who.role else {
        return match e.rule {
            Flow | Open => Outcome::Ok,
            _ => Outcome::Login,
        };
    };
    let sees_it = || v.is_none_or(|v| sees(who, kind_of(e.rec), v));
    match e.rule {
        Flow | Open => Outcome::Ok,
        Roles(r) if r.contains(&role) => Outcome::Ok,
        Roles(_) => Outcome::Forbidden,
        Absent(r) if r.contains(&role) => Outcome::NotFound,
        Absent(_) => Outcome::Forbidden,
        Noop(r) if r.contains(&role) => Outcome::Ok,
        Noop(_) => Outcome::Forbidden,
        Read(r) | Owner(r, _) | Contribute(r) if !r.contains(&role) => Outcome::Forbidden,
        _ if !sees_it() => Outcome::NotFound,
        Owner(_, not_owner) if who.org != "alpha" => not_owner,
        Contribute(_) if who.org == "charlie" => Outcome::Forbidden,
        Read(_) | Owner(..) | Contribute(_) => Outcome::Ok,
    }
}

/// Every (interface, method, path) the server routes, read from the routing source.
fn served() -> BTreeSet<(Via, String, String)> {
    let api = [include_str!("../../src/api/mod.rs")];
    let ui = [
        include_str!("../../src/ui/mod.rs"),
        include_str!("../../src/ui/login.rs"),
        include_str!("../../src/ui/reports.rs"),
        include_str!("../../src/ui/incidents.rs"),
        include_str!("../../src/ui/cited_events.rs"),
        include_str!("../../src/ui/admin.rs"),
        include_str!("../../src/ui/keys.rs"),
        include_str!("../../src/ui/custody.rs"),
        include_str!("../../src/ui/risk.rs"),
        include_str!("../../src/ui/evidence.rs"),
        include_str!("../../src/ui/derivatives.rs"),
        include_str!("../../src/ui/signals.rs"),
        include_str!("../../src/assets.rs"),
    ];
    let mut out = BTreeSet::new();
    for (via, sources) in [(Via::Api, &api[..]), (Via::Ui, &ui[..])] {
        for src in sources {
            for (path, methods) in routes_in(src) {
                for m in methods {
                    out.insert((via, m, path.clone()));
                }
            }
        }
    }
    out
}

/// The `.route("path", get(…).post(…))` calls of one file: each path with its methods.
fn routes_in(src: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for chunk in src.split(".route(").skip(1) {
        // The last call runs on to the end of the file; the router ends with the function.
        let chunk = chunk.split("\n}\n").next().unwrap();
        let path = chunk.split('"').nth(1).unwrap().to_string();
        let mut methods = Vec::new();
        for m in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{m}(");
            let mut rest = chunk;
            while let Some(i) = rest.find(&call) {
                let before = rest[..i].chars().last();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    methods.push(m.to_uppercase());
                    break;
                }
                rest = &rest[i + call.len()..];
            }
        }
        assert!(!methods.is_empty(), "no method found for {path}");
        out.push((path, methods));
    }
    out
}

/// Files that route but are not read by [`served`] would hide their routes from the matrix.
fn routing_files_not_read() -> Vec<String> {
    let read: BTreeSet<&str> = [
        "api/mod.rs",
        "ui/mod.rs",
        "ui/login.rs",
        "ui/reports.rs",
        "ui/incidents.rs",
        "ui/cited_events.rs",
        "ui/admin.rs",
        "ui/keys.rs",
        "ui/custody.rs",
        "ui/risk.rs",
        "ui/evidence.rs",
        "ui/derivatives.rs",
        "ui/signals.rs",
        "assets.rs",
    ]
    .into();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    crate::helpers::files_under(&src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| std::fs::read_to_string(p).unwrap().contains(".route("))
        .map(|p| {
            p.strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| !read.contains(p.as_str()))
        .collect()
}

#[test]
fn matrix_lists_every_served_route() {
    let unread = routing_files_not_read();
    assert!(
        unread.is_empty(),
        "these files route but the matrix does not read them: {unread:?}"
    );
    let served = served();
    let listed: BTreeSet<(Via, String, String)> = TABLE
        .iter()
        .map(|e| (e.via, e.method.to_string(), e.path.to_string()))
        .collect();
    assert_eq!(listed.len(), TABLE.len(), "a route is listed twice");
    let missing: Vec<_> = served.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "served without an entry in the access matrix: {missing:?}\n\
         in the matrix but not served: {extra:?}"
    );
}

/// One caller, signed in both ways.
struct Caller {
    who: Who,
    token: String,
    session: String,
    csrf: String,
}

/// Alpha's records, one of each visibility (assessments cannot be sealed).
#[derive(Default)]
struct Records {
    report: HashMap<Visibility, String>,
    incident: HashMap<Visibility, String>,
    evidence: HashMap<Visibility, String>,
    copy: HashMap<Visibility, String>,
    assessment: HashMap<Visibility, String>,
    alert: HashMap<Visibility, String>,
    link: Mutex<HashMap<Visibility, String>>,
    version: Mutex<HashMap<Visibility, i64>>,
}

struct Matrix {
    address: String,
    client: reqwest::Client,
    store: Arc<dyn Store>,
    callers: Vec<Caller>,
    records: Records,
    analyst_id: String,
    legal: String,
    analyst: String,
    _dir: tempfile::TempDir,
}

/// A small PNG, different for each visibility so that no two items are the same file.
fn png(n: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([x as u8 * 5, y as u8 * 7, n]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn event(id: &str) -> kinga_domain::event::Event {
    event_of(Dataset::UcdpGed, id, None)
}

fn event_of(dataset: Dataset, id: &str, place: Option<String>) -> kinga_domain::event::Event {
    let day = chrono::NaiveDate::from_ymd_opt(2013, 12, 5).unwrap();
    let mut n = NewEvent::new(dataset, id, day, Country::parse("CAF").unwrap());
    n.admin1 = Some("Ouham".into());
    n.place_name = place;
    n.validate().unwrap()
}

/// Imports an event for one organisation only, named by `place`; its reference.
async fn private_event(store: &Arc<dyn Store>, org: &Organisation, place: String) -> String {
    let id = format!("MX-{}", org.slug);
    store
        .upsert_events(
            &Actor::system("test").acting_for(org.id, org.slug.clone()),
            vec![event_of(Dataset::Acled, &id, Some(place))],
        )
        .await
        .unwrap();
    format!("acled:{id}")
}

impl Matrix {
    async fn api(&self, method: &str, token: &str, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .client
            .request(
                method.parse().unwrap(),
                format!("{}/api/v1{path}", self.address),
            )
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status < 300, "setting up: {method} {path}: {status} {v}");
        v
    }

    async fn upload(&self, incident: &str, v: Visibility, n: u8) -> Value {
        let form = Form::new().text("visibility", v.as_str()).part(
            "file",
            Part::bytes(png(n)).file_name(format!("{}.png", marker(Kind::Evidence, v))),
        );
        let r = self
            .client
            .post(format!(
                "{}/api/v1/incidents/{incident}/evidence",
                self.address
            ))
            .bearer_auth(&self.legal)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "uploading {v} evidence");
        r.json().await.unwrap()
    }

    async fn relink(&self, v: Visibility) {
        let Some(a) = self.records.assessment.get(&v) else {
            return;
        };
        let l = self
            .api(
                "POST",
                &self.analyst,
                &format!("/assessments/{a}/links"),
                Some(json!({"indicator": "13.6", "kind": "document",
                            "target": "https://example.org/curfew"})),
            )
            .await;
        self.records
            .link
            .lock()
            .unwrap()
            .insert(v, l["id"].as_str().unwrap().to_string());
        self.records
            .version
            .lock()
            .unwrap()
            .insert(v, l["assessment_version"].as_i64().unwrap());
    }

    /// Cites event 401 on the incident again, for the routes that remove it.
    async fn recite(&self, v: Visibility) {
        let id = &self.records.incident[&v];
        let _ = self
            .client
            .post(format!("{}/api/v1/incidents/{id}/events", self.address))
            .bearer_auth(&self.legal)
            .json(&json!({"event": "ucdp-ged:401", "note": marker(Kind::Incident, v)}))
            .send()
            .await
            .unwrap();
    }

    /// What only the store can tell: the audit chain's head, and every record as its owner's
    /// legal officer reads it.
    async fn state(&self) -> String {
        let head = self.store.audit_head().await.unwrap();
        let mut out = format!("{} {}\n", head.seq, head.hash);
        let r = &self.records;
        let mut paths = Vec::new();
        for v in Visibility::ALL {
            paths.push(format!("/reports/{}", r.report[&v]));
            paths.push(format!("/incidents/{}", r.incident[&v]));
            paths.push(format!("/incidents/{}/events", r.incident[&v]));
            paths.push(format!("/evidence/{}", r.evidence[&v]));
            paths.push(format!("/evidence/{}/custody", r.evidence[&v]));
            paths.push(format!("/evidence/{}/derivatives", r.evidence[&v]));
            if let Some(a) = r.assessment.get(&v) {
                paths.push(format!("/assessments/{a}"));
            }
            paths.push(format!("/alerts/{}", r.alert[&v]));
        }
        paths.push("/users".into());
        paths.push("/organisations".into());
        paths.push("/countries/CAF/risk".into());
        paths.push("/admin/keys".into());
        let admin = &self
            .callers
            .iter()
            .find(|c| c.who.org == "alpha" && c.who.role == Some(Admin))
            .unwrap()
            .token;
        for p in paths {
            let t = if p.starts_with("/users") || p.starts_with("/admin") {
                admin
            } else {
                &self.legal
            };
            let v = self.api("GET", t, &p, None).await;
            out.push_str(&format!("{p} {v}\n"));
        }
        out
    }
}

/// Signs in through the forms; administrators also pass their second factor.
async fn sign_in(client: &reqwest::Client, address: &str, email: &str) -> (String, String) {
    let r = sign_in_form(client, address, email).await;
    let session = session_of(&r);
    let get = |path: &str| {
        client
            .get(format!("{address}{path}"))
            .header("cookie", &session)
            .send()
    };
    match r.headers()["location"].to_str().unwrap() {
        "/login/enrol" => {
            let (r, _) = enrol_form(client, address, &session).await;
            assert_eq!(r.headers()["location"], "/incidents");
        }
        "/login/second-factor" => {
            let html = get("/login/second-factor")
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let code = kinga_app::totp::now_code(TEST_TOTP_SECRET).unwrap();
            let r = client
                .post(format!("{address}/login/second-factor"))
                .header("cookie", &session)
                .form(&[("csrf", csrf_of(&html).as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["location"], "/incidents");
        }
        _ => {}
    }
    let html = get("/incidents").await.unwrap().text().await.unwrap();
    (session.clone(), csrf_of(&html))
}

async fn set_up() -> Matrix {
    let (store, dir) = sqlite_store().await;
    let access = Arc::new(Access::new(store.clone()));
    let vault = Arc::new(Vault::new(store.clone(), dir.path().join("vault")));
    let sys = access.system("test");
    let orgs = add_organisations(&sys).await;
    create_keys(&vault, &orgs).await;
    let users: Vec<(&str, Role)> = CALLERS
        .iter()
        .filter_map(|w| w.role.map(|r| (w.org, r)))
        .collect();
    add_users(&sys, &users).await;
    sys.add_user(
        Slug::parse("alpha").unwrap(),
        Observer,
        Email::parse(&format!(
            "{}@alpha.org",
            marker(Kind::User, Visibility::Organisation)
        ))
        .unwrap(),
        PASSWORD,
        None,
    )
    .await
    .unwrap();
    store
        .upsert_events(&Actor::system("test"), vec![event("401"), event("402")])
        .await
        .unwrap();
    let alpha_event = private_event(
        &store,
        &orgs[0],
        marker(Kind::Event, Visibility::Organisation),
    )
    .await;
    let (address, client) = serve_with_vault(access.clone(), vault).await;
    let mut callers = Vec::new();
    for &who in CALLERS {
        let Some(role) = who.role else {
            callers.push(Caller {
                who,
                token: String::new(),
                session: String::new(),
                csrf: "no-session".into(),
            });
            continue;
        };
        let email = format!("{role}@{}.org", who.org);
        let token = token(&access, &email).await;
        let (session, csrf) = sign_in(&client, &address, &email).await;
        callers.push(Caller {
            who,
            token,
            session,
            csrf,
        });
    }
    let tok = |org: &str, role: Role| {
        callers
            .iter()
            .find(|c| c.who.org == org && c.who.role == Some(role))
            .unwrap()
            .token
            .clone()
    };
    let (legal, analyst) = (tok("alpha", Legal), tok("alpha", Analyst));
    let mut m = Matrix {
        address,
        client,
        store,
        callers: Vec::new(),
        records: Records::default(),
        analyst_id: String::new(),
        legal,
        analyst,
        _dir: dir,
    };
    m.analyst_id = m.api("GET", &m.analyst, "/me", None).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (n, v) in Visibility::ALL.into_iter().enumerate() {
        let rep = m
            .api(
                "POST",
                &m.legal,
                "/reports",
                Some(json!({"text": marker(Kind::Report, v), "country": "CAF",
                            "occurred_on": "2026-11-20", "visibility": v})),
            )
            .await;
        let rep = rep["id"].as_str().unwrap().to_string();
        m.api(
            "POST",
            &m.legal,
            &format!("/reports/{rep}/sealed"),
            Some(json!({"witness_name": marker(Kind::Sealed, v)})),
        )
        .await;
        let inc = m
            .api(
                "POST",
                &m.legal,
                "/incidents",
                Some(json!({"title": marker(Kind::Incident, v), "country": "CAF",
                            "date_start": "2013-12-05", "visibility": v})),
            )
            .await;
        let inc = inc["id"].as_str().unwrap().to_string();
        m.records.report.insert(v, rep);
        m.records.incident.insert(v, inc.clone());
        m.recite(v).await;
        m.api(
            "POST",
            &m.legal,
            &format!("/incidents/{inc}/events"),
            Some(json!({"event": alpha_event})),
        )
        .await;
        let item = m.upload(&inc, v, n as u8).await;
        let item = item["id"].as_str().unwrap().to_string();
        let copy = m
            .api(
                "POST",
                &m.legal,
                &format!("/evidence/{item}/derivatives"),
                Some(json!({"thumbnail": {"size": 40}})),
            )
            .await;
        m.records
            .copy
            .insert(v, copy["id"].as_str().unwrap().to_string());
        m.records.evidence.insert(v, item);
        let alert = m
            .api(
                "POST",
                &m.analyst,
                "/alerts",
                Some(json!({"country": "CAF", "level": "warning",
                            "message_en": marker(Kind::Alert, v),
                            "message_fr": "Alerte de la matrice", "visibility": v})),
            )
            .await;
        m.records
            .alert
            .insert(v, alert["id"].as_str().unwrap().to_string());
        if v != Visibility::Sealed {
            m.api(
                "POST",
                &m.analyst,
                "/countries/CAF/class",
                Some(
                    json!({"class": "serious_concern", "rationale": marker(Kind::Class, v),
                            "visibility": v}),
                ),
            )
            .await;
            let a = m
                .api(
                    "POST",
                    &m.analyst,
                    "/assessments",
                    Some(json!({"country": "CAF", "assessed_on": "2026-11-01",
                                "summary": marker(Kind::Assessment, v), "visibility": v})),
                )
                .await;
            m.records
                .assessment
                .insert(v, a["id"].as_str().unwrap().to_string());
            m.relink(v).await;
        }
    }
    m.callers = callers;
    m
}

#[derive(Clone, Copy)]
struct Case {
    entry: usize,
    caller: usize,
    vis: Option<Visibility>,
    /// A form sent with a wrong CSRF token, by a caller who may otherwise send it.
    forged: bool,
}

/// The path and body of a case with its placeholders filled in.
fn fill(m: &Matrix, s: &str, e: &Entry, who: Who, v: Option<Visibility>) -> String {
    let r = &m.records;
    let v0 = v.unwrap_or(Visibility::Public);
    let id = match e.rec {
        No if e.path.starts_with("/signals") => "999999".to_string(),
        No => String::new(),
        Rec::Report => r.report[&v0].clone(),
        Rec::Incident => r.incident[&v0].clone(),
        Rec::Evidence => r.evidence[&v0].clone(),
        Rec::Assessment => r.assessment[&v0].clone(),
        Rec::Alert => r.alert[&v0].clone(),
    };
    let link = r.link.lock().unwrap().get(&v0).cloned().unwrap_or_default();
    let version = r.version.lock().unwrap().get(&v0).copied().unwrap_or(1);
    s.replace("{id}", &id)
        .replace("{incident}", &r.incident[&v0])
        .replace("{event_id}", "ucdp-ged:401")
        .replace("{copy}", &r.copy[&v0])
        .replace("{link}", &link)
        .replace("{version}", &version.to_string())
        .replace("{country}", "CAF")
        .replace("{code}", "fr")
        .replace("{analyst}", &m.analyst_id)
        .replace("{org}", if who.org.is_empty() { "none" } else { who.org })
}

/// What came back: the outcome, the status, and which kinds of record the answer showed a
/// marker of (a bit per [`KINDS`]), so that the leak search is known to look at real text.
type Answer = (Outcome, u16, u16);

async fn run(m: &Matrix, case: Case) -> Answer {
    let e = &TABLE[case.entry];
    let c = &m.callers[case.caller];
    let path = fill(m, e.path, e, c.who, case.vis);
    let body = fill(m, e.body, e, c.who, case.vis);
    let prefix = if e.via == Via::Api { "/api/v1" } else { "" };
    // A GET's "body" is its query.
    let query = if e.method == "GET" && !body.is_empty() {
        format!("?{body}")
    } else {
        String::new()
    };
    let mut rq = m.client.request(
        e.method.parse().unwrap(),
        format!("{}{prefix}{path}{query}", m.address),
    );
    let signed_in = c.who.role.is_some();
    let csrf = if case.forged {
        "forged".to_string()
    } else {
        c.csrf.clone()
    };
    match e.via {
        Via::Api => {
            if signed_in {
                rq = rq.bearer_auth(&c.token);
            }
        }
        Via::Ui => {
            if signed_in {
                rq = rq.header("cookie", &c.session);
            }
        }
    }
    if body == "MULTIPART" {
        let mut form = Form::new();
        if e.via == Via::Ui {
            form = form.text("csrf", csrf.clone());
        }
        form = form.text("visibility", "organisation").part(
            "file",
            Part::bytes(b"matrix upload".to_vec()).file_name("matrix.txt"),
        );
        rq = rq.multipart(form);
    } else if e.via == Via::Ui && e.method != "GET" {
        let mut form = format!("csrf={csrf}");
        if !body.is_empty() {
            form = format!("{form}&{body}");
        }
        rq = rq
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form);
    } else if !body.is_empty() && e.method != "GET" {
        rq = rq.header("content-type", "application/json").body(body);
    }
    let r = rq.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = r.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let mut shown = 0u16;
    for (bit, kind) in KINDS.into_iter().enumerate() {
        if Visibility::ALL
            .into_iter()
            .any(|v| text.contains(&marker(kind, v)))
        {
            shown |= 1 << bit;
        }
    }
    (classify(e, c.who, status, &location, &text), status, shown)
}

fn classify(e: &Entry, who: Who, status: u16, location: &str, text: &str) -> Outcome {
    for kind in KINDS {
        for v in Visibility::ALL {
            if !sees(who, kind, v) && text.contains(&marker(kind, v)) {
                return Outcome::Leak(leak_name(kind, v));
            }
        }
    }
    if matches!(e.rule, Flow) {
        return if status >= 500 {
            Outcome::Status(status)
        } else {
            Outcome::Ok
        };
    }
    match status {
        401 => Outcome::Login,
        300..=399 if location.starts_with("/login") => Outcome::Login,
        403 => Outcome::Forbidden,
        404 => Outcome::NotFound,
        409 if text.contains("only the organisation that owns") => Outcome::NotOwner,
        200..=399 => Outcome::Ok,
        400 | 409 | 422 | 423 if e.method != "GET" => Outcome::Ok,
        s => Outcome::Status(s),
    }
}

/// A `'static` name for a leaked marker, so that outcomes stay `Copy`.
fn leak_name(kind: Kind, v: Visibility) -> &'static str {
    Box::leak(marker(kind, v).into_boxed_str())
}

fn label(m: &Matrix, case: Case) -> String {
    let e = &TABLE[case.entry];
    let via = if e.via == Via::Api { "/api/v1" } else { "" };
    let vis = case.vis.map(|v| format!(" [{v}]")).unwrap_or_default();
    let forged = if case.forged {
        " with a forged token"
    } else {
        ""
    };
    format!(
        "{} {via}{} as {}{vis}{forged}",
        e.method, e.path, m.callers[case.caller].who
    )
}

/// A caller whose role lacks the right, asking about a record it may not read, may be told
/// either 403 or 404: neither says whether the record exists.
fn agrees(m: &Matrix, case: Case, want: Outcome, got: Outcome) -> bool {
    let e = &TABLE[case.entry];
    let who = m.callers[case.caller].who;
    let unseen = case.vis.is_some_and(|v| !sees(who, kind_of(e.rec), v));
    want == got || (unseen && want == Outcome::Forbidden && got == Outcome::NotFound)
}

/// The entry of [`ACCEPTED`] or [`FINDINGS`] that speaks for this case, if one does.
fn accepted(case: Case, m: &Matrix) -> Option<&'static Accepted> {
    let e = &TABLE[case.entry];
    let who = m.callers[case.caller].who;
    ACCEPTED.iter().chain(FINDINGS).find(|a| {
        a.0 == e.via
            && a.1 == e.method
            && a.2 == e.path
            && a.3 == who
            && (a.4.is_empty() || case.vis.is_some_and(|v| a.4.contains(&v)))
    })
}

#[tokio::test]
async fn matrix_of_every_route_caller_and_visibility() {
    let started = std::time::Instant::now();
    let m = set_up().await;
    let mut cases = Vec::new();
    for (i, e) in TABLE.iter().enumerate() {
        let viss: Vec<Option<Visibility>> = match e.rec {
            No => vec![None],
            Rec::Assessment => Visibility::ALL
                .into_iter()
                .filter(|v| *v != Visibility::Sealed)
                .map(Some)
                .collect(),
            _ => Visibility::ALL.into_iter().map(Some).collect(),
        };
        for caller in 0..m.callers.len() {
            for &vis in &viss {
                cases.push(Case {
                    entry: i,
                    caller,
                    vis,
                    forged: false,
                });
            }
            // Every form a caller may send is refused without the session's CSRF token.
            let who = m.callers[caller].who;
            let forgeable = e.via == Via::Ui && e.method != "GET" && !matches!(e.rule, Flow);
            if let Some(&vis) = viss
                .iter()
                .find(|v| forgeable && expected(e, who, **v) == Outcome::Ok)
            {
                cases.push(Case {
                    entry: i,
                    caller,
                    vis,
                    forged: true,
                });
            }
        }
    }
    let want = |c: Case| match accepted(c, &m) {
        _ if c.forged => Outcome::Forbidden,
        Some(a) => a.5,
        None => expected(&TABLE[c.entry], m.callers[c.caller].who, c.vis),
    };
    // Refusals first, route by route, each route's cases at once: none of them may change
    // anything, and the audit chain's head after each route names the one that did.
    let quiet = |c: &Case| {
        let e = &TABLE[c.entry];
        let who = m.callers[c.caller].who;
        match e.rule {
            _ if c.forged => true,
            Flow => false,
            Noop(_) => !(who.org == "alpha" && expected(e, who, c.vis) == Outcome::Ok),
            // A finding that writes is sent with the writes; the rest must change nothing.
            _ => {
                expected(e, who, c.vis) != Outcome::Ok
                    && !accepted(*c, &m).is_some_and(|a| {
                        a.5 == Outcome::Ok && FINDINGS.iter().any(|f| std::ptr::eq(f, a))
                    })
            }
        }
    };
    let (refused, allowed): (Vec<Case>, Vec<Case>) = cases.iter().partition(|c| quiet(c));
    let forged = cases.iter().filter(|c| c.forged).count();
    let mut problems = Vec::new();
    let before = m.state().await;
    let mut got: Vec<(Case, Answer)> = Vec::new();
    for (i, e) in TABLE.iter().enumerate() {
        let head = m.store.audit_head().await.unwrap();
        let batch: Vec<Case> = refused.iter().copied().filter(|c| c.entry == i).collect();
        got.extend(
            futures::stream::iter(batch)
                .map(|c| {
                    let m = &m;
                    async move { (c, run(m, c).await) }
                })
                .buffer_unordered(16)
                .collect::<Vec<_>>()
                .await,
        );
        let now = m.store.audit_head().await.unwrap();
        if now.seq != head.seq {
            let via = if e.via == Via::Api { "/api/v1" } else { "" };
            problems.push(format!(
                "refused {} {via}{} wrote {} audit entries",
                e.method,
                e.path,
                now.seq - head.seq
            ));
        }
    }
    let after = m.state().await;
    if before != after {
        let changed: Vec<_> = before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("  before: {a}\n  after:  {b}"))
            .collect();
        problems.push(format!(
            "refused requests changed what is stored:\n{}",
            changed.join("\n")
        ));
    }
    // Then the reads that are allowed, all at once; then the writes, one by one, so that each
    // finds the record as the table expects (a citation to remove, a link to delete), with
    // the keys and signing out last.
    let (reads, mut writes): (Vec<Case>, Vec<Case>) = allowed
        .into_iter()
        .partition(|c| TABLE[c.entry].method == "GET");
    got.extend(
        futures::stream::iter(reads)
            .map(|c| {
                let m = &m;
                async move { (c, run(m, c).await) }
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await,
    );
    let last = |c: &Case| {
        let p = TABLE[c.entry].path;
        (
            p.starts_with("/login") || p == "/logout",
            p.starts_with("/admin/keys"),
            p.ends_with("/unlock") && p.starts_with("/admin"),
        )
    };
    writes.sort_by_key(|c| last(c));
    for c in writes {
        let e = &TABLE[c.entry];
        if let Some(v) = c.vis {
            if e.path.contains("{event_id}") || e.path.ends_with("/events/remove") {
                m.recite(v).await;
            }
            if e.path.contains("{link}") || e.path.ends_with("/signoff") {
                m.relink(v).await;
            }
        }
        got.push((c, run(&m, c).await));
    }
    for (c, (outcome, status, _)) in &got {
        let want = want(*c);
        if !agrees(&m, *c, want, *outcome) {
            problems.push(format!(
                "{}: answered {outcome} ({status}), expected {want}",
                label(&m, *c)
            ));
        }
    }
    if std::env::var_os("MATRIX_DUMP").is_some() {
        for (c, (o, st, _)) in &got {
            println!("DUMP {} -> {o} {st}", label(&m, *c));
        }
    }
    // A listed exception that no case answered any more has been mended: drop it from the list.
    let mut seen_findings = BTreeSet::new();
    for (c, (outcome, _, _)) in &got {
        if let Some(a) = accepted(*c, &m) {
            if a.5 == *outcome {
                seen_findings.insert(a as *const Accepted as usize);
            }
        }
    }
    for a in ACCEPTED.iter().chain(FINDINGS) {
        if !seen_findings.contains(&(a as *const Accepted as usize)) {
            problems.push(format!(
                "no longer answered, remove it from the exceptions: {} {} as {} ({})",
                a.1, a.2, a.3, a.6
            ));
        }
    }
    // The leak search means something only if permitted readers do see each kind's marker.
    let shown = got.iter().fold(0u16, |acc, (_, (_, _, s))| acc | s);
    for (bit, kind) in KINDS.into_iter().enumerate() {
        if shown & (1 << bit) == 0 {
            problems.push(format!("no answer showed any {kind:?} marker"));
        }
    }
    problems.sort();
    assert!(
        problems.is_empty(),
        "{} of {} cases differ from the access matrix:\n{}",
        problems.len(),
        got.len(),
        problems.join("\n")
    );
    for a in FINDINGS {
        let via = if a.0 == Via::Api { "/api/v1" } else { "" };
        let vis: Vec<&str> = a.4.iter().map(Visibility::as_str).collect();
        println!(
            "access matrix finding: {} {via}{} as {} on {} records answers {}: {}",
            a.1,
            a.2,
            a.3,
            vis.join(", "),
            a.5,
            a.6
        );
    }
    println!(
        "access matrix: {} routes x {} callers, {} cases ({} refused, {forged} of them forged \
         forms, nothing changed), {:.1?}",
        TABLE.len(),
        m.callers.len(),
        got.len(),
        refused.len(),
        started.elapsed()
    );
}

/// The matrix names the record in the path; a body can name a second one. A caller who may
/// change its own record must not tie it to one it cannot see: charlie's incident, report,
/// analyst and privately imported event are unknown to alpha, and each request naming one is
/// refused, stores nothing and repeats nothing of it.
#[tokio::test]
async fn a_body_naming_a_record_the_caller_cannot_see_is_refused() {
    let m = set_up().await;
    let who = |org: &str, role: Role| {
        m.callers
            .iter()
            .find(|c| c.who.org == org && c.who.role == Some(role))
            .unwrap()
    };
    let charlie = &who("charlie", Legal).token;
    let theirs = |kind: &str| format!("mx-charlie-{kind}-x");
    let inc = m
        .api(
            "POST",
            charlie,
            "/incidents",
            Some(json!({"title": theirs("incident"), "country": "CAF",
                        "date_start": "2013-12-05", "visibility": "organisation"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rep = m
        .api(
            "POST",
            charlie,
            "/reports",
            Some(json!({"text": theirs("report"), "country": "CAF",
                        "occurred_on": "2026-11-20", "visibility": "organisation"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = m
        .api("GET", &who("charlie", Analyst).token, "/me", None)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let org = m
        .store
        .organisation(&Slug::parse("charlie").unwrap())
        .await
        .unwrap()
        .unwrap();
    let event = private_event(&m.store, &org, theirs("event")).await;
    let v = Visibility::Organisation;
    let (a_rep, a_inc) = (&m.records.report[&v], &m.records.incident[&v]);
    let enc = |s: &str| s.replace(':', "%3A");
    // (interface, path, body): each sent by alpha's analyst about alpha's own record.
    let probes: Vec<(Via, String, String)> = vec![
        (
            Via::Api,
            format!("/reports/{a_rep}/link"),
            json!({"incident": inc}).to_string(),
        ),
        (
            Via::Ui,
            format!("/reports/{a_rep}/link"),
            format!("incident={inc}"),
        ),
        (
            Via::Api,
            format!("/incidents/{a_inc}/assign"),
            json!({"assignee": user}).to_string(),
        ),
        (
            Via::Ui,
            format!("/incidents/{a_inc}/assign"),
            format!("assignee={user}"),
        ),
        (
            Via::Api,
            format!("/incidents/{a_inc}/events"),
            json!({"event": event}).to_string(),
        ),
        (
            Via::Ui,
            format!("/incidents/{a_inc}/events"),
            format!("event={}", enc(&event)),
        ),
        (
            Via::Api,
            format!("/events/{event}/incidents"),
            String::new(),
        ),
        (
            Via::Api,
            format!("/incidents/{a_inc}/event-suggestions"),
            String::new(),
        ),
        (Via::Ui, format!("/incidents/{a_inc}/events"), String::new()),
        (
            Via::Api,
            format!("/reports/{rep}/duplicates"),
            String::new(),
        ),
    ];
    let analyst = who("alpha", Analyst);
    let mut problems = Vec::new();
    for (via, path, body) in probes {
        let get = body.is_empty();
        let head = m.store.audit_head().await.unwrap();
        let rq = match via {
            Via::Api => {
                let url = format!("{}/api/v1{path}", m.address);
                let rq = if get {
                    m.client.get(url)
                } else {
                    m.client
                        .post(url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                };
                rq.bearer_auth(&analyst.token)
            }
            Via::Ui => {
                let url = format!("{}{path}", m.address);
                let rq = if get {
                    m.client.get(url)
                } else {
                    m.client
                        .post(url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(format!("csrf={}&{body}", analyst.csrf))
                };
                rq.header("cookie", &analyst.session)
            }
        };
        let r = rq.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let label = format!(
            "{} {}{path} {body}",
            if get { "GET" } else { "POST" },
            if via == Via::Api { "/api/v1" } else { "" }
        );
        let now = m.store.audit_head().await.unwrap();
        if std::env::var_os("MATRIX_DUMP").is_some() {
            println!("DUMP {label}: {status} {}", text.replace('\n', " "));
        }
        if !get && !(400..500).contains(&status) {
            problems.push(format!("{label}: answered {status}, expected a refusal"));
        }
        if get && path.starts_with("/events/") && status != 404 {
            problems.push(format!("{label}: answered {status}, expected 404"));
        }
        if now.seq != head.seq {
            problems.push(format!(
                "{label}: wrote {} audit entries",
                now.seq - head.seq
            ));
        }
        for kind in ["incident", "report", "event"] {
            if text.contains(&theirs(kind)) {
                problems.push(format!("{label}: answer shows charlie's {kind}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
