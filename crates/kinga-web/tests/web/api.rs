use crate::helpers::{report, spawn_app};
use serde_json::json;

#[tokio::test]
async fn health_answers_ok_without_credentials() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/api/v1/health", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "sqlite");
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let routes = include_str!("../../src/api/mod.rs");
    let mut seen = 0;
    for chunk in routes.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap();
        assert!(
            paths.contains_key(path),
            "{path} is served but missing from openapi.json"
        );
        seen += 1;
    }
    assert_eq!(
        seen,
        paths.len(),
        "openapi.json describes routes that are not served"
    );
}

#[tokio::test]
async fn a_report_is_stored_and_read_back() {
    let app = spawn_app().await;
    let token = app.token("monitor@alpha.org").await;
    let (status, created) = app
        .post(
            &token,
            "/api/v1/reports",
            &report("Houses burnt in Bossangoa", "organisation"),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["organisation"], "alpha");
    assert_eq!(created["visibility"], "organisation");
    let (status, got) = app.get(&token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["text"], "Houses burnt in Bossangoa");
    let (_, list) = app.get(&token, "/api/v1/reports").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.token("analyst@alpha.org").await;
    let (status, body) = app
        .post(&token, "/api/v1/reports", &json!({"text": "", "country": "XYZ", "occurred_on": "20/11/2026", "visibility": "secret", "latitude": 95, "longitude": 10}))
        .await;
    assert_eq!(status, 422);
    let paths: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec![
            "$.text",
            "$.country",
            "$.occurred_on",
            "$.visibility",
            "$.latitude"
        ]
    );
    let (status, body) = app
        .post(&token, "/api/v1/reports", &json!({"country": "CAF"}))
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "$.text" && e["message"] == "is required"));
    let r = app
        .client
        .post(format!("{}/api/v1/reports", app.address))
        .bearer_auth(&token)
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let (_, list) = app.get(&token, "/api/v1/reports").await;
    assert_eq!(list["total"], 0, "nothing was written");
}

#[tokio::test]
async fn credentials_and_scope_are_enforced() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/api/v1/reports", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let (status, _) = app.get("kt_not-a-token", "/api/v1/reports").await;
    assert_eq!(status, 401);

    let alpha = app.token("analyst@alpha.org").await;
    let bravo = app.token("analyst@bravo.org").await;
    let charlie = app.token("analyst@charlie.org").await;
    let observer = app.token("observer@alpha.org").await;
    let monitor = app.token("monitor@alpha.org").await;
    let (_, private) = app
        .post(
            &alpha,
            "/api/v1/reports",
            &report("organisation only", "organisation"),
        )
        .await;
    let (_, shared) = app
        .post(
            &alpha,
            "/api/v1/reports",
            &report("shared with the network", "network"),
        )
        .await;
    let private_id = private["id"].as_str().unwrap();
    let shared_id = shared["id"].as_str().unwrap();

    let (status, body) = app
        .get(&bravo, &format!("/api/v1/reports/{private_id}"))
        .await;
    assert_eq!(
        status, 404,
        "another organisation cannot tell the record exists"
    );
    let (status_absent, body_absent) = app
        .get(
            &bravo,
            "/api/v1/reports/01900000-0000-7000-8000-000000000000",
        )
        .await;
    assert_eq!(
        (status, &body["detail"]),
        (status_absent, &body_absent["detail"])
    );
    assert_eq!(
        app.get(&bravo, &format!("/api/v1/reports/{shared_id}"))
            .await
            .0,
        200
    );
    assert_eq!(
        app.get(&charlie, &format!("/api/v1/reports/{shared_id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        app.get(&monitor, "/api/v1/reports").await.1["total"],
        0,
        "monitors see only their own"
    );

    let (status, _) = app
        .post(
            &observer,
            "/api/v1/reports",
            &report("observers read only", "organisation"),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            &monitor,
            &format!("/api/v1/reports/{private_id}/triage"),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            &bravo,
            &format!("/api/v1/reports/{private_id}/triage"),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&alpha, "/api/v1/users").await;
    assert_eq!(status, 403, "analysts do not administer");
}

#[tokio::test]
async fn triage_link_and_verify_an_incident() {
    let app = spawn_app().await;
    let analyst = app.token("analyst@alpha.org").await;
    let (_, r) = app
        .post(
            &analyst,
            "/api/v1/reports",
            &report("Attack on the church in Bossangoa", "organisation"),
        )
        .await;
    let rid = r["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &analyst,
            &format!("/api/v1/reports/{rid}/triage"),
            &json!({"decision": "reject"}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["path"].as_str()),
        (422, Some("$.reason"))
    );
    let (status, body) = app
        .post(
            &analyst,
            &format!("/api/v1/reports/{rid}/triage"),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(
        (status, body["triage_status"].as_str()),
        (200, Some("triaged"))
    );

    let incident = json!({"title": "Attack on Bossangoa church", "country": "CAF", "date_start": "2026-11-20",
        "admin1": "Ouham", "crimes": ["war_crimes"], "fatalities_best": 12});
    let (status, first) = app.post(&analyst, "/api/v1/incidents", &incident).await;
    assert_eq!(status, 201);
    assert_eq!(first["possible_duplicates"], json!([]));
    let (status, second) = app.post(&analyst, "/api/v1/incidents", &incident).await;
    assert_eq!(status, 201);
    let dup = &second["possible_duplicates"][0];
    assert_eq!(dup["incident_id"], first["id"]);
    let reasons: Vec<&str> = dup["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"same dates") && reasons.iter().any(|r| r.starts_with("similar text")),
        "{reasons:?}"
    );

    let iid = first["id"].as_str().unwrap();
    let (status, suggested) = app
        .get(&analyst, &format!("/api/v1/reports/{rid}/duplicates"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        suggested["total"], 2,
        "both incidents match the report: {suggested}"
    );
    assert!(suggested["items"][0]["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("same country"));
    let (status, linked) = app
        .post(
            &analyst,
            &format!("/api/v1/reports/{rid}/link"),
            &json!({"incident": iid}),
        )
        .await;
    assert_eq!((status, linked["incident_id"].as_str()), (200, Some(iid)));
    let (status, _) = app
        .post(
            &analyst,
            &format!("/api/v1/incidents/{iid}/status"),
            &json!({"status": "verified"}),
        )
        .await;
    assert_eq!(status, 409, "a draft cannot jump to verified");
    let (status, _) = app
        .post(
            &analyst,
            &format!("/api/v1/incidents/{iid}/status"),
            &json!({"status": "in_verification", "explanation": "report corroborated"}),
        )
        .await;
    assert_eq!(status, 200);

    let (_, me) = app.get(&analyst, "/api/v1/me").await;
    assert_eq!(
        (&me["organisation"], &me["visibility"]),
        (&json!("alpha"), &json!("organisation"))
    );
    let (_, orgs) = app.get(&analyst, "/api/v1/organisations").await;
    for o in orgs["items"].as_array().unwrap() {
        assert!(
            o["id"].is_string() && o["organisation"].is_string() && o["visibility"] == "network",
            "{o}"
        );
    }
    let (status, assigned) = app
        .post(
            &analyst,
            &format!("/api/v1/incidents/{iid}/assign"),
            &json!({"assignee": me["id"]}),
        )
        .await;
    assert_eq!((status, &assigned["assignee"]), (200, &me["id"]));
    let bravo_token = app.token("analyst@bravo.org").await;
    let (_, bravo_me) = app.get(&bravo_token, "/api/v1/me").await;
    let (status, _) = app
        .post(
            &analyst,
            &format!("/api/v1/incidents/{iid}/assign"),
            &json!({"assignee": bravo_me["id"]}),
        )
        .await;
    assert_eq!(status, 409, "only colleagues of the owning organisation");
    let (status, _) = app
        .post(
            &analyst,
            &format!("/api/v1/incidents/{iid}/assign"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 422);
    let (_, detail) = app.get(&analyst, &format!("/api/v1/incidents/{iid}")).await;
    assert_eq!(detail["reports"][0]["id"], rid);
    assert_eq!(detail["status"], "in_verification");
    let (_, history) = app
        .get(&analyst, &format!("/api/v1/incidents/{iid}/history"))
        .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["create", "set_status", "assign"]);
    assert_eq!(history["items"][1]["explanation"], "report corroborated");

    let (_, list) = app.get(&analyst, "/api/v1/incidents?country=CAF&crime=war_crimes&from=2026-11-01&to=2026-11-30&q=bossangoa").await;
    assert_eq!(list["total"], 2);
    let (status, body) = app
        .get(&analyst, "/api/v1/incidents?country=ZZZ&from=yesterday")
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let bravo = app.token("analyst@bravo.org").await;
    assert_eq!(
        app.get(&bravo, "/api/v1/incidents?country=CAF").await.1["total"],
        0
    );
}
