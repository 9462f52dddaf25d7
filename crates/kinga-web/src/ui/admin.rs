//! Administration: the organisations of the network (anyone's admin may admit one) and the
//! users of the administrator's own organisation.
use super::common::{
    countries, forbidden, problem, when, with_status, words, Choice, Entered, Problem,
};
use super::i18n::Tr;
use super::session::{render, Page};
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{extract::Query, Form, Router};
use kinga_app::records::StoreError;
use kinga_app::{AccessError, Admin};
use kinga_domain::org::NewOrganisation;
use kinga_domain::user::Email;
use kinga_domain::{Role, ValidationErrors};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/organisations", post(add_organisation))
        .route("/admin/users", post(add_user))
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminTemplate {
    p: Page,
    t: Tr,
    notice: String,
    message: String,
    orgs: Vec<OrgRow>,
    users: Vec<UserRow>,
    org_f: Entered,
    user_f: Entered,
    countries: Vec<Choice>,
    roles: Vec<Choice>,
}

struct OrgRow {
    slug: String,
    name: String,
    country: String,
    networks: String,
}

struct UserRow {
    email: String,
    role: String,
    second_factor: String,
    created: String,
}

/// What one of the two forms sent back and what was wrong with it.
#[derive(Default)]
struct Attempt {
    notice: String,
    message: String,
    status: Option<StatusCode>,
    org_f: Entered,
    user_f: Entered,
}

async fn admin_page(page: Page, admin: &Admin, a: Attempt) -> Response {
    let t = page.t;
    let mut message = a.message;
    let orgs = match page.member.organisations().await {
        Ok(os) => os
            .into_iter()
            .map(|o| OrgRow {
                slug: o.slug.to_string(),
                name: o.name,
                country: o.country.map(|c| c.code().to_string()).unwrap_or_default(),
                networks: o
                    .networks
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        Err(e) => {
            message = problem(t, e).message;
            Vec::new()
        }
    };
    let users = match admin.users().await {
        Ok(us) => us
            .into_iter()
            .map(|u| UserRow {
                email: u.email.to_string(),
                role: t.word("role", u.role.as_str()),
                second_factor: if u.has_second_factor {
                    t.get("common.yes")
                } else {
                    t.get("common.no")
                }
                .to_string(),
                created: when(u.created_at),
            })
            .collect(),
        Err(e) => {
            message = problem(t, e).message;
            Vec::new()
        }
    };
    let roles: Vec<&str> = Role::ALL.iter().map(Role::as_str).collect();
    let role_now = match a.user_f.v("role") {
        "" => "monitor",
        r => r,
    };
    let body = render(&AdminTemplate {
        countries: countries(a.org_f.v("country")),
        roles: words(t, "role", &roles, role_now),
        notice: a.notice,
        message,
        orgs,
        users,
        org_f: a.org_f,
        user_f: a.user_f,
        t,
        p: page,
    });
    match a.status {
        Some(s) => with_status(body, s),
        None => body,
    }
}

async fn page(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    let Ok(admin) = page.member.as_admin() else {
        return forbidden(page);
    };
    let t = page.t;
    let notice = match q.get("notice").map(String::as_str) {
        Some("organisation") => t.get("admin.org_added"),
        Some("user") => t.get("admin.user_added"),
        _ => "",
    }
    .to_string();
    let a = Attempt {
        notice,
        ..Attempt::default()
    };
    admin_page(page, &admin, a).await
}

/// A store refusal shown beside the field it concerns: a duplicate is the slug's or e-mail's.
fn refusal(t: Tr, e: AccessError, duplicate_field: &str) -> Problem {
    let conflict = matches!(e, AccessError::Store(StoreError::Conflict(_)));
    let mut p = problem(t, e);
    if conflict {
        p.fields
            .0
            .insert(duplicate_field.into(), t.get("admin.duplicate").into());
    }
    p
}

async fn add_organisation(page: Page, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(admin) = page.member.as_admin() else {
        return forbidden(page);
    };
    let t = page.t;
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let networks: Vec<String> = get("networks")
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let country = get("country");
    let result = match NewOrganisation::parse(
        &get("slug"),
        &get("name"),
        Some(country.as_str()),
        &networks,
    ) {
        Ok(new) => admin
            .add_organisation(new)
            .await
            .map_err(|e| refusal(t, e, "slug")),
        Err(e) => Err(Problem::invalid(t, &e)),
    };
    match result {
        Ok(_) => Redirect::to("/admin?notice=organisation").into_response(),
        Err(p) => {
            let a = Attempt {
                message: p.message,
                status: Some(p.status),
                org_f: Entered::with(form, p.fields),
                ..Attempt::default()
            };
            admin_page(page, &admin, a).await
        }
    }
}

async fn add_user(page: Page, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(admin) = page.member.as_admin() else {
        return forbidden(page);
    };
    let t = page.t;
    let mut errors = ValidationErrors::new();
    let typed = form.get("email").map(|e| e.trim()).unwrap_or("");
    let email = if typed.is_empty() {
        errors.push("$.email", "is required");
        None
    } else {
        errors.check("$.email", Email::parse(typed))
    };
    let role = errors.check(
        "$.role",
        form.get("role")
            .map(String::as_str)
            .unwrap_or("")
            .parse::<Role>(),
    );
    let password = form.get("password").cloned().unwrap_or_default();
    if let Err(e) = kinga_app::password::check_strength(&password) {
        errors.push("$.password", e.to_string());
    }
    let result = match (errors.into_result(), email, role) {
        (Ok(()), Some(email), Some(role)) => admin
            .add_user(role, email, &password)
            .await
            .map_err(|e| refusal(t, e, "email")),
        (Err(e), _, _) => Err(Problem::invalid(t, &e)),
        _ => Err(Problem::invalid(
            t,
            &ValidationErrors::single("$.email", "is required"),
        )),
    };
    match result {
        Ok(_) => Redirect::to("/admin?notice=user").into_response(),
        Err(p) => {
            // A password is never sent back into a page.
            let mut values = form;
            values.remove("password");
            let a = Attempt {
                message: p.message,
                status: Some(p.status),
                user_f: Entered::with(values, p.fields),
                ..Attempt::default()
            };
            admin_page(page, &admin, a).await
        }
    }
}
