//! Alerts and responses over the real server: raising (once per dedup key), the list, the
//! lifecycle with its refusals and optimistic versions, the desk's roles, what other
//! organisations see and may not move, and a response answering its alert.
use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

fn alert(key: &str, visibility: &str) -> Value {
    json!({
        "country": "CAF", "admin1": "Ouham", "level": "urgent",
        "tier": "network",
        "message_en": "Armed groups are massing near Bossangoa; attacks on civilians are feared.",
        "message_fr": "Des groupes armés se massent près de Bossangoa ; des attaques contre les civils sont à craindre.",
        "incidents": [], "signals": [], "assessments": [], "evidence": [],
        "dedup_key": key, "visibility": visibility
    })
}

fn paths(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["path"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn raise(app: &TestApp, token: &str, key: &str, visibility: &str) -> Value {
    let (status, body) = app
        .post(token, "/api/v1/alerts", &alert(key, visibility))
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn an_alert_is_raised_once_per_dedup_key_and_listed() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let first = raise(&app, &analyst, "caf-ouham-2026-w49", "organisation").await;
    assert_eq!(first["created"], true);
    assert_eq!(first["status"], "raised");
    assert_eq!(first["organisation"], "alpha");
    assert_eq!(first["version"], 1);
    let (status, again) = app
        .post(
            &analyst,
            "/api/v1/alerts",
            &alert("caf-ouham-2026-w49", "organisation"),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["created"], false);
    assert_eq!(again["id"], first["id"]);

    raise(&app, &analyst, "caf-ouham-2026-w50", "network").await;
    let (status, list) = app.get(&analyst, "/api/v1/alerts").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 2);
    assert_eq!(list["offset"], 0);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    for item in list["items"].as_array().unwrap() {
        assert!(item["id"].is_string() && item["ack_deadline"].is_string());
        assert_eq!(item["organisation"], "alpha");
    }
    let (_, one) = app
        .get(
            &analyst,
            "/api/v1/alerts?status=raised&level=urgent&limit=1",
        )
        .await;
    assert_eq!(one["total"], 2);
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    let (_, none) = app.get(&analyst, "/api/v1/alerts?tier=un").await;
    assert_eq!(none["total"], 0);
    let (status, bad) = app
        .get(&analyst, "/api/v1/alerts?status=pending&country=XX")
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(paths(&bad), ["$.status", "$.country"]);

    let id = first["id"].as_str().unwrap();
    let (status, got) = app.get(&analyst, &format!("/api/v1/alerts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["message_fr"], alert("", "")["message_fr"]);
    let (status, _) = app.get(&analyst, "/api/v1/alerts/not-an-id").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_alert_moves_through_its_lifecycle_and_refuses_what_its_status_does_not_allow() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let a = raise(&app, &analyst, "lifecycle", "organisation").await;
    let id = a["id"].as_str().unwrap();
    let at = |step: &str| format!("/api/v1/alerts/{id}/{step}");

    let (status, acked) = app.post(&analyst, &at("ack"), &json!({"version": 1})).await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(acked["status"], "acknowledged");
    assert!(acked["acknowledged_by"].is_string());
    assert_eq!(acked["version"], 2);

    // A desk that read version 1 is refused: someone moved the alert meanwhile.
    let (status, stale) = app
        .post(&analyst, &at("escalate"), &json!({"version": 1}))
        .await;
    assert_eq!(status, 409, "{stale}");
    assert!(stale["detail"].as_str().unwrap().contains("version"));

    // An acknowledged alert is not acknowledged again: the rule is named, nothing changes.
    let (status, refused) = app.post(&analyst, &at("ack"), &json!({})).await;
    assert_eq!(status, 409, "{refused}");
    assert!(!refused["detail"].as_str().unwrap().is_empty());
    let (_, unchanged) = app.get(&analyst, &format!("/api/v1/alerts/{id}")).await;
    assert_eq!(unchanged["version"], 2);
    assert_eq!(unchanged["status"], "acknowledged");

    // No body: the move applies to the version stored.
    let r = app
        .client
        .post(format!("{}{}", app.address, at("escalate")))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let escalated: Value = r.json().await.unwrap();
    assert_eq!(escalated["status"], "escalated");
    assert_eq!(escalated["tier"], "regional");

    let (status, closed) = app
        .post(&analyst, &at("close"), &json!({"version": 3}))
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    let (status, after) = app.post(&analyst, &at("escalate"), &json!({})).await;
    assert_eq!(status, 409, "{after}");
    let (_, still) = app.get(&analyst, &format!("/api/v1/alerts/{id}")).await;
    assert_eq!(still["status"], "closed");
    assert_eq!(still["tier"], "regional");
    assert_eq!(still["version"], 4);

    // A move's body is read strictly.
    let (status, bad) = app
        .post(&analyst, &at("close"), &json!({"versoin": 4}))
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(paths(&bad), ["$.versoin"]);
}

#[tokio::test]
async fn a_bad_alert_is_refused_by_its_json_paths() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let mut body = alert("bad", "organisation");
    body["level"] = json!("severe");
    body["visiblity"] = json!("public");
    body.as_object_mut().unwrap().remove("message_fr");
    let (status, problem) = app.post(&analyst, "/api/v1/alerts", &body).await;
    assert_eq!(status, 422, "{problem}");
    let named = paths(&problem);
    for path in ["$.level", "$.message_fr", "$.visiblity"] {
        assert!(named.iter().any(|p| p == path), "{path} in {named:?}");
    }
    let (_, list) = app.get(&analyst, "/api/v1/alerts").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn observers_and_monitors_read_alerts_but_are_not_the_desk() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let a = raise(&app, &analyst, "roles", "organisation").await;
    let id = a["id"].as_str().unwrap();
    for who in ["observer@alpha.org", "monitor@alpha.org"] {
        let token = app.token(who).await;
        let (status, list) = app.get(&token, "/api/v1/alerts").await;
        assert_eq!((status, list["total"].clone()), (200, json!(1)), "{who}");
        let (status, _) = app
            .post(&token, "/api/v1/alerts", &alert("theirs", "organisation"))
            .await;
        assert_eq!(status, 403, "{who} raises");
        let (status, _) = app
            .post(&token, &format!("/api/v1/alerts/{id}/ack"), &json!({}))
            .await;
        assert_eq!(status, 403, "{who} acknowledges");
        let (status, _) = app
            .post(
                &token,
                "/api/v1/responses",
                &json!({"country": "CAF", "actor_kind": "state", "actor": "France",
                        "kind": "statement", "date": "2026-12-01"}),
            )
            .await;
        assert_eq!(status, 403, "{who} records a response");
    }
    let (_, list) = app.get(&analyst, "/api/v1/alerts").await;
    assert_eq!(list["total"], 1);
    let (_, same) = app.get(&analyst, &format!("/api/v1/alerts/{id}")).await;
    assert_eq!(same["version"], 1);
}

#[tokio::test]
async fn other_organisations_neither_see_private_alerts_nor_move_shared_ones() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let private = raise(&app, &analyst, "private", "organisation").await;
    let shared = raise(&app, &analyst, "shared", "network").await;
    let (private, shared) = (
        private["id"].as_str().unwrap(),
        shared["id"].as_str().unwrap(),
    );
    let bravo = app.token("analyst@bravo.org").await;
    let charlie = app.token("analyst@charlie.org").await;

    for token in [&bravo, &charlie] {
        let (status, _) = app.get(token, &format!("/api/v1/alerts/{private}")).await;
        assert_eq!(status, 404);
        let (status, _) = app
            .post(
                token,
                &format!("/api/v1/alerts/{private}/close"),
                &json!({}),
            )
            .await;
        assert_eq!(status, 404);
    }
    let (_, listed) = app.get(&charlie, "/api/v1/alerts").await;
    assert_eq!(listed["total"], 0);
    let (status, _) = app.get(&charlie, &format!("/api/v1/alerts/{shared}")).await;
    assert_eq!(status, 404);

    // Bravo shares alpha's network: it reads the network alert, and may not decide its fate.
    let (status, seen) = app.get(&bravo, &format!("/api/v1/alerts/{shared}")).await;
    assert_eq!(status, 200);
    assert_eq!(seen["organisation"], "alpha");
    let (_, listed) = app.get(&bravo, "/api/v1/alerts").await;
    assert_eq!(listed["total"], 1);
    for step in ["ack", "escalate", "close"] {
        let (status, refused) = app
            .post(
                &bravo,
                &format!("/api/v1/alerts/{shared}/{step}"),
                &json!({}),
            )
            .await;
        assert_eq!(status, 409, "{step}: {refused}");
        assert!(refused["detail"]
            .as_str()
            .unwrap()
            .contains("only the organisation that owns"));
    }
    let (status, refused) = app
        .post(
            &bravo,
            "/api/v1/responses",
            &json!({"alert_id": shared, "country": "CAF", "actor_kind": "state",
                    "actor": "France", "kind": "statement", "date": "2026-12-01"}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    let (_, unmoved) = app.get(&analyst, &format!("/api/v1/alerts/{shared}")).await;
    assert_eq!(unmoved["status"], "raised");
    assert_eq!(unmoved["version"], 1);
}

#[tokio::test]
async fn a_response_moves_its_alert_to_responded() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let a = raise(&app, &analyst, "answered", "network").await;
    let id = a["id"].as_str().unwrap();
    let response = json!({
        "alert_id": id, "country": "CAF", "actor_kind": "au_psc",
        "actor": "AU Peace and Security Council", "kind": "fact_finding_mission",
        "date": "2026-12-01", "pillar": "3", "outcome": "Mission deployed",
        "sources": ["https://example.org/communique"], "visibility": "network"
    });
    let (status, recorded) = app.post(&analyst, "/api/v1/responses", &response).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["alert_id"], id);
    assert_eq!(recorded["organisation"], "alpha");
    let (_, now) = app.get(&analyst, &format!("/api/v1/alerts/{id}")).await;
    assert_eq!(now["status"], "responded");

    let (status, list) = app
        .get(&analyst, &format!("/api/v1/responses?alert={id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], recorded["id"]);
    let bravo = app.token("analyst@bravo.org").await;
    let (_, theirs) = app.get(&bravo, "/api/v1/responses?country=CAF").await;
    assert_eq!(theirs["total"], 1);
    let charlie = app.token("analyst@charlie.org").await;
    let (_, none) = app.get(&charlie, "/api/v1/responses").await;
    assert_eq!(none["total"], 0);

    // A response of another country than its alert's is refused by its path.
    let mut wrong = response.clone();
    wrong["country"] = json!("MLI");
    let (status, problem) = app.post(&analyst, "/api/v1/responses", &wrong).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(paths(&problem), ["$.country"]);
    // Any organisation of the desk records a response that answers no alert.
    let (status, own) = app
        .post(
            &charlie,
            "/api/v1/responses",
            &json!({"country": "CAF", "actor_kind": "state", "actor": "France",
                    "kind": "statement", "date": "2026-12-01"}),
        )
        .await;
    assert_eq!(status, 201, "{own}");
    assert_eq!(own["visibility"], "organisation");
    let (status, bad) = app
        .get(&analyst, "/api/v1/responses?alert=nope&limit=0")
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(paths(&bad), ["$.alert", "$.limit"]);
}
