//! `kinga alert` through the compiled binary: an alert raised from a file (and not raised twice
//! for the same dedup key), listed as JSON, acknowledged, answered, closed, refused a move its
//! status does not allow, a bad file named down to the JSON path, and the chain intact after.
use crate::support::{run, stderr, stdout};
use serde_json::{json, Value};
use std::path::Path;

fn ok(args: &[&str], data: &Path) -> String {
    let o = run(args, data);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn an_alert_is_raised_once_moved_through_its_lifecycle_and_answered() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(
        &[
            "org",
            "add",
            "--slug",
            "alpha",
            "--name",
            "Alpha Monitors",
            "--network",
            "west",
        ],
        &data,
    );
    let file = dir.path().join("alert.json");
    std::fs::write(
        &file,
        json!({
            "country": "CAF", "level": "urgent", "admin1": "Ouham",
            "message_en": "Armed groups are massing near Bossangoa.",
            "message_fr": "Des groupes armés se massent près de Bossangoa.",
            "dedup_key": "caf-ouham-w49", "visibility": "network"
        })
        .to_string(),
    )
    .unwrap();
    let f = file.to_str().unwrap();

    let first = ok(&["alert", "raise", "--org", "alpha", "--file", f], &data);
    assert!(first.starts_with("raised "), "{first}");
    let again = ok(&["alert", "raise", "--org", "alpha", "--file", f], &data);
    assert!(again.contains("already existed"), "{again}");

    let list: Value =
        serde_json::from_str(&ok(&["alert", "list", "--format", "json"], &data)).unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let item = &list["items"][0];
    let id = item["id"].as_str().unwrap().to_string();
    assert_eq!(
        (
            &item["level"],
            &item["tier"],
            &item["status"],
            &item["country"]
        ),
        (
            &json!("urgent"),
            &json!("network"),
            &json!("raised"),
            &json!("CAF")
        )
    );
    assert!(again.contains(&id));
    let filtered: Value = serde_json::from_str(&ok(
        &[
            "alert",
            "list",
            "--status",
            "closed",
            "--country",
            "CAF",
            "--format",
            "json",
        ],
        &data,
    ))
    .unwrap();
    assert_eq!(filtered["total"], 0);

    let acked = ok(&["alert", "ack", &id], &data);
    assert!(acked.contains("is acknowledged"), "{acked}");
    let up = ok(&["alert", "escalate", &id], &data);
    assert!(up.contains("is escalated (tier regional"), "{up}");
    let answered = ok(
        &[
            "alert",
            "respond",
            &id,
            "--actor-kind",
            "regional_body",
            "--actor",
            "ECCAS",
            "--kind",
            "fact_finding_mission",
            "--date",
            "2026-12-05",
            "--pillar",
            "2",
            "--outcome",
            "A mission reached Bossangoa",
        ],
        &data,
    );
    assert!(answered.contains("is responded"), "{answered}");
    let bad_response = run(
        &[
            "alert",
            "respond",
            &id,
            "--actor-kind",
            "king",
            "--actor",
            "X",
            "--kind",
            "statement",
            "--date",
            "2026-12-05",
        ],
        &data,
    );
    assert_eq!(bad_response.status.code(), Some(2));
    assert!(
        stderr(&bad_response).contains("--actor-kind"),
        "{}",
        stderr(&bad_response)
    );

    let closed = ok(&["alert", "close", &id], &data);
    assert!(closed.contains("is closed"), "{closed}");
    let refused = run(&["alert", "ack", &id], &data);
    assert_eq!(refused.status.code(), Some(2));
    let why = stderr(&refused);
    assert!(why.contains("closed cannot be acknowledged"), "{why}");
    assert_eq!(why.trim().lines().count(), 1, "{why}");

    let o = run(&["verify"], &data);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_bad_alert_file_is_named_down_to_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["org", "add", "--slug", "alpha", "--name", "Alpha"], &data);
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        json!({"country": "CAF", "level": "imminent", "message_en": "x", "message_fr": "y",
               "incidents": ["not-an-id"]})
        .to_string(),
    )
    .unwrap();
    let o = run(
        &[
            "alert",
            "raise",
            "--org",
            "alpha",
            "--file",
            file.to_str().unwrap(),
        ],
        &data,
    );
    assert_eq!(o.status.code(), Some(2));
    let why = stderr(&o);
    assert!(
        why.contains("bad.json") && why.contains("$.level") && why.contains("$.incidents[0]"),
        "{why}"
    );
    assert_eq!(why.trim().lines().count(), 1, "{why}");

    let o = run(&["alert", "ack", "not-an-id"], &data);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_alert_citing_a_record_that_does_not_exist_is_refused_by_its_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&["org", "add", "--slug", "alpha", "--name", "Alpha"], &data);
    let file = dir.path().join("cites.json");
    std::fs::write(
        &file,
        json!({"country": "CAF", "level": "warning", "message_en": "x", "message_fr": "y",
               "incidents": ["0190f4b4-5a3c-7cc0-8b1e-2a6f0c0e0a01"]})
        .to_string(),
    )
    .unwrap();
    let o = run(
        &[
            "alert",
            "raise",
            "--org",
            "alpha",
            "--file",
            file.to_str().unwrap(),
        ],
        &data,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let why = stderr(&o);
    assert!(
        why.contains("cites.json")
            && why.contains("$.incidents[0]")
            && why.contains("names no record you may cite"),
        "{why}"
    );
    assert_eq!(why.trim().lines().count(), 1, "{why}");

    let list: Value =
        serde_json::from_str(&ok(&["alert", "list", "--format", "json"], &data)).unwrap();
    assert_eq!(list["total"], 0, "{list}");
}
