//! Every answer carries the id of its request, and every problem document repeats it, so that a
//! user who quotes it leads an administrator to the log lines of that request.
use crate::helpers::{spawn_app, token};

#[tokio::test]
async fn every_answer_and_problem_document_names_its_request() {
    let app = spawn_app().await;
    let analyst = token(&app.access, "analyst@alpha.org").await;
    let ok = app
        .client
        .get(format!("{}/api/v1/incidents", app.address))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let first = ok.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(first.len(), 32, "{first}");

    let missing = app
        .client
        .get(format!(
            "{}/api/v1/incidents/0190a0a0-0000-7000-8000-000000000000",
            app.address
        ))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let id = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(id, first, "each request has its own id");
    let problem: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(problem["request_id"], id.as_str(), "{problem}");

    // A route the framework answers by itself gets its problem document and id too.
    let unknown = app
        .client
        .get(format!("{}/api/v1/no-such-route", app.address))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    let id = unknown.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let problem: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(problem["request_id"], id.as_str(), "{problem}");

    // Pages carry the header as well.
    let page = app
        .client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    assert!(page.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn a_proxys_plain_id_is_kept_and_a_hostile_one_replaced() {
    let app = spawn_app().await;
    let ask = |id: &'static str| {
        app.client
            .get(format!("{}/api/v1/health", app.address))
            .header("x-request-id", id)
            .send()
    };
    let kept = ask("edge-7f3a_01").await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], "edge-7f3a_01");
    for hostile in ["a b", "x\"}{\"admin\":true", ""] {
        let r = ask(hostile).await.unwrap();
        let got = r.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(got, hostile);
        assert_eq!(got.len(), 32, "{got}");
    }
}
