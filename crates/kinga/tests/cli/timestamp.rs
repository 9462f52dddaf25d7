//! Dossiers time-stamped by a real RFC 3161 authority: Debian's `openssl ts -reply` behind a
//! loopback HTTP server, reached by the compiled binary through `--tsa`.
use crate::support::{kinga, stderr, stdout};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The vault's tests' local TSA (CA, certificates, `openssl ts -reply` server), not a copy.
#[allow(dead_code)]
#[path = "../../../kinga-vault/tests/vault/local_tsa.rs"]
pub(crate) mod local_tsa;
use local_tsa::local_tsa;

const PASSPHRASE: &str = "the irri key passphrase";

/// Runs `kinga` on the data directory with the key passphrase (or none) in the environment.
fn k(args: &[&str], d: &Path, passphrase: Option<&str>, input: &[u8]) -> Output {
    let mut cmd = kinga();
    cmd.args(args)
        .arg("--data-dir")
        .arg(d)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_VAULT_DIR")
        .env_remove("KINGA_KEY_PASSPHRASE")
        .env_remove("KINGA_TSA_URL")
        .env_remove("KINGA_TSA_CERT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = passphrase {
        cmd.env("KINGA_KEY_PASSPHRASE", p);
    }
    let mut child = cmd.spawn().expect("kinga starts");
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

fn verify_bundle(zip: &Path, key: &Path) -> Output {
    verify_bundle_trusting(zip, key, None)
}

fn verify_bundle_trusting(zip: &Path, key: &Path, tsa_cert: Option<&Path>) -> Output {
    let mut cmd = kinga();
    cmd.arg("verify-bundle")
        .arg(zip)
        .arg("--key")
        .arg(key)
        .env_remove("KINGA_TSA_CERT");
    if let Some(cert) = tsa_cert {
        cmd.arg("--tsa-cert").arg(cert);
    }
    cmd.output().unwrap()
}

/// An organisation with keys, an analyst, one incident made through the API of a real
/// `kinga serve`, and one evidence item on it; returns the incident's code.
fn incident_with_evidence(d: &Path) -> String {
    let org = [
        "org",
        "add",
        "--slug",
        "irri",
        "--name",
        "IRRI",
        "--country",
        "UGA",
    ];
    ok(&k(&org, d, Some(PASSPHRASE), b""));
    let user = [
        "user",
        "add",
        "--org",
        "irri",
        "--role",
        "analyst",
        "--email",
        "analyst@irri.org",
    ];
    ok(&k(&user, d, None, b"a long enough passphrase\n"));
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
    let code = created["code"]
        .as_str()
        .expect("incident created")
        .to_string();
    let statement = d.join("statement.txt");
    std::fs::write(&statement, "Witness statement, Bossangoa.\n".repeat(50)).unwrap();
    let add = [
        "evidence",
        "add",
        "--incident",
        &code,
        statement.to_str().unwrap(),
    ];
    ok(&k(&add, d, None, b""));
    code
}

fn export(d: &Path, code: &str, out: &Path, tsa: &str) -> Output {
    let args = [
        "export",
        "dossier",
        "--incident",
        code,
        "--out",
        out.to_str().unwrap(),
        "--tsa",
        tsa,
    ];
    k(&args, d, Some(PASSPHRASE), b"")
}

/// Where the stored bytes of `name` start in the zip (its local header's name, then extra).
fn entry_data(zip: &[u8], name: &[u8]) -> usize {
    let at = zip
        .windows(name.len())
        .position(|w| w == name)
        .expect("entry in the zip");
    let header = at - 30;
    let extra = u16::from_le_bytes([zip[header + 28], zip[header + 29]]) as usize;
    at + name.len() + extra
}

fn leftovers(d: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".zip") || n.ends_with(".part")
        })
        .collect()
}

#[test]
fn a_time_stamped_dossier_verifies_and_a_flipped_token_byte_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tsa) = local_tsa() else {
        return;
    };
    let url = tsa.url.clone();
    let d = dir.path();
    let code = incident_with_evidence(d);
    let zip = d.join("dossier.zip");
    let out = ok(&export(d, &code, &zip, &url));
    assert!(
        out.contains("time-stamped at") && out.contains("Kinga test TSA"),
        "{out}"
    );

    let key = d.join("irri.pub");
    let public = [
        "keys",
        "export-public",
        "--org",
        "irri",
        "--out",
        key.to_str().unwrap(),
    ];
    ok(&k(&public, d, None, b""));
    let o = verify_bundle(&zip, &key);
    let text = ok(&o);
    assert!(text.contains("VALID"), "{text}");
    assert!(
        text.contains("ok: RFC 3161 time-stamp: manifest existed at")
            && text.contains("TSA \"Kinga test TSA\""),
        "{text}"
    );
    assert!(
        text.contains("not checked: the TSA certificate (SHA-256 ") && text.contains("--tsa-cert"),
        "{text}"
    );

    // Against a trusted certificate: the CA that issued the TSA's, or the TSA's own.
    let text = ok(&verify_bundle_trusting(&zip, &key, Some(&tsa.ca())));
    assert!(
        text.contains("ok: TSA certificate \"Kinga test TSA\"")
            && text.contains("issued by the trusted \"Kinga test CA\"")
            && text.contains("timeStamping")
            && !text.contains("not checked:"),
        "{text}"
    );
    let text = ok(&verify_bundle_trusting(&zip, &key, Some(&tsa.tsa_cert())));
    assert!(text.contains("is itself a trusted certificate"), "{text}");
    // An unrelated certificate does not vouch for it; the failure names both.
    let o = verify_bundle_trusting(&zip, &key, Some(&tsa.unrelated_cert()));
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("NOT VALID")
            && err.contains("manifest.tsr: time-stamp: TSA certificate not trusted")
            && err.contains("\"Kinga test TSA\"")
            && err.contains("\"Unrelated CA\""),
        "{err}"
    );
    // A certificate of the same CA but not for time-stamping, given as the TSA's own, is no
    // anchor for this token either.
    let o = verify_bundle_trusting(&zip, &key, Some(&tsa.cert_without_time_stamping()));
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    // An unreadable anchor file is a usage error naming it.
    let missing = d.join("no-such-ca.pem");
    let o = verify_bundle_trusting(&zip, &key, Some(&missing));
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("no-such-ca.pem"), "{}", stderr(&o));

    // The time-stamp is in the item's custody chain: the next dossier carries it, and the audit
    // chain still verifies.
    let again = d.join("again.zip");
    let args = [
        "export",
        "dossier",
        "--incident",
        &code,
        "--out",
        again.to_str().unwrap(),
    ];
    ok(&k(&args, d, Some(PASSPHRASE), b""));
    let next = std::fs::read(&again).unwrap();
    let needle = b"manifest of dossier dossier.zip time-stamped at ";
    assert!(
        next.windows(needle.len()).any(|w| w == needle),
        "no time-stamp in the custody chain"
    );
    ok(&verify_bundle(&again, &key));
    let o = k(&["verify"], d, Some(PASSPHRASE), b"");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));

    let bytes = std::fs::read(&zip).unwrap();
    let start = entry_data(&bytes, b"manifest.tsr");
    // The zip's CRC notices any changed byte; one inside the token's signed part (at 400, past
    // the TSTInfo, in the TSA certificate that the signed attributes hash) must also fail the
    // token's own check, which is what a recomputed CRC would leave.
    for offset in [40, 400] {
        let mut bad = bytes.clone();
        bad[start + offset] ^= 0x01;
        let flipped = d.join(format!("flipped-{offset}.zip"));
        std::fs::write(&flipped, bad).unwrap();
        let o = verify_bundle(&flipped, &key);
        assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("NOT VALID") && err.contains("manifest.tsr"),
            "{err}"
        );
        if offset == 400 {
            assert!(err.contains("manifest.tsr: time-stamp:"), "{err}");
        }
    }
}

#[test]
fn a_failing_time_stamp_authority_leaves_no_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = incident_with_evidence(d);
    // A port nothing listens on any more.
    let gone = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/tsa", l.local_addr().unwrap())
    };
    let zip = d.join("dossier.zip");
    let o = export(d, &code, &zip, &gone);
    assert!(!o.status.success(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("time-stamp authority") && err.contains(&gone) && err.contains("no dossier"),
        "{err}"
    );
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));

    // Only http:// authorities: refused before anything is read.
    let o = export(d, &code, &zip, "https://tsa.example.org/");
    assert!(stderr(&o).contains("only http://"), "{}", stderr(&o));
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
}

/// `kinga init` sets up a data directory, then an organisation's keys; again, it changes nothing.
#[test]
fn init_creates_the_database_then_missing_keys_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    ok(&k(&["init"], &d, None, b""));
    assert!(d.join("kinga.db").is_file() && d.join("vault").is_dir());
    let org = [
        "org",
        "add",
        "--slug",
        "irri",
        "--name",
        "IRRI",
        "--country",
        "UGA",
    ];
    ok(&k(&org, &d, None, b""));
    let out = ok(&k(&["init", "--org", "irri"], &d, Some(PASSPHRASE), b""));
    assert!(out.contains("irri: keys created"), "{out}");
    let out = ok(&k(&["init", "--org", "irri"], &d, None, b""));
    assert!(out.contains("already has keys (version 1)"), "{out}");
    let o = k(&["init", "--org", "nobody"], &d, None, b"");
    assert!(
        !o.status.success() && stderr(&o).contains("nobody"),
        "{}",
        stderr(&o)
    );
}

/// Runs one statement on the SQLite database, or None (with a message) without `sqlite3`.
fn sqlite(d: &Path, sql: &str) -> Option<String> {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        kinga_testkit::skip("the sqlite3 command is not installed (Debian package sqlite3)");
        return None;
    }
    let out = Command::new("sqlite3")
        .arg(d.join("kinga.db"))
        .arg(sql)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn a_checkpoint_catches_an_edited_token_and_a_consistently_rehashed_chain() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tsa) = local_tsa() else {
        return;
    };
    let url = tsa.url.clone();
    let d = dir.path();
    incident_with_evidence(d);
    let out = ok(&k(&["evidence", "checkpoint", "--tsa", &url], d, None, b""));
    assert!(
        out.contains("time-stamped at") && out.contains("Kinga test TSA"),
        "{out}"
    );
    let id = out
        .strip_prefix("checkpoint ")
        .and_then(|s| s.split(':').next())
        .expect("the checkpoint's id")
        .to_string();
    let seq: i64 = out
        .split("audit entry ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("the checkpoint's audit entry");
    assert!(seq > 1, "{out}");
    let verified = ok(&k(&["verify"], d, None, b""));
    assert!(
        verified.contains("1 time-stamped checkpoint(s)")
            && verified.contains(&format!("covers entry {seq}")),
        "{verified}"
    );
    assert!(
        verified.contains("not checked: the TSA certificate (SHA-256 "),
        "{verified}"
    );
    // KINGA_TSA_CERT names the trusted certificate: the CA vouches, an unrelated one does not.
    let trusted = ok(&verify_trusting(d, &tsa.ca()));
    assert!(
        trusted.contains("trusted: every checkpoint's TSA certificate")
            && !trusted.contains("not checked:"),
        "{trusted}"
    );
    let untrusted = verify_trusting(d, &tsa.unrelated_cert());
    assert_eq!(untrusted.status.code(), Some(1), "{}", stdout(&untrusted));
    let err = stderr(&untrusted);
    assert!(
        err.contains(&format!("checkpoint {id}"))
            && err.contains("TSA certificate not trusted")
            && err.contains("\"Unrelated CA\""),
        "{err}"
    );

    // A non-http authority is refused before anything is recorded.
    let refused = k(
        &["evidence", "checkpoint", "--tsa", "ftp://x/"],
        d,
        None,
        b"",
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));

    let Some(token) = sqlite(d, "SELECT token FROM audit_checkpoints") else {
        return;
    };
    // The last bytes of the token are its signature.
    let flip = if token.ends_with('0') { '1' } else { '0' };
    let edited = format!("{}{flip}", &token[..token.len() - 1]);
    sqlite(
        d,
        &format!("UPDATE audit_checkpoints SET token = '{edited}' WHERE id = '{id}'"),
    );
    let broken = k(&["verify"], d, None, b"");
    assert_eq!(broken.status.code(), Some(1), "{}", stdout(&broken));
    assert!(stderr(&broken).contains(&id), "{}", stderr(&broken));

    // Put the token back, then rewrite the first audit entry and re-hash the whole chain
    // consistently: the chain alone looks intact, the checkpoint's token does not cover it.
    sqlite(
        d,
        &format!("UPDATE audit_checkpoints SET token = '{token}' WHERE id = '{id}'"),
    );
    ok(&k(&["verify"], d, None, b""));

    // A second authority whose tokens verify but whose certificate, from the same CA, is not
    // for time-stamping: unnoticed without a trusted certificate, refused with one, naming the
    // key usage.
    let out = ok(&k(
        &["evidence", "checkpoint", "--tsa", &tsa.misissued()],
        d,
        None,
        b"",
    ));
    let misissued = out
        .strip_prefix("checkpoint ")
        .and_then(|s| s.split(':').next())
        .expect("the checkpoint's id")
        .to_string();
    let unchecked = ok(&k(&["verify"], d, None, b""));
    assert!(
        unchecked.contains("2 time-stamped checkpoint(s)") && unchecked.contains("not checked:"),
        "{unchecked}"
    );
    let refused = verify_trusting(d, &tsa.ca());
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains(&format!("checkpoint {misissued}"))
            && err.contains("lacks the extended key usage timeStamping"),
        "{err}"
    );

    rewrite_chain(d);
    let rewritten = k(&["verify"], d, None, b"");
    assert_eq!(rewritten.status.code(), Some(1), "{}", stdout(&rewritten));
    let err = stderr(&rewritten);
    assert!(
        err.contains(&format!("checkpoint {id}")) && err.contains("rewritten"),
        "{err}"
    );
}

/// `kinga verify` with KINGA_TSA_CERT set, as a deployment would.
fn verify_trusting(d: &Path, cert: &Path) -> Output {
    kinga()
        .arg("verify")
        .arg("--data-dir")
        .arg(d)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_VAULT_DIR")
        .env_remove("KINGA_KEY_PASSPHRASE")
        .env("KINGA_TSA_CERT", cert)
        .output()
        .unwrap()
}

/// Changes the explanation of audit entry 1 and recomputes every hash after it, as someone
/// with write access to the database and the chain's rules could.
fn rewrite_chain(d: &Path) {
    let db = d.join("kinga.db");
    let out = Command::new("sqlite3")
        .arg("-json")
        .arg(&db)
        .arg("SELECT seq, at, actor, organisation, entity, entity_id, action, before_digest, after_digest, explanation, prev_hash, hash FROM audit_log ORDER BY seq")
        .output()
        .unwrap();
    let mut entries: Vec<kinga_domain::audit::AuditEntry> =
        serde_json::from_slice(&out.stdout).expect("audit entries as JSON");
    entries[0].explanation = Some("rewritten".into());
    let mut prev = kinga_domain::audit::GENESIS.to_string();
    let mut sql = String::from("BEGIN;");
    for e in &mut entries {
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash.clone();
        sql.push_str(&format!(
            "UPDATE audit_log SET explanation = {}, prev_hash = '{}', hash = '{}' WHERE seq = {};",
            e.explanation
                .as_ref()
                .map_or("NULL".to_string(), |x| format!(
                    "'{}'",
                    x.replace('\'', "''")
                )),
            e.prev_hash,
            e.hash,
            e.seq
        ));
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1; COMMIT;"
    ));
    sqlite(d, &sql);
}

/// `serve --checkpoint-every` time-stamps the chain head on its own, once per new head, and
/// `kinga verify` then checks those checkpoints.
#[test]
fn serve_time_stamps_the_chain_on_a_schedule() {
    let Some(tsa) = local_tsa() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::support::analyst_with_token(d, "irri");
    let log_path = d.join("serve.log");
    let mut child = kinga()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(d)
        .args(["--checkpoint-every", "1s", "--checkpoint-tsa", &tsa.url])
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_LOG")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut banner = String::new();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    while !banner.contains("Kinga listening") {
        banner.push_str(&lines.next().expect("serve starts").unwrap());
        banner.push('\n');
    }
    assert!(
        banner.contains("Audit chain checkpoints every 1s"),
        "{banner}"
    );
    std::thread::spawn(move || for _ in lines {});
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let started = std::time::Instant::now();
    while !log().contains("time-stamped at") {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no checkpoint logged: {}",
            log()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // With nothing written since, the same head is not stamped again.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(log().matches("time-stamped at").count(), 1, "{}", log());
    let o = k(&["verify"], d, None, b"");
    let out = ok(&o);
    assert!(out.contains("1 time-stamped checkpoint(s)"), "{out}");

    // A schedule without an authority, or with one Kinga cannot use, stops the start.
    let o = k(&["serve", "--checkpoint-every", "1h"], d, None, b"");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = k(
        &[
            "serve",
            "--checkpoint-every",
            "1h",
            "--checkpoint-tsa",
            "ftp://tsa.example",
        ],
        d,
        None,
        b"",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--checkpoint-tsa"), "{}", stderr(&o));
}
