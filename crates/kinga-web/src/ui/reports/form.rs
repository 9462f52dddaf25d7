use crate::state::AppState;
use crate::ui::common::{
    countries, field_errors, forbidden, problem, visibilities, with_status, words, Choice, Entered,
};
use crate::ui::i18n::Tr;
use crate::ui::session::{form_value, render, FormErrors, Page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_domain::evidence::SEALED_REPORT_FIELDS;
use kinga_domain::report::{NewReport, ReporterRole, RiskToSource};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "report_form.html")]
struct ReportForm {
    p: Page,
    t: Tr,
    f: Entered,
    message: String,
    today: String,
    countries: Vec<Choice>,
    visibilities: Vec<Choice>,
    reporter_roles: Vec<Choice>,
    risks: Vec<Choice>,
}

fn form_page(page: Page, f: Entered, message: String) -> ReportForm {
    let t = page.t;
    let roles: Vec<&str> = ReporterRole::ALL.iter().map(ReporterRole::as_str).collect();
    let risks: Vec<&str> = RiskToSource::ALL.iter().map(RiskToSource::as_str).collect();
    ReportForm {
        countries: countries(f.v("country")),
        visibilities: visibilities(t, f.v("visibility")),
        reporter_roles: words(t, "reporter", &roles, f.v("reporter_role")),
        risks: words(t, "risk", &risks, f.v("risk_to_source")),
        today: chrono::Utc::now().date_naive().to_string(),
        message,
        f,
        t,
        p: page,
    }
}

pub async fn page(page: Page) -> Response {
    if !page.member.user().role.may_submit_reports() {
        return forbidden(page);
    }
    let mut f = Entered::default();
    // Most of the network's monitors work in the Central African Republic.
    f.set("country", "CAF");
    f.set("visibility", "organisation");
    render(&form_page(page, f, String::new()))
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    if !page.member.user().role.may_submit_reports() {
        return forbidden(page);
    }
    let t = page.t;
    // The protected source never joins the report's own fields: it is sealed on its own.
    let (sealed, sealed_errors) = super::sealed::from_form(t, &form);
    let mut value = form_value(&form);
    if let Some(o) = value.as_object_mut() {
        o.retain(|k, _| !SEALED_REPORT_FIELDS.contains(&k.as_str()));
    }
    value["channel"] = serde_json::Value::String("web".into());
    let again = |page: Page, errors: FormErrors, message: String, status: StatusCode| {
        let f = Entered::with(form.clone(), errors);
        // The page may carry what was typed as the protected source: keep it out of caches.
        no_store(with_status(render(&form_page(page, f, message)), status))
    };
    let new = match NewReport::parse(&value, chrono::Utc::now().date_naive()) {
        Ok(_) if sealed_errors.any() => {
            return again(
                page,
                sealed_errors,
                t.get("common.error").into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Ok(n) => n,
        Err(e) => {
            let mut errors = field_errors(t, &e);
            errors.0.extend(sealed_errors.0);
            return again(
                page,
                errors,
                t.get("common.error").into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    // Sealing needs only the organisation's public key, so it works while the keys are
    // locked; an organisation without keys is told before anything is stored.
    if !sealed.is_empty() {
        if let Err(why) = super::sealed::can_seal(&state, &page).await {
            return again(page, FormErrors::default(), why, StatusCode::CONFLICT);
        }
    }
    let r = match page.member.submit_report(new).await {
        Ok(r) => r,
        Err(e) => {
            let pr = problem(t, e);
            return again(page, pr.fields, pr.message, pr.status);
        }
    };
    if sealed.is_empty() {
        return Redirect::to(&format!("/reports/{}?submitted=1", r.id)).into_response();
    }
    // The report is stored and acknowledged whatever happens next; a failure to seal is
    // said on its page, with the form to seal the details again.
    let outcome = match super::sealed::seal(&state, &page, r.id, sealed).await {
        Ok(()) => "sealed=1",
        Err(e) => {
            tracing::error!(report = %r.id, "sealing the protected source failed: {e}");
            "sealed=failed"
        }
    };
    Redirect::to(&format!("/reports/{}?submitted=1&{outcome}", r.id)).into_response()
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}
