//! `kinga incident cite` through the compiled binary, over the committed UCDP file imported
//! both as incidents (the network's documentation) and as events (the published dataset).
use crate::support::{run, serve, stderr, stdout, Http};

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/demo/ucdp_ged_v23_1_central_african_republic.csv"
);

fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn refused(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(o), stderr(o));
    stderr(o)
}

#[test]
fn an_incident_cites_suggested_events_and_the_chain_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&run(&["org", "add", "--slug", "irri", "--name", "IRRI"], d));
    ok(&run(
        &["import", "ucdp-incidents", DEMO, "--org", "irri"],
        d,
    ));
    let q = d.join("rejected.csv");
    ok(&run(
        &["import", "ucdp", DEMO, "--quarantine", q.to_str().unwrap()],
        d,
    ));
    let inc = "CAF-2009-000001";

    // The first 2009 incident was made from a GED row: that row is the nearest candidate.
    let out = ok(&run(
        &[
            "incident",
            "cite",
            "--incident",
            inc,
            "--suggest",
            "--format",
            "json",
        ],
        d,
    ));
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &found[0];
    assert_eq!(first["days_apart"], 0, "{out}");
    let event = format!(
        "{}:{}",
        first["event"]["dataset"].as_str().unwrap(),
        first["event"]["external_id"].as_str().unwrap()
    );
    assert!(event.starts_with("ucdp-ged:"));

    let out = ok(&run(
        &[
            "incident",
            "cite",
            "--incident",
            inc,
            "--event",
            &event,
            "--note",
            "same row",
        ],
        d,
    ));
    assert!(out.contains(&format!("{inc} cites {event}")), "{out}");
    let err = refused(&run(
        &["incident", "cite", "--incident", inc, "--event", &event],
        d,
    ));
    assert!(err.contains("already cites"), "{err}");

    let out = ok(&run(&["incident", "cite", "--incident", inc, "--list"], d));
    assert!(out.contains(&event) && out.contains("same row"), "{out}");
    let out = ok(&run(
        &[
            "incident",
            "cite",
            "--incident",
            inc,
            "--suggest",
            "--format",
            "json",
        ],
        d,
    ));
    let id = &event["ucdp-ged:".len()..];
    assert!(
        !out.contains(&format!("\"external_id\":\"{id}\"")),
        "no longer suggested: {out}"
    );

    // Bad input names the option and changes nothing.
    let err = refused(&run(
        &["incident", "cite", "--incident", inc, "--event", "36210"],
        d,
    ));
    assert!(
        err.contains("--event") && err.contains("DATASET:EXTERNAL_ID"),
        "{err}"
    );
    let err = refused(&run(
        &[
            "incident",
            "cite",
            "--incident",
            inc,
            "--event",
            "ucdp-ged:no-such-row",
        ],
        d,
    ));
    assert!(err.contains("--event") && err.contains("no event"), "{err}");
    let err = refused(&run(
        &[
            "incident",
            "cite",
            "--incident",
            "CAF-1990-000001",
            "--list",
        ],
        d,
    ));
    assert!(err.contains("--incident"), "{err}");
    assert!(!run(&["incident", "cite", "--incident", inc], d)
        .status
        .success());

    // The citation and its removal are audited; the chain still verifies.
    let out = ok(&run(
        &[
            "incident",
            "cite",
            "--incident",
            inc,
            "--remove",
            "--event",
            &event,
        ],
        d,
    ));
    assert!(out.contains("no longer cites"), "{out}");
    let err = refused(&run(
        &[
            "incident",
            "cite",
            "--incident",
            inc,
            "--remove",
            "--event",
            &event,
        ],
        d,
    ));
    assert!(err.contains("does not cite"), "{err}");
    let out = ok(&run(&["incident", "cite", "--incident", inc, "--list"], d));
    assert!(out.contains("cites no event"), "{out}");
    ok(&run(&["verify"], d));
}

#[test]
fn the_help_shows_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&run(&["incident", "cite", "--help"], dir.path()));
    assert!(
        out.contains("Examples:") && out.contains("--event ucdp-ged:36210"),
        "{out}"
    );
}

#[test]
fn the_demo_incidents_cite_the_ged_rows_they_were_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = serve(d, &["--demo"]);
    assert!(
        server
            .banner
            .contains("cites the UCDP event of the same row: 1848 citations"),
        "{}",
        server.banner
    );
    let token = stdout(&run(
        &["token", "create", "--email", "analyst@demo.kinga.example"],
        d,
    ))
    .trim()
    .to_string();
    let client = Http::new();
    let page = client.get_json(
        &format!("{}/api/v1/incidents?country=CAF&limit=3", server.url),
        &token,
    );
    for incident in page["items"].as_array().unwrap() {
        let cited = client.get_json(
            &format!(
                "{}/api/v1/incidents/{}/events",
                server.url,
                incident["id"].as_str().unwrap()
            ),
            &token,
        );
        assert_eq!(cited["total"], 1, "{cited}");
        assert_eq!(
            cited["items"][0]["event_id"], incident["external_ref"],
            "{cited}"
        );
        assert_eq!(
            cited["items"][0]["event"]["date_start"],
            incident["date_start"]
        );
    }
    drop(server);
    let again = serve(d, &["--demo"]);
    assert!(!again.banner.contains("citations"), "{}", again.banner);
    drop(again);
    assert!(run(&["verify"], d).status.success());
}
