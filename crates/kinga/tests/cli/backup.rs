//! Backups through the binary: a backup restores into an empty directory that `kinga verify`
//! finds intact with the evidence unchanged; a backup taken while a server answers report
//! submissions holds every report acknowledged before it started; damaged archives, wrong keys
//! and non-empty directories are refused, naming what failed; `serve --backup-every` writes
//! backups on its own.
use crate::evidence::{k, ok, world, PASSPHRASE};
use crate::support::{self, kinga, stderr, stdout};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BACKUP_PASSPHRASE: &str = "the backup passphrase of the desk";

/// Runs `kinga` with `args` only (no --data-dir added), the backup passphrase (or none) in the
/// environment and `input` on standard input.
fn kb(args: &[&str], backup_passphrase: Option<&str>, input: &[u8]) -> Output {
    let mut cmd = kinga();
    cmd.args(args)
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_VAULT_DIR")
        .env_remove("KINGA_DATA_DIR")
        .env_remove("KINGA_KEY_PASSPHRASE")
        .env_remove("KINGA_BACKUP_PASSPHRASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = backup_passphrase {
        cmd.env("KINGA_BACKUP_PASSPHRASE", p);
    }
    let mut child = cmd.spawn().expect("kinga starts");
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Bytes that do not compress and are not found by chance elsewhere.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn position(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// An organisation with keys, an incident, a statement and a 3 MiB recording as evidence, and
/// a backup key pair; returns (incident code, statement, recording, secret key, public key).
fn evidence_world(dir: &Path, d: &Path) -> (String, Vec<u8>, Vec<u8>, PathBuf, PathBuf) {
    let code = world(d);
    let statement = b"Witness statement, Bossangoa, 5 December 2013.\n".repeat(100);
    let recording = noise(3 << 20, 42);
    for (name, bytes) in [("statement.txt", &statement), ("recording.bin", &recording)] {
        let f = dir.join(name);
        std::fs::write(&f, bytes).unwrap();
        ok(&k(
            &["evidence", "add", "--incident", &code, s(&f)],
            d,
            None,
            b"",
        ));
    }
    let key = dir.join("desk-backup.key");
    let o = kb(&["backup", "keygen", "--out", s(&key)], None, b"");
    assert!(o.status.success(), "{}", stderr(&o));
    (
        code,
        statement,
        recording,
        key.clone(),
        dir.join("desk-backup.key.pub"),
    )
}

#[test]
fn a_backup_restores_into_an_empty_directory_and_verifies_with_the_evidence_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let (code, statement, recording, key, public) = evidence_world(dir.path(), &d);
    // An intake interrupted before its rename leaves a file in tmp/: not evidence, left out.
    let org_root = std::fs::read_dir(d.join("vault"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::create_dir_all(org_root.join("tmp")).unwrap();
    std::fs::write(org_root.join("tmp").join("intake-0000"), b"half an upload").unwrap();

    let archive = dir.path().join("desk.kbak");
    let o = kb(
        &[
            "backup",
            "--data-dir",
            s(&d),
            "--out",
            s(&archive),
            "--to",
            s(&public),
        ],
        None,
        b"",
    );
    let out = ok(&o);
    assert!(
        out.contains("2 evidence blob(s)") && out.contains("encrypted to backup key"),
        "{out}"
    );
    // The database holds the incident's title in clear; the archive must not.
    let bytes = std::fs::read(&archive).unwrap();
    let db = std::fs::read(d.join("kinga.db")).unwrap();
    assert!(position(&db, b"Bossangoa market").is_some());
    assert!(position(&bytes, b"Bossangoa market").is_none());
    assert!(position(&bytes, b"SQLite format 3").is_none());

    let restored = dir.path().join("restored");
    let o = k(
        &["restore", s(&archive), "--key", s(&key)],
        &restored,
        None,
        b"",
    );
    let out = ok(&o);
    assert!(out.contains("every SHA-256 matches the manifest"), "{out}");
    assert!(
        !restored
            .join("vault")
            .join(org_root.file_name().unwrap())
            .join("tmp")
            .exists(),
        "intake's temporary files are not restored"
    );
    // With the key passphrase, verify also decrypts every item and re-hashes its content.
    let o = k(&["verify"], &restored, Some(PASSPHRASE), b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("2 sealed evidence item(s) re-hashed"),
        "{}",
        stdout(&o)
    );
    // The evidence reads back byte for byte: a dossier of the restored incident holds both.
    let zip = dir.path().join("restored-dossier.zip");
    ok(&k(
        &["export", "dossier", "--incident", &code, "--out", s(&zip)],
        &restored,
        Some(PASSPHRASE),
        b"",
    ));
    let dossier = std::fs::read(&zip).unwrap();
    for content in [&statement, &recording] {
        let at = position(&dossier, &content[..64]).expect("the item is in the dossier");
        assert!(
            dossier[at..].starts_with(content),
            "the item reads back unchanged"
        );
    }

    // A passphrase instead of a key: the same archive, opened with the same passphrase.
    let by_pass = dir.path().join("by-passphrase.kbak");
    ok(&kb(
        &["backup", "--data-dir", s(&d), "--out", s(&by_pass)],
        None,
        format!("{BACKUP_PASSPHRASE}\n").as_bytes(),
    ));
    let again = dir.path().join("restored-by-passphrase");
    ok(&kb(
        &["restore", s(&by_pass), "--data-dir", s(&again)],
        Some(BACKUP_PASSPHRASE),
        b"",
    ));
    let o = k(&["verify"], &again, Some(PASSPHRASE), b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // An existing file is never replaced.
    let o = kb(
        &[
            "backup",
            "--data-dir",
            s(&d),
            "--out",
            s(&archive),
            "--to",
            s(&public),
        ],
        None,
        b"",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
}

#[test]
fn restore_refuses_a_used_directory_a_damaged_archive_and_a_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let (_, _, _, key, public) = evidence_world(dir.path(), &d);
    let archive = dir.path().join("desk.kbak");
    ok(&kb(
        &[
            "backup",
            "--data-dir",
            s(&d),
            "--out",
            s(&archive),
            "--to",
            s(&public),
        ],
        None,
        b"",
    ));
    let bytes = std::fs::read(&archive).unwrap();
    assert!(bytes.len() > 3 << 20, "several chunks: {}", bytes.len());
    let target = dir.path().join("target");
    let restore =
        |file: &Path, key: &Path| k(&["restore", s(file), "--key", s(key)], &target, None, b"");
    let refused = |o: &Output, code: i32, words: &[&str]| {
        assert_eq!(o.status.code(), Some(code), "{}{}", stdout(o), stderr(o));
        for w in words {
            assert!(stderr(o).contains(w), "expected `{w}` in: {}", stderr(o));
        }
        assert!(
            !target.exists() || std::fs::read_dir(&target).unwrap().next().is_none(),
            "a refused restore leaves nothing behind"
        );
    };

    // A directory with something in it.
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("notes.txt"), b"keep me").unwrap();
    let o = restore(&archive, &key);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not empty") && stderr(&o).contains("notes.txt"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(target.join("notes.txt")).unwrap(), b"keep me");
    std::fs::remove_dir_all(&target).unwrap();

    // Truncated, in the middle of a chunk and at a chunk boundary (header 77 bytes, chunks of
    // 1 MiB and a 16-byte tag).
    for (name, len) in [("half", bytes.len() / 2), ("boundary", 77 + (1 << 20) + 16)] {
        let cut = dir.path().join(format!("{name}.kbak"));
        std::fs::write(&cut, &bytes[..len]).unwrap();
        refused(&restore(&cut, &key), 1, &[s(&cut), "truncated"]);
    }
    // One flipped byte in the middle: the chunk and the member it was in are named.
    let mut bad = bytes.clone();
    let mid = bytes.len() / 2;
    bad[mid] ^= 0x20;
    let flipped = dir.path().join("flipped.kbak");
    std::fs::write(&flipped, &bad).unwrap();
    refused(
        &restore(&flipped, &key),
        1,
        &[
            s(&flipped),
            "damaged or was altered",
            "chunk",
            "while reading member vault/",
        ],
    );
    // A flipped byte in the header's key material: the key check fails.
    let mut bad = bytes.clone();
    bad[40] ^= 0x01;
    std::fs::write(&flipped, &bad).unwrap();
    refused(&restore(&flipped, &key), 2, &["does not open this archive"]);

    // Another backup key.
    let other = dir.path().join("other.key");
    ok(&kb(&["backup", "keygen", "--out", s(&other)], None, b""));
    refused(
        &restore(&archive, &other),
        2,
        &["was encrypted to backup key"],
    );
    // A wrong passphrase, and no key or passphrase at all.
    let by_pass = dir.path().join("by-passphrase.kbak");
    ok(&kb(
        &["backup", "--data-dir", s(&d), "--out", s(&by_pass)],
        Some(BACKUP_PASSPHRASE),
        b"",
    ));
    let o = kb(
        &["restore", s(&by_pass), "--data-dir", s(&target)],
        Some("not the backup passphrase"),
        b"",
    );
    refused(&o, 2, &["wrong passphrase"]);
    let o = kb(
        &["restore", s(&by_pass), "--data-dir", s(&target)],
        None,
        b"",
    );
    refused(&o, 2, &["KINGA_BACKUP_PASSPHRASE"]);
    let o = restore(&by_pass, &key);
    refused(&o, 2, &["encrypted with a passphrase"]);

    // The intact archive still restores.
    ok(&restore(&archive, &key));
    let o = k(&["verify"], &target, Some(PASSPHRASE), b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

/// Reports submitted by `clients` concurrent clients until `stop`, each id pushed once the
/// server answered 201.
fn load(
    base: String,
    token: String,
    clients: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let client = reqwest::Client::new();
            let mut tasks = Vec::new();
            for c in 0..clients {
                let (client, base, token) = (client.clone(), base.clone(), token.clone());
                let (stop, acked) = (stop.clone(), acked.clone());
                tasks.push(tokio::spawn(async move {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let r = client
                            .post(format!("{base}/api/v1/reports"))
                            .bearer_auth(&token)
                            .json(
                                &serde_json::json!({"text": format!("load client {c} report {n}"),
                                "country": "CAF", "occurred_on": "2026-11-20",
                                "visibility": "organisation"}),
                            )
                            .send()
                            .await
                            .expect("the server answers");
                        assert_eq!(r.status().as_u16(), 201);
                        let v: serde_json::Value = r.json().await.unwrap();
                        acked
                            .lock()
                            .unwrap()
                            .push(v["id"].as_str().unwrap().to_string());
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
    })
}

#[test]
fn a_backup_taken_under_write_load_holds_every_report_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let token = support::analyst_with_token(&d, "khrc");
    let key = dir.path().join("desk-backup.key");
    ok(&kb(&["backup", "keygen", "--out", s(&key)], None, b""));
    let public = dir.path().join("desk-backup.key.pub");

    let server = support::serve(&d, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let clients = load(
        server.url.clone(),
        token.clone(),
        16,
        stop.clone(),
        acked.clone(),
    );
    let started = Instant::now();
    while acked.lock().unwrap().len() < 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "load does not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let archive = dir.path().join("under-load.kbak");
    let o = kb(
        &[
            "backup",
            "--data-dir",
            s(&d),
            "--out",
            s(&archive),
            "--to",
            s(&public),
        ],
        None,
        b"",
    );
    let during = acked.lock().unwrap().len() - before.len();
    ok(&o);
    stop.store(true, Ordering::SeqCst);
    clients.join().unwrap();
    drop(server);
    assert!(
        during > 0,
        "no report was acknowledged while the backup ran"
    );

    let restored = dir.path().join("restored");
    ok(&k(
        &["restore", s(&archive), "--key", s(&key)],
        &restored,
        None,
        b"",
    ));
    let o = k(&["verify"], &restored, None, b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    let server = support::serve(&restored, &[]);
    let http = support::Http::new();
    let missing: Vec<&String> = before
        .iter()
        .filter(|id| {
            let v = http.get_json(&format!("{}/api/v1/reports/{id}", server.url), &token);
            v["id"].as_str() != Some(id.as_str())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} reports acknowledged before the backup are not in it, e.g. {:?}",
        missing.len(),
        before.len(),
        missing.first()
    );
    eprintln!(
        "{} reports acknowledged before the backup, all restored; {during} acknowledged while it ran",
        before.len()
    );
}

#[test]
fn serve_takes_scheduled_backups_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let _token = support::analyst_with_token(&d, "khrc");
    let key = dir.path().join("desk-backup.key");
    ok(&kb(&["backup", "keygen", "--out", s(&key)], None, b""));
    let backups = dir.path().join("backups");
    let log_path = dir.path().join("serve.log");
    let mut child = kinga()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", s(&d)])
        .args(["--backup-every", "1s", "--backup-keep", "2"])
        .args(["--backup-dir", s(&backups)])
        .args(["--backup-to", s(&dir.path().join("desk-backup.key.pub"))])
        .env_remove("KINGA_DATABASE_URL")
        .env_remove("KINGA_LOG")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    while !banner.contains("Kinga listening") {
        banner.push_str(&lines.next().expect("serve starts").unwrap());
        banner.push('\n');
    }
    assert!(banner.contains("Backups every 1s into"), "{banner}");
    std::thread::spawn(move || for _ in lines {});

    let ours = || -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&backups)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.retain(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n.starts_with("kinga-backup-") && n.ends_with(".kbak")
        });
        v.sort();
        v
    };
    let started = Instant::now();
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    // Four backups logged: the oldest two were removed.
    while log().matches("backup written").count() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "fewer than four scheduled backups in 60 s; log:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let kept = ours();
    assert!(
        (2..=3).contains(&kept.len()),
        "keeps the newest two (a third may have been written as the server stopped): {kept:?}\n{}",
        log()
    );
    assert!(log().contains("older backup(s) removed"), "{}", log());
    let restored = dir.path().join("restored");
    ok(&k(
        &["restore", s(&kept[0]), "--key", s(&key)],
        &restored,
        None,
        b"",
    ));
    let o = k(&["verify"], &restored, None, b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_postgresql_backup_carries_a_pg_dump_that_pg_restore_loads() {
    let Ok(admin) = std::env::var("KINGA_TEST_DATABASE_URL") else {
        eprintln!("skipped: KINGA_TEST_DATABASE_URL is not set (as root, `eval \"$(bash .ci/postgres.sh)\"` provides a server)");
        return;
    };
    if Command::new("pg_restore")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: pg_restore is not on PATH");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (name, url) = rt
        .block_on(kinga_store_postgres::scratch::create(&admin))
        .unwrap();
    let (copy_name, copy_url) = rt
        .block_on(kinga_store_postgres::scratch::create(&admin))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let pg = |args: &[&str], db: &str| {
        kinga()
            .args(args)
            .args(["--database", db, "--data-dir", s(&d)])
            .env_remove("KINGA_VAULT_DIR")
            .env_remove("KINGA_KEY_PASSPHRASE")
            .output()
            .unwrap()
    };
    ok(&pg(
        &[
            "org",
            "add",
            "--slug",
            "alpha",
            "--name",
            "Alpha",
            "--country",
            "CAF",
        ],
        &url,
    ));
    let key = dir.path().join("desk-backup.key");
    ok(&kb(&["backup", "keygen", "--out", s(&key)], None, b""));
    let archive = dir.path().join("pg.kbak");
    let out = ok(&pg(
        &[
            "backup",
            "--out",
            s(&archive),
            "--to",
            s(&dir.path().join("desk-backup.key.pub")),
        ],
        &url,
    ));
    assert!(out.contains("the postgres database"), "{out}");
    let restored = dir.path().join("restored");
    let out = ok(&k(
        &["restore", s(&archive), "--key", s(&key)],
        &restored,
        None,
        b"",
    ));
    assert!(out.contains("pg_restore"), "{out}");
    let o = Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", &copy_url])
        .arg(restored.join("postgres.dump"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = pg(&["verify"], &copy_url);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("intact"), "{}", stdout(&o));
    let o = pg(&["org", "list", "--format", "json"], &copy_url);
    assert!(stdout(&o).contains("alpha"), "{}", stdout(&o));
    for n in [name, copy_name] {
        rt.block_on(kinga_store_postgres::scratch::drop(&admin, &n))
            .unwrap();
    }
}

#[test]
fn a_postgresql_backup_without_pg_dump_is_refused_pointing_to_the_procedure() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("desk-backup.key");
    ok(&kb(&["backup", "keygen", "--out", s(&key)], None, b""));
    let out = dir.path().join("pg.kbak");
    let o = kinga()
        .args([
            "backup",
            "--database",
            "postgres://kinga:secret@127.0.0.1:1/kinga",
        ])
        .args(["--data-dir", s(&dir.path().join("data")), "--out", s(&out)])
        .args(["--to", s(&dir.path().join("desk-backup.key.pub"))])
        .env("KINGA_PG_DUMP", dir.path().join("no-such-pg_dump"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pg_dump") && stderr(&o).contains("docs/backup.md"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("secret"), "{}", stderr(&o));
    assert!(!out.exists(), "no archive");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        left.iter()
            .all(|n| !n.to_string_lossy().contains("partial")),
        "no partial archive: {left:?}"
    );
}
