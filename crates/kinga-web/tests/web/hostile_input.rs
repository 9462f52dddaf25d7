//! Input an attacker or a careless client sends: NUL bytes, oversized bodies, misspelt fields,
//! impossible dates, another network's organisations. Each gets a problem document with a 4xx
//! status and writes nothing; every answer carries the security headers.
use crate::helpers::{post_json, spawn_app, token, TestApp};
use serde_json::{json, Value};

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn is_problem(r: &reqwest::Response) -> bool {
    r.headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/problem+json"))
}

async fn report_count(app: &TestApp, token: &str) -> u64 {
    let r = get(app, token, "/api/v1/reports").await;
    let v: Value = r.json().await.unwrap();
    v["total"].as_u64().unwrap()
}

#[tokio::test]
async fn a_nul_byte_in_a_search_or_a_field_is_a_422_not_a_500() {
    let app = spawn_app().await;
    let t = token(&app.access, "analyst@alpha.org").await;
    for q in ["ab%00cd", "%00", "Bossangoa%00%22"] {
        let r = get(&app, &t, &format!("/api/v1/incidents?q={q}")).await;
        assert_eq!(r.status().as_u16(), 422, "q={q}");
        assert!(is_problem(&r));
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["errors"][0]["path"], "$.q", "{v}");
    }
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/reports",
        &json!({"text": "shots\u{0}fired", "country": "CAF", "occurred_on": "2026-11-20"}),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["path"], "$.text");
    assert_eq!(report_count(&app, &t).await, 0);
}

#[tokio::test]
async fn an_oversized_body_is_a_413_problem_document() {
    let app = spawn_app().await;
    let t = token(&app.access, "analyst@alpha.org").await;
    let text = "x".repeat(3 << 20);
    let r = app
        .client
        .post(format!("{}/api/v1/reports", app.address))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(format!(r#"{{"text": "{text}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert!(is_problem(&r));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], 413);
    assert_eq!(report_count(&app, &t).await, 0);
    // Other framework rejections too: an unknown route, a wrong method, a bad query.
    let r = get(&app, &t, "/api/v1/no-such-thing").await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(is_problem(&r));
    let r = app
        .client
        .delete(format!("{}/api/v1/reports", app.address))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert!(is_problem(&r));
}

#[tokio::test]
async fn a_misspelt_field_is_refused_not_ignored() {
    let app = spawn_app().await;
    let t = token(&app.access, "analyst@alpha.org").await;
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/reports",
        &json!({"text": "Village burnt", "country": "CAF", "occurred_on": "2026-11-20",
                "visiblity": "sealed"}),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["path"], "$.visiblity", "{v}");
    assert_eq!(report_count(&app, &t).await, 0);
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/incidents",
        &json!({"title": "Attack", "country": "CAF", "date_start": "2013-12-05",
                "visibility": "network", "fatalites_best": 3}),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["path"], "$.fatalites_best", "{v}");
    // Every known field still passes.
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/reports",
        &json!({"text": "Village burnt", "country": "CAF", "occurred_on": "2026-11-20",
                "visibility": "organisation", "latitude": 6.49, "longitude": 17.45,
                "admin1": "Ouham", "place_name": "Bossangoa", "language": "fr"}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
}

#[tokio::test]
async fn impossible_years_and_future_incidents_are_refused() {
    let app = spawn_app().await;
    let t = token(&app.access, "analyst@alpha.org").await;
    let next_year = chrono::Utc::now().date_naive() + chrono::Duration::days(400);
    for (date, path) in [
        ("0000-06-01".to_string(), "$.date_start"),
        ("-001-06-01".to_string(), "$.date_start"),
        ("0013-12-05".to_string(), "$.date_start"),
        ("2100-01-01".to_string(), "$.date_start"),
        (next_year.to_string(), "$.date_start"),
    ] {
        let (status, v) = post_json(
            &app.client,
            &app.address,
            &t,
            "/api/v1/incidents",
            &json!({"title": "Attack", "country": "CAF", "date_start": date}),
        )
        .await;
        assert_eq!(status, 422, "{date}: {v}");
        assert!(
            v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["path"] == path),
            "{date}: {v}"
        );
    }
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/reports",
        &json!({"text": "x", "country": "CAF", "occurred_on": "0000-01-01"}),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    let r = get(&app, &t, "/api/v1/incidents").await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["total"], 0, "nothing written: {v}");
}

#[tokio::test]
async fn members_see_their_own_networks_organisations_only() {
    let app = spawn_app().await;
    // Alpha and bravo share a network; charlie stands apart.
    for (email, expected) in [
        ("analyst@alpha.org", vec!["alpha", "bravo"]),
        ("analyst@bravo.org", vec!["alpha", "bravo"]),
        ("analyst@charlie.org", vec!["charlie"]),
    ] {
        let t = token(&app.access, email).await;
        let v: Value = get(&app, &t, "/api/v1/organisations")
            .await
            .json()
            .await
            .unwrap();
        let mut slugs: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["slug"].as_str().unwrap())
            .collect();
        slugs.sort();
        assert_eq!(slugs, expected, "{email}");
    }
}

#[tokio::test]
async fn an_administrator_admits_organisations_into_their_own_networks_only() {
    let app = spawn_app().await;
    let t = token(&app.access, "admin@alpha.org").await;
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/organisations",
        &json!({"slug": "delta", "name": "Delta", "networks": ["other-net"]}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("other-net"), "{v}");
    let (status, v) = post_json(
        &app.client,
        &app.address,
        &t,
        "/api/v1/organisations",
        &json!({"slug": "delta", "name": "Delta", "networks": ["net"]}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
}

#[tokio::test]
async fn pages_and_api_answers_carry_security_headers() {
    let app = spawn_app().await;
    let t = token(&app.access, "analyst@alpha.org").await;
    let answers = [
        app.client
            .get(format!("{}/login", app.address))
            .send()
            .await
            .unwrap(),
        get(&app, &t, "/api/v1/reports").await,
        get(&app, &t, "/api/v1/no-such-thing").await,
        app.client
            .get(format!("{}/assets/kinga.js", app.address))
            .send()
            .await
            .unwrap(),
    ];
    for r in &answers {
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{}: {csp}", r.url());
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    }
    // No page writes an inline script the policy would then block.
    let login = answers.into_iter().next().unwrap().text().await.unwrap();
    assert!(!login.contains("<script>"));
    assert!(
        !login.contains(" onclick=")
            && !login.contains(" onsubmit=")
            && !login.contains(" onchange=")
    );
}
