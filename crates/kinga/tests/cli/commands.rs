use crate::support::*;
use std::process::Command;

#[test]
fn organisations_users_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        &[
            "org",
            "add",
            "--slug",
            "kenya-hrc",
            "--name",
            "Kenya Human Rights Commission",
            "--country",
            "KEN",
            "--network",
            "r2p-africa",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["org", "list", "--format", "json"], d);
    let orgs: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(orgs[0]["slug"], "kenya-hrc");
    assert_eq!(orgs[0]["country"], "KEN");
    assert_eq!(orgs[0]["networks"][0], "r2p-africa");
    assert!(stdout(&run(&["org", "list"], d)).contains("Kenya Human Rights Commission"));

    let o = run_with_stdin(
        &[
            "user",
            "add",
            "--org",
            "kenya-hrc",
            "--role",
            "analyst",
            "--email",
            "a@khrc.example",
        ],
        d,
        "correct horse battery\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["token", "create", "--email", "a@khrc.example"], d);
    assert!(o.status.success());
    let token = stdout(&o);
    assert!(
        token.starts_with("kt_") && token.trim().lines().count() == 1,
        "the token alone: {token:?}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(&["org", "add", "--slug", "Not A Slug", "--name", "x"], d);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("slug"), "{err}");

    run(&["org", "add", "--slug", "irri", "--name", "IRRI"], d);
    let o = run(&["org", "add", "--slug", "irri", "--name", "IRRI again"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"));

    let o = run_with_stdin(
        &[
            "user",
            "add",
            "--org",
            "irri",
            "--role",
            "boss",
            "--email",
            "b@irri.org",
        ],
        d,
        "long enough password\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--role"), "{}", stderr(&o));
    let o = run_with_stdin(
        &[
            "user",
            "add",
            "--org",
            "irri",
            "--role",
            "analyst",
            "--email",
            "b@irri.org",
        ],
        d,
        "short\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("standard input, line 1"),
        "{}",
        stderr(&o)
    );
    let o = run(&["token", "create", "--email", "nobody@irri.org"], d);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_bad_import_row_is_quarantined_by_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let real = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/demo/ucdp_ged_v23_1_central_african_republic.csv"
    ))
    .unwrap();
    let mut rows = real.lines();
    let header = rows.next().unwrap();
    let good: Vec<&str> = rows.take(3).collect();
    let bad = good[2].replacen("2009-", "2009-13-", 1);
    let file = d.join("ged.csv");
    std::fs::write(
        &file,
        format!("{header}\n{}\n{}\n{bad}\n", good[0], good[1]),
    )
    .unwrap();
    let quarantine = d.join("rejected.csv");
    let args = |f: &std::path::Path| {
        vec![
            "import".to_string(),
            "ucdp".into(),
            f.to_str().unwrap().into(),
            "--quarantine".into(),
            quarantine.to_str().unwrap().into(),
        ]
    };
    let a = args(&file);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("read 3, new 2, updated 0, unchanged 0, rejected 1"),
        "{}",
        stdout(&o)
    );
    let rejected = std::fs::read_to_string(&quarantine).unwrap();
    assert!(
        rejected.starts_with("line,column,value,reason\n4,date_start,"),
        "{rejected}"
    );

    let o = run(&["verify"], d);
    assert!(stdout(&o).contains("intact"), "{}", stdout(&o));
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), d);
    assert!(
        stdout(&o).contains("read 3, new 0, updated 0, unchanged 2, rejected 1"),
        "re-import is idempotent: {}",
        stdout(&o)
    );
}

#[test]
fn an_unusable_database_gives_a_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let o = run(&["verify"], &not_a_dir);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("kinga: cannot open or migrate the database"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    let o = kinga()
        .args(["verify", "--database", "mysql://x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn verify_names_a_row_changed_by_hand() {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        kinga_testkit::skip("the sqlite3 command is not installed (apt-get install sqlite3)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = analyst_with_token(d, "alpha");
    let server = serve(d, &[]);
    let client = Http::new();
    let id = client.submit(&server.url, &token, "The original wording");
    drop(server);
    assert!(run(&["verify"], d).status.success());

    let db = d.join("kinga.db");
    let edit = Command::new("sqlite3")
        .arg(&db)
        .arg(format!(
            "UPDATE reports SET text = 'A changed wording' WHERE id = '{id}';"
        ))
        .output()
        .unwrap();
    assert!(
        edit.status.success(),
        "{}",
        String::from_utf8_lossy(&edit.stderr)
    );
    let o = run(&["verify"], d);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "report {id}: the stored record does not match its last audit entry"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_demo_imports_every_ucdp_event_of_the_central_african_republic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = serve(d, &["--demo"]);
    assert!(
        server.banner.contains("1848 incidents imported"),
        "{}",
        server.banner
    );
    assert!(
        server
            .banner
            .contains("Central African Republic as events: 1848 new"),
        "{}",
        server.banner
    );
    let stored: u64 = server
        .banner
        .lines()
        .find_map(|l| l.strip_prefix("Escalation signals from the default detectors (weekly): "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no stored-signals line:\n{}", server.banner));
    assert!(stored > 0, "{}", server.banner);
    for role in [
        "monitor",
        "analyst",
        "coordinator",
        "legal",
        "admin",
        "observer",
    ] {
        assert!(
            server
                .banner
                .contains(&format!("{role}@demo.kinga.example")),
            "{}",
            server.banner
        );
    }
    let o = run(
        &["token", "create", "--email", "analyst@demo.kinga.example"],
        d,
    );
    let token = stdout(&o).trim().to_string();
    let client = Http::new();
    let page = client.get_json(
        &format!("{}/api/v1/incidents?country=CAF&limit=1", server.url),
        &token,
    );
    assert_eq!(page["total"], 1848);
    assert_eq!(page["items"][0]["visibility"], "public");
    let one_sided = client.get_json(
        &format!(
            "{}/api/v1/incidents?country=CAF&from=2013-12-05&to=2013-12-05",
            server.url
        ),
        &token,
    );
    assert!(one_sided["total"].as_u64().unwrap() > 0);
    let orgs = client.get_json(&format!("{}/api/v1/organisations", server.url), &token);
    assert_eq!(orgs["total"], 17);
    drop(server);
    let again = serve(d, &["--demo"]);
    assert!(
        again
            .banner
            .contains("0 incidents imported, 1848 already present"),
        "{}",
        again.banner
    );
    drop(again);
    assert!(run(&["verify"], d).status.success());
}

/// The demo's sign-ins are printed once: a start that cannot listen must not spend them.
#[test]
fn a_demo_on_a_taken_port_fails_before_setting_anything_up() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let o = kinga()
        .args(["serve", "--demo", "--listen", &address, "--data-dir"])
        .arg(&d)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_KEY_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains(&address), "{}", stderr(&o));
    assert!(!stdout(&o).contains("shown once"), "{}", stdout(&o));
    assert!(!d.exists(), "the data directory was created");
    drop(taken);

    let server = serve(&d, &["--demo"]);
    assert!(
        server
            .banner
            .contains("Demo sign-ins (shown once; keep them):"),
        "{}",
        server.banner
    );
}

#[test]
fn the_same_commands_run_on_postgresql() {
    let Ok(admin) = std::env::var("KINGA_TEST_DATABASE_URL") else {
        kinga_testkit::skip("KINGA_TEST_DATABASE_URL is not set (as root, `eval \"$(bash .ci/postgres.sh)\"` provides a server)");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (name, url) = rt
        .block_on(kinga_store_postgres::scratch::create(&admin))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pg = |args: &[&str]| {
        kinga()
            .args(args)
            .args(["--database", &url])
            .output()
            .unwrap()
    };
    let o = pg(&[
        "org",
        "add",
        "--slug",
        "alpha",
        "--name",
        "Alpha",
        "--country",
        "CAF",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut child = kinga()
        .args([
            "user",
            "add",
            "--org",
            "alpha",
            "--role",
            "analyst",
            "--email",
            "a@alpha.org",
            "--database",
            &url,
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        b"a long enough passphrase\n",
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    let token = stdout(&pg(&["token", "create", "--email", "a@alpha.org"]))
        .trim()
        .to_string();
    {
        let server = serve(dir.path(), &["--database", &url]);
        let http = Http::new();
        let id = http.submit(&server.url, &token, "Stored in PostgreSQL");
        let got = http.get_json(&format!("{}/api/v1/reports/{id}", server.url), &token);
        assert_eq!(got["text"], "Stored in PostgreSQL");
        let health = http.get_json(&format!("{}/api/v1/health", server.url), &token);
        assert_eq!(health["database"], "postgres");
    }
    assert!(
        !dir.path().join("kinga.db").exists(),
        "nothing went to the embedded database"
    );
    let o = pg(&["verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    rt.block_on(kinga_store_postgres::scratch::drop(&admin, &name))
        .unwrap();
}
