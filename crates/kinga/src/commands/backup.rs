//! `kinga backup`, `kinga backup keygen` and `kinga restore`: arguments and messages; the work
//! is in `crate::backup`.
use crate::backup::{self as work, Destination};
use crate::cli::Db;
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use kinga_vault::backup::Opener;
use std::path::{Path, PathBuf};

/// KINGA_BACKUP_PASSPHRASE, else the first line of standard input (never an argument: arguments
/// show in process lists).
fn passphrase(what: &str) -> Result<String, Failure> {
    if let Ok(p) = std::env::var(work::PASSPHRASE_VAR) {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    let mut line = String::new();
    if !stdin.is_terminal() {
        let _ = stdin.read_line(&mut line);
    }
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err(Failure::Input(format!(
            "{what}: give --{} or the backup passphrase in {} or on the first line of standard input",
            if what == "backup" { "to KEYFILE.pub" } else { "key KEYFILE" },
            work::PASSPHRASE_VAR
        )));
    }
    Ok(line)
}

/// The destination of `--to`, or a passphrase; shared with `serve --backup-every`.
pub fn destination(to: Option<&Path>, from_stdin: bool) -> Result<Destination, Failure> {
    match to {
        Some(path) => Ok(Destination::Key(work::read_public_key(path)?)),
        None => {
            let p = if from_stdin {
                passphrase("backup")?
            } else {
                std::env::var(work::PASSPHRASE_VAR)
                    .ok()
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| {
                        Failure::Input(format!(
                            "--backup-every: give --backup-to KEYFILE.pub or the backup passphrase in {}",
                            work::PASSPHRASE_VAR
                        ))
                    })?
            };
            work::check_new_passphrase(&p)?;
            Ok(Destination::Passphrase(p))
        }
    }
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bytes}/{total_bytes} ({bytes_per_sec}) {elapsed}")
            .expect("valid progress template"),
    );
    bar
}

pub async fn run(db: &Db, out: &Path, to: Option<&Path>) -> Result<(), Failure> {
    let to = destination(to, true)?;
    let (db, out_path) = (db.clone(), out.to_path_buf());
    let bar = bar();
    let shown = bar.clone();
    let made = tokio::task::spawn_blocking(move || {
        let made = work::make(&db, &out_path, &to, &shown);
        (made, to)
    })
    .await
    .map_err(|e| Failure::Other(format!("backup: {e}")))?;
    bar.finish_and_clear();
    let (made, to) = made;
    let made = made?;
    for s in &made.skipped {
        eprintln!("left out {s}: not a blob of the vault");
    }
    println!(
        "backup written: {} ({} bytes: the {} database and {} evidence blob(s), {})",
        made.path.display(),
        made.bytes,
        made.database,
        made.blobs,
        to.describe()
    );
    Ok(())
}

pub fn keygen(out: &Path) -> Result<(), Failure> {
    let (public, id) = work::keygen(out)?;
    println!(
        "backup key {id}: secret key in {} (keep it offline, away from this server; without it no backup made to it can be restored), public key in {} (give it to `kinga backup --to`)",
        out.display(),
        public.display()
    );
    Ok(())
}

enum Opens {
    Key(kinga_vault::backup::BackupSecretKey),
    Passphrase(String),
}

pub async fn restore(db: &Db, file: &Path, key: Option<&Path>) -> Result<(), Failure> {
    let opens = match key {
        Some(path) => Opens::Key(work::read_secret_key(path)?),
        None => Opens::Passphrase(passphrase("restore")?),
    };
    let (db2, file2): (Db, PathBuf) = (db.clone(), file.to_path_buf());
    let bar = bar();
    bar.set_message(format!("restoring {}", file.display()));
    let shown = bar.clone();
    let restored = tokio::task::spawn_blocking(move || {
        let opener = match &opens {
            Opens::Key(k) => Opener::Key(k),
            Opens::Passphrase(p) => Opener::Passphrase(p),
        };
        work::restore(&file2, &db2, opener, &shown)
    })
    .await
    .map_err(|e| Failure::Other(format!("restore: {e}")))?;
    bar.finish_and_clear();
    let restored = restored?;
    let m = &restored.manifest;
    println!(
        "restored {} into {}: {} member(s), {} bytes, every SHA-256 matches the manifest (backup of {}, {} database, {} evidence blob(s))",
        file.display(),
        db.data_dir.display(),
        m.members.len(),
        m.total_size(),
        m.created_at,
        m.database,
        restored.blobs
    );
    if m.database == "postgres" {
        println!(
            "the PostgreSQL dump is {}: load it into an empty database with `pg_restore --no-owner --dbname postgres://… {}` (docs/backup.md)",
            db.data_dir.join("postgres.dump").display(),
            db.data_dir.join("postgres.dump").display()
        );
    } else {
        println!("next: kinga verify --data-dir {}", db.data_dir.display());
    }
    Ok(())
}
