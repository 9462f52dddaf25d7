use crate::ui::common::{
    countries, field_errors, forbidden, problem, visibilities, with_status, words, Choice, Entered,
};
use crate::ui::i18n::Tr;
use crate::ui::session::{form_value, render, FormErrors, Page};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
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
    let roles: Vec<&str> = ReporterRole::ALL.iter().map(|r| r.as_str()).collect();
    let risks: Vec<&str> = RiskToSource::ALL.iter().map(|r| r.as_str()).collect();
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

pub async fn submit(page: Page, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    if !page.member.user().role.may_submit_reports() {
        return forbidden(page);
    }
    let t = page.t;
    let mut value = form_value(&form);
    value["channel"] = serde_json::Value::String("web".into());
    let again = |page: Page, errors: FormErrors, message: String, status: StatusCode| {
        let f = Entered::with(form.clone(), errors);
        with_status(render(&form_page(page, f, message)), status)
    };
    let new = match NewReport::parse(&value, chrono::Utc::now().date_naive()) {
        Ok(n) => n,
        Err(e) => {
            return again(
                page,
                field_errors(t, &e),
                t.get("common.error").into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    match page.member.submit_report(new).await {
        Ok(r) => Redirect::to(&format!("/reports/{}?submitted=1", r.id)).into_response(),
        Err(e) => {
            let pr = problem(t, e);
            again(page, pr.fields, pr.message, pr.status)
        }
    }
}
