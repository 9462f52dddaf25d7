//! Evidence through the binary: add, export a signed dossier, verify it offline, and the ways it
//! must fail (a flipped byte, a tampered blob, a truncated input, a wrong passphrase).
use crate::support::{kinga, stderr, stdout};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

pub(crate) const PASSPHRASE: &str = "the irri key passphrase";

/// Runs `kinga` with the key passphrase (or none) in the environment and `input` on stdin.
pub(crate) fn k(args: &[&str], d: &Path, passphrase: Option<&str>, input: &[u8]) -> Output {
    let mut cmd = kinga();
    cmd.args(args)
        .arg("--data-dir")
        .arg(d)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_VAULT_DIR")
        .env_remove("KINGA_KEY_PASSPHRASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = passphrase {
        cmd.env("KINGA_KEY_PASSPHRASE", p);
    }
    let mut child = cmd.spawn().expect("kinga starts");
    let mut stdin = child.stdin.take().unwrap();
    // A command that stops reading early closes the pipe; that is not the test's concern.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// `kinga verify-bundle` needs no database: only the zip and the key file.
fn verify_bundle(zip: &Path, key: &Path) -> Output {
    kinga()
        .arg("verify-bundle")
        .arg(zip)
        .arg("--key")
        .arg(key)
        .output()
        .unwrap()
}

pub(crate) fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// An organisation with keys, an analyst, and one incident created through the API of a real
/// `kinga serve`; returns the incident's code (`CAF-2013-000001`).
pub(crate) fn world(d: &Path) -> String {
    ok(&k(
        &[
            "org",
            "add",
            "--slug",
            "irri",
            "--name",
            "IRRI",
            "--country",
            "UGA",
        ],
        d,
        Some(PASSPHRASE),
        b"",
    ));
    ok(&k(
        &[
            "user",
            "add",
            "--org",
            "irri",
            "--role",
            "analyst",
            "--email",
            "analyst@irri.org",
        ],
        d,
        None,
        b"a long enough passphrase\n",
    ));
    let token = ok(&k(
        &["token", "create", "--email", "analyst@irri.org"],
        d,
        None,
        b"",
    ));
    let server = crate::support::serve(d, &[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let created: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/api/v1/incidents", server.url))
            .bearer_auth(token.trim())
            .json(
                &serde_json::json!({"title": "Attack on Bossangoa market", "country": "CAF",
                                      "date_start": "2013-12-05"}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    drop(server);
    created["code"]
        .as_str()
        .expect("incident created")
        .to_string()
}

fn blobs(d: &Path) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&d.join("vault"), &mut out);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    let o = std::process::Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .expect("sha256sum runs");
    String::from_utf8(o.stdout).unwrap()[..64].to_string()
}

#[test]
fn a_dossier_verifies_offline_and_any_flipped_byte_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = world(d);
    let statement = d.join("statement.txt");
    let content = "Witness statement, Bossangoa, 5 December 2013.\n".repeat(200);
    std::fs::write(&statement, &content).unwrap();
    let out = ok(&k(
        &[
            "evidence",
            "add",
            "--incident",
            &code,
            statement.to_str().unwrap(),
        ],
        d,
        None,
        b"",
    ));
    let (id, sha) = out.trim().split_once(' ').expect("id and hash");
    assert_eq!(sha, sha256_hex(content.as_bytes()));
    assert_eq!(id.len(), 36);

    let zip = d.join("dossier.zip");
    ok(&k(
        &[
            "export",
            "dossier",
            "--incident",
            &code,
            "--out",
            zip.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
        b"",
    ));
    let key = d.join("irri.pub");
    ok(&k(
        &[
            "keys",
            "export-public",
            "--org",
            "irri",
            "--out",
            key.to_str().unwrap(),
        ],
        d,
        None,
        b"",
    ));
    let o = verify_bundle(&zip, &key);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));

    // The export is itself in the item's custody chain, which is in the audit chain.
    let o = k(&["verify"], d, Some(PASSPHRASE), b"");
    assert!(
        stdout(&o).contains("1 sealed evidence item(s) re-hashed"),
        "{}",
        stdout(&o)
    );

    // Flip one byte inside the exported file, then inside the manifest: both fail, named.
    let bytes = std::fs::read(&zip).unwrap();
    let at = bytes
        .windows(content.len().min(40))
        .position(|w| w == &content.as_bytes()[..40])
        .expect("the statement is stored, not compressed");
    for (what, pos) in [
        ("file", at + 100),
        ("manifest", find(&bytes, b"\"exported_by\"") + 2),
    ] {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x01;
        let flipped = d.join(format!("flipped-{what}.zip"));
        std::fs::write(&flipped, bad).unwrap();
        let o = verify_bundle(&flipped, &key);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{what}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("present")
}

#[test]
fn a_tampered_blob_is_named_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = world(d);
    let f = d.join("clip.bin");
    std::fs::write(&f, vec![42u8; 5000]).unwrap();
    let out = ok(&k(
        &["evidence", "add", "--incident", &code, f.to_str().unwrap()],
        d,
        None,
        b"",
    ));
    let id = out.split_whitespace().next().unwrap().to_string();
    ok(&k(&["verify"], d, None, b""));

    let blob = blobs(d)
        .into_iter()
        .find(|p| !p.parent().unwrap().ends_with("tmp"))
        .unwrap();
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[200] ^= 0x80;
    std::fs::write(&blob, bytes).unwrap();
    let o = k(&["verify"], d, None, b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&id), "names the item: {}", stderr(&o));

    // With the key, decryption fails too, and the item is never served as if intact.
    let zip = d.join("d.zip");
    let o = k(
        &[
            "export",
            "dossier",
            "--incident",
            &code,
            "--out",
            zip.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
        b"",
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains(&id), "{}", stderr(&o));
    assert!(!zip.exists(), "no half-written dossier");
}

#[test]
fn a_truncated_input_leaves_no_blob_and_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = world(d);
    let o = k(
        &[
            "evidence",
            "add",
            "--incident",
            &code,
            "--expect-size",
            "10000",
            "--name",
            "clip.mp4",
            "-",
        ],
        d,
        None,
        &[1u8; 6000],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("expected 10000 bytes, received 6000"),
        "{}",
        stderr(&o)
    );
    assert!(blobs(d).is_empty(), "left behind: {:?}", blobs(d));
    let o = k(&["verify"], d, None, b"");
    assert!(
        stdout(&o).contains("0 sealed evidence item(s)"),
        "{}",
        stdout(&o)
    );

    // The same bytes announced with the right size are received.
    let o = k(
        &[
            "evidence",
            "add",
            "--incident",
            &code,
            "--expect-size",
            "6000",
            "--name",
            "clip.mp4",
            "-",
        ],
        d,
        None,
        &[1u8; 6000],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_wrong_passphrase_changes_nothing_and_shares_recover_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = world(d);
    let f = d.join("note.txt");
    std::fs::write(&f, "field note").unwrap();
    ok(&k(
        &["evidence", "add", "--incident", &code, f.to_str().unwrap()],
        d,
        None,
        b"",
    ));
    let audit_before = ok(&k(&["verify"], d, None, b""));

    let zip = d.join("d.zip");
    for args in [
        vec![
            "export",
            "dossier",
            "--incident",
            &code,
            "--out",
            zip.to_str().unwrap(),
        ],
        vec!["keys", "rotate", "--org", "irri"],
        vec!["keys", "split", "--org", "irri"],
    ] {
        let o = k(&args, d, Some("not the passphrase"), b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("wrong passphrase"), "{}", stderr(&o));
    }
    assert!(!zip.exists());
    assert_eq!(
        ok(&k(&["verify"], d, None, b"")),
        audit_before,
        "nothing was written"
    );

    // Three of five shares, with a new passphrase; the old one no longer opens the keys.
    let shares = ok(&k(
        &[
            "keys",
            "split",
            "--org",
            "irri",
            "--shares",
            "5",
            "--threshold",
            "3",
        ],
        d,
        Some(PASSPHRASE),
        b"",
    ));
    let blocks: Vec<&str> = shares
        .split("\n\n")
        .filter(|b| b.contains("share "))
        .collect();
    assert_eq!(blocks.len(), 5);
    let two = format!("{}\n\n{}\n", blocks[0], blocks[3]);
    let o = k(
        &["keys", "recover", "--org", "irri"],
        d,
        Some("a brand new passphrase"),
        two.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2), "two shares are not enough");
    let three = format!("{}\n\n{}\n\n{}\n", blocks[0], blocks[2], blocks[4]);
    ok(&k(
        &["keys", "recover", "--org", "irri"],
        d,
        Some("a brand new passphrase"),
        three.as_bytes(),
    ));
    let o = k(
        &[
            "export",
            "dossier",
            "--incident",
            &code,
            "--out",
            zip.to_str().unwrap(),
        ],
        d,
        Some(PASSPHRASE),
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    ok(&k(
        &[
            "export",
            "dossier",
            "--incident",
            &code,
            "--out",
            zip.to_str().unwrap(),
        ],
        d,
        Some("a brand new passphrase"),
        b"",
    ));

    // Rotation rewraps the data key; the blob on disk is the same file.
    let before: Vec<(PathBuf, Vec<u8>)> = blobs(d)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    let out = ok(&k(
        &["keys", "rotate", "--org", "irri"],
        d,
        Some("a brand new passphrase"),
        b"",
    ));
    assert!(out.contains("1 data keys rewrapped"), "{out}");
    for (p, bytes) in before {
        assert_eq!(
            std::fs::read(&p).unwrap(),
            bytes,
            "{} unchanged",
            p.display()
        );
    }
    let zip2 = d.join("after-rotation.zip");
    ok(&k(
        &[
            "export",
            "dossier",
            "--incident",
            &code,
            "--out",
            zip2.to_str().unwrap(),
        ],
        d,
        Some("a brand new passphrase"),
        b"",
    ));
    let key = d.join("irri.pub");
    ok(&k(
        &[
            "keys",
            "export-public",
            "--org",
            "irri",
            "--out",
            key.to_str().unwrap(),
        ],
        d,
        None,
        b"",
    ));
    ok(&verify_bundle(&zip2, &key));
    ok(&k(&["verify"], d, Some("a brand new passphrase"), b""));
}

/// The witness's name, unusual enough that finding it anywhere means it leaked.
const WITNESS: &str = "Zainabou Ngakola-Yemba";
const CONTACT: &str = "+236 75 51 93 08";
/// Typed into the report form's protected-source section rather than sent to the API.
const FORM_WITNESS: &str = "Oumarou Bekondji-Sallet";
const FORM_PLACE: &str = "well behind the Bekondji school, 6.50113N 17.44702E";

fn all_files(p: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                all_files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

#[test]
fn sealed_witness_fields_are_nowhere_in_the_database_or_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    std::fs::create_dir_all(&d).unwrap();
    ok(&k(
        &["org", "add", "--slug", "irri", "--name", "IRRI"],
        &d,
        Some(PASSPHRASE),
        b"",
    ));
    let mut tokens = Vec::new();
    for role in ["monitor", "legal"] {
        let email = format!("{role}@irri.org");
        ok(&k(
            &[
                "user", "add", "--org", "irri", "--role", role, "--email", &email,
            ],
            &d,
            None,
            b"a long enough passphrase\n",
        ));
        let t = ok(&k(&["token", "create", "--email", &email], &d, None, b""));
        tokens.push(t.trim().to_string());
    }
    let (monitor, legal) = (tokens[0].clone(), tokens[1].clone());

    // The server unlocks the keys at start and logs everything it does.
    let log = dir.path().join("server.log");
    let mut child = kinga()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&d)
        .env_remove("KINGA_DATABASE_URL")
        .env("KINGA_KEY_PASSPHRASE", PASSPHRASE)
        .env("KINGA_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let url = loop {
        let line = lines.next().expect("server starts").unwrap();
        if let Some(u) = line.strip_prefix("Kinga listening on ") {
            break u.trim_end_matches('/').to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let call =
        |method: reqwest::Method, path: String, token: &str, body: Option<serde_json::Value>| {
            rt.block_on(async {
                let mut r = client
                    .request(method, format!("{url}{path}"))
                    .bearer_auth(token);
                if let Some(b) = body {
                    r = r.json(&b);
                }
                let r = r.send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap())
            })
        };
    let (status, report) = call(
        reqwest::Method::POST,
        "/api/v1/reports".into(),
        &monitor,
        Some(
            serde_json::json!({"text": "Houses burnt near the market; one witness saw the unit.",
            "country": "CAF", "occurred_on": "2013-12-05", "visibility": "organisation"}),
        ),
    );
    assert_eq!(status, 201, "{report}");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let id = report["id"].as_str().unwrap();
    let (status, body) = call(
        reqwest::Method::POST,
        format!("/api/v1/reports/{id}/sealed"),
        &monitor,
        Some(serde_json::json!({"witness_name": WITNESS, "witness_contact": CONTACT})),
    );
    assert_eq!(status, 201, "{body}");
    assert!(!body.contains(WITNESS), "never echoed back");

    // Only the legal officer reads it back; the monitor who sent it does not.
    let (status, body) = call(
        reqwest::Method::GET,
        format!("/api/v1/reports/{id}/sealed"),
        &monitor,
        None,
    );
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(
        reqwest::Method::GET,
        format!("/api/v1/reports/{id}/sealed"),
        &legal,
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(WITNESS) && body.contains(CONTACT));
    let (_, body) = call(
        reqwest::Method::GET,
        format!("/api/v1/reports/{id}"),
        &legal,
        None,
    );
    assert!(!body.contains(WITNESS), "not in the report's own answer");

    // The same through the web form: a monitor signs in and types the protected source into
    // the report form; the legal officer opens it on the report's page.
    let web = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form_post = |cookie: &str, path: &str, fields: &[(&str, &str)]| {
        rt.block_on(async {
            let r = web
                .post(format!("{url}{path}"))
                .header("cookie", cookie)
                .form(fields)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            (status, headers, r.text().await.unwrap())
        })
    };
    let page = |cookie: &str, path: &str| {
        rt.block_on(async {
            let r = web
                .get(format!("{url}{path}"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            let headers = r.headers().clone();
            (headers, r.text().await.unwrap())
        })
    };
    let csrf_of = |html: &str| {
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let sign_in = |email: &str| {
        let (headers, html) = page("", "/login");
        let first = headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let (_, headers, _) = form_post(
            &first,
            "/login",
            &[
                ("csrf", csrf_of(&html).as_str()),
                ("email", email),
                ("password", "a long enough passphrase"),
            ],
        );
        headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|v| v.starts_with("kinga_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let monitor_s = sign_in("monitor@irri.org");
    let (_, html) = page(&monitor_s, "/reports/new");
    let (status, headers, _) = form_post(
        &monitor_s,
        "/reports/new",
        &[
            ("csrf", csrf_of(&html).as_str()),
            ("country", "CAF"),
            ("occurred_on", "2013-12-06"),
            ("text", "Men in uniform took two boys from the school."),
            ("visibility", "organisation"),
            ("witness_name", FORM_WITNESS),
            ("exact_location", FORM_PLACE),
        ],
    );
    assert_eq!(status, 303);
    let location = headers["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("&sealed=1"), "{location}");
    let form_report = location
        .trim_start_matches("/reports/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let legal_s = sign_in("legal@irri.org");
    let (_, html) = page(&legal_s, &format!("/reports/{form_report}"));
    let (status, _, html) = form_post(
        &legal_s,
        &format!("/reports/{form_report}/sealed/show"),
        &[("csrf", csrf_of(&html).as_str())],
    );
    assert_eq!(status, 200);
    assert!(html.contains(FORM_WITNESS) && html.contains("6.50113N"));
    // The text index answers for the report's incident, never for the sealed values.
    let (status, incident) = call(
        reqwest::Method::POST,
        "/api/v1/incidents".into(),
        &legal,
        Some(
            serde_json::json!({"title": "Boys taken from the school", "country": "CAF",
            "date_start": "2013-12-06", "visibility": "organisation",
            "summary": "Men in uniform took two boys from the school."}),
        ),
    );
    assert_eq!(status, 201, "{incident}");
    let (_, found) = call(
        reqwest::Method::GET,
        "/api/v1/incidents?q=school".into(),
        &legal,
        None,
    );
    assert!(found.contains("Boys taken from the school"), "{found}");
    for q in ["Bekondji", "Oumarou", "Ngakola"] {
        let (_, found) = call(
            reqwest::Method::GET,
            format!("/api/v1/incidents?q={q}"),
            &legal,
            None,
        );
        assert!(found.contains("\"total\":0"), "{q}: {found}");
    }
    let _ = child.kill();
    let _ = child.wait();

    let mut files = Vec::new();
    all_files(&d, &mut files);
    files.push(log.clone());
    assert!(files.iter().any(|f| f.ends_with("kinga.db")), "{files:?}");
    assert!(
        std::fs::metadata(&log).unwrap().len() > 0,
        "the server logged"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for secret in [
            WITNESS,
            CONTACT,
            "Ngakola",
            FORM_WITNESS,
            "Bekondji",
            "6.50113N",
        ] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} found in {}",
                f.display()
            );
        }
    }
    ok(&k(&["verify"], &d, None, b""));
    // Rotation opens each sealed value with the old key and seals it to the new one.
    let out = ok(&k(
        &["keys", "rotate", "--org", "irri"],
        &d,
        Some(PASSPHRASE),
        b"",
    ));
    assert!(out.contains("4 data keys rewrapped"), "{out}");
    ok(&k(&["verify"], &d, None, b""));
}

#[test]
fn transfers_deletion_requests_and_checks_enter_the_custody_chain() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = world(d);
    let f = d.join("statement.txt");
    std::fs::write(&f, b"I saw the soldiers arrive at dawn.").unwrap();
    let out = ok(&k(
        &["evidence", "add", "--incident", &code, f.to_str().unwrap()],
        d,
        None,
        b"",
    ));
    let id = out.split_whitespace().next().unwrap().to_string();

    let checked = ok(&k(&["evidence", "verify", &id], d, Some(PASSPHRASE), b""));
    assert!(checked.contains("decrypted content match"), "{checked}");
    // Without the passphrase only the sealed file is checked, in the words the web's
    // "verify now" uses: one path for both.
    let checked = ok(&k(&["evidence", "verify", &id], d, None, b""));
    assert!(
        checked.contains(
            "intact: sealed file matches its SHA-256 (content not decrypted: keys locked)"
        ),
        "{checked}"
    );
    // The same limits as the web's transfer form.
    let o = k(
        &["evidence", "transfer", &id, "--to", &"x".repeat(301)],
        d,
        None,
        b"",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("at most 300 characters"),
        "{}",
        stderr(&o)
    );
    ok(&k(
        &[
            "evidence",
            "transfer",
            &id,
            "--to",
            "Special Criminal Court, Bangui",
            "--how",
            "receipt 114",
        ],
        d,
        None,
        b"",
    ));
    ok(&k(
        &[
            "evidence",
            "request-deletion",
            &id,
            "--reason",
            "the witness withdrew consent",
        ],
        d,
        None,
        b"",
    ));
    let o = k(
        &["evidence", "request-deletion", &id, "--reason", " "],
        d,
        None,
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "a request without a reason is refused"
    );

    let log = ok(&k(&["evidence", "log", &id], d, None, b""));
    let kinds: Vec<&str> = log
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "receive",
            "hash",
            "seal",
            "verify",
            "verify",
            "transfer",
            "deletion_request"
        ],
        "{log}"
    );
    assert!(
        log.contains("to Special Criminal Court, Bangui; receipt 114"),
        "{log}"
    );
    assert!(log.contains("the witness withdrew consent"), "{log}");
    // The original is still there: a deletion request alters nothing.
    ok(&k(&["verify"], d, None, b""));

    // A flipped byte is found, named, and the failed check is itself in the chain.
    let blob = blobs(d)
        .into_iter()
        .find(|p| !p.parent().unwrap().ends_with("tmp"))
        .unwrap();
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&blob, bytes).unwrap();
    let o = k(&["evidence", "verify", &id], d, None, b"");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("MISMATCH"), "{}", stdout(&o));
    let log = ok(&k(&["evidence", "log", &id], d, None, b""));
    assert!(log.lines().last().unwrap().contains("MISMATCH"), "{log}");
}
