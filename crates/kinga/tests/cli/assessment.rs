//! `kinga assessment list|export` through the compiled binary, on assessments written over the
//! API of a running `kinga serve`.
use crate::support::{analyst_with_token, run, serve, stderr, stdout};
use serde_json::{json, Value};

fn post(rt: &tokio::runtime::Runtime, url: &str, token: &str, body: Value) -> Value {
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{url}");
        r.json().await.unwrap()
    })
}

#[test]
fn assessments_are_listed_and_exported_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let token = analyst_with_token(data, "alpha");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let id = {
        let server = serve(data, &[]);
        let a = post(
            &rt,
            &format!("{}/api/v1/assessments", server.url),
            &token,
            json!({"country": "CAF", "assessed_on": "2026-11-20", "situation": "Ouham, \"north\""}),
        );
        let id = a["id"].as_str().unwrap().to_string();
        let scores = format!("{}/api/v1/assessments/{id}/scores", server.url);
        post(
            &rt,
            &scores,
            &token,
            json!({"indicator": "7.5", "score": 3, "confidence": "high", "note": "Self-defence groups armed, 2 sources"}),
        );
        post(
            &rt,
            &scores,
            &token,
            json!({"indicator": "1.1", "score": 2, "confidence": "medium"}),
        );
        post(
            &rt,
            &format!("{}/api/v1/assessments/{id}/links", server.url),
            &token,
            json!({"indicator": "7.5", "kind": "document", "target": "https://example.org/panel"}),
        );
        id
    };

    let o = run(&["assessment", "list", "--country", "CAF"], data);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&id), "{out}");
    assert!(out.contains("alpha"));

    let o = run(&["assessment", "export", "--country", "caf"], data);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["version"], 3);
    assert_eq!(list[0]["scores"].as_array().unwrap().len(), 2);
    assert_eq!(list[0]["links"][0]["target"], "https://example.org/panel");
    assert_eq!(list[0]["summary"]["factors"][6]["level"], 3);
    assert_eq!(list[0]["signed_off"], false);

    let o = run(
        &[
            "assessment",
            "export",
            "--country",
            "CAF",
            "--format",
            "csv",
        ],
        data,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "assessment_id");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "one row per scored indicator");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("indicator")], "1.1");
    assert_eq!(&rows[1][col("indicator")], "7.5");
    assert_eq!(&rows[1][col("score")], "3");
    assert_eq!(
        &rows[1][col("evidence")],
        "document:https://example.org/panel"
    );
    assert_eq!(
        &rows[1][col("situation")],
        "Ouham, \"north\"",
        "quoted by the CSV writer"
    );

    // Nothing for another country; a bad code exits 2 naming the option.
    let o = run(&["assessment", "export", "--country", "SDN"], data);
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), "[]");
    let o = run(&["assessment", "export", "--country", "XYZ"], data);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--country"), "{}", stderr(&o));
    // Narrowed to an organisation that owns none.
    let o = run(
        &[
            "assessment",
            "list",
            "--country",
            "CAF",
            "--org",
            "bravo",
            "--format",
            "json",
        ],
        data,
    );
    assert!(o.status.success());
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&o)).unwrap(),
        json!([])
    );
}
