use super::json_body;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::Json;
use kinga_domain::fields::Fields;
use kinga_domain::org::{NewOrganisation, Organisation};
use kinga_domain::user::{Email, User};
use kinga_domain::Role;
use serde_json::{json, Value};

/// Every record the API returns says who owns it and how far it travels. The directory of
/// organisations is shared with every member of the network; a user record stays within its
/// organisation.
fn org_json(o: &Organisation) -> Value {
    let mut v = json!(o);
    v["organisation"] = json!(o.slug);
    v["visibility"] = json!("network");
    v
}

fn user_json(u: &User) -> Value {
    let mut v = json!(u);
    v["visibility"] = json!("organisation");
    v
}

pub async fn me(ApiCaller(member): ApiCaller) -> Json<Value> {
    Json(user_json(member.user()))
}

pub async fn organisations(ApiCaller(member): ApiCaller) -> Result<Json<Value>, ApiError> {
    let orgs = member.organisations().await?;
    let items: Vec<Value> = orgs.iter().map(org_json).collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

pub async fn add_organisation(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let value = json_body(&body)?;
    super::only_fields(&value, &["slug", "name", "country", "networks"])?;
    let mut f = Fields::new(&value)?;
    let slug = f.required_text("slug", 64).unwrap_or_default();
    let name = f.required_text("name", 300).unwrap_or_default();
    let country = f.text("country", 3);
    let networks: Vec<String> = match value.get("networks") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_string())
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => vec![],
    };
    f.finish()?;
    let new = NewOrganisation::parse(&slug, &name, country.as_deref(), &networks)?;
    let admin = member.as_admin()?;
    Ok((
        StatusCode::CREATED,
        Json(org_json(&admin.add_organisation(new).await?)),
    ))
}

pub async fn users(ApiCaller(member): ApiCaller) -> Result<Json<Value>, ApiError> {
    let admin = member.as_admin()?;
    let users = admin.users().await?;
    let items: Vec<Value> = users.iter().map(user_json).collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

pub async fn add_user(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let value = json_body(&body)?;
    super::only_fields(&value, &["email", "role", "password"])?;
    let mut f = Fields::new(&value)?;
    let email: Option<Email> = f.required("email");
    let role: Option<Role> = f.required("role");
    let password = f.required_text("password", 1000);
    f.finish()?;
    let admin = member.as_admin()?;
    let user = admin
        .add_user(
            role.expect("checked"),
            email.expect("checked"),
            &password.expect("checked"),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user_json(&user))))
}
