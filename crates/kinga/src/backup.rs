//! Backups and restores (decision 0010): the database snapshot first, then every sealed blob,
//! into one archive encrypted to a backup key or a passphrase; a restore into an empty data
//! directory that checks every member against the manifest. `kinga backup`, `kinga restore`
//! and the scheduled backups of `kinga serve` all run this code.
use crate::cli::Db;
use crate::database::{Backend, DbSettings};
use crate::Failure;
use indicatif::ProgressBar;
use kinga_vault::backup::{
    self, ArchiveWriter, BackupPublicKey, BackupSecretKey, Manifest, Opener, Recipient, Sink,
};
use kinga_vault::{KdfParams, VaultError};
use rand::RngCore;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The environment variable a backup passphrase may come from.
pub const PASSPHRASE_VAR: &str = "KINGA_BACKUP_PASSPHRASE";
const MIN_PASSPHRASE: usize = 12;
const DATABASE_MEMBER: &str = "kinga.db";
const DUMP_MEMBER: &str = "postgres.dump";
const VAULT_PREFIX: &str = "vault/";
pub const SCHEDULED_PREFIX: &str = "kinga-backup-";
pub const SUFFIX: &str = ".kbak";

/// Whom a new backup is encrypted to.
pub enum Destination {
    Key(BackupPublicKey),
    Passphrase(String),
}

impl Destination {
    pub fn describe(&self) -> String {
        match self {
            Destination::Key(k) => format!("encrypted to backup key {}", k.id()),
            Destination::Passphrase(_) => "encrypted with the backup passphrase".into(),
        }
    }
}

pub fn read_public_key(path: &Path) -> Result<BackupPublicKey, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    BackupPublicKey::from_text(&text)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

pub fn read_secret_key(path: &Path) -> Result<BackupSecretKey, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    BackupSecretKey::from_text(&text)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

pub fn check_new_passphrase(p: &str) -> Result<(), Failure> {
    if p.chars().count() < MIN_PASSPHRASE {
        return Err(Failure::Input(format!(
            "the backup passphrase must have at least {MIN_PASSPHRASE} characters"
        )));
    }
    Ok(())
}

/// Writes `NAME` (the secret key, readable by its owner only) and `NAME.pub`. Refuses to
/// replace either: a lost backup secret key makes every backup made to it unreadable.
pub fn keygen(out: &Path) -> Result<(PathBuf, String), Failure> {
    let public_path = PathBuf::from(format!("{}.pub", out.display()));
    for p in [out, public_path.as_path()] {
        if p.exists() {
            return Err(Failure::Input(format!(
                "{}: already exists; choose another name (a lost backup key cannot be replaced)",
                p.display()
            )));
        }
    }
    let secret = BackupSecretKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let write = |path: &Path, text: &str, options: &std::fs::OpenOptions| {
        let mut f = options
            .open(path)
            .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))
    };
    write(out, &secret.to_text(), &options)?;
    let mut public_options = std::fs::OpenOptions::new();
    public_options.write(true).create_new(true);
    write(&public_path, &secret.public().to_text(), &public_options)?;
    Ok((public_path, secret.public().id()))
}

/// What a backup wrote.
pub struct Made {
    pub path: PathBuf,
    pub bytes: u64,
    pub database: &'static str,
    pub blobs: usize,
    /// Files in the vault directory that are not blobs (their names could not be restored).
    pub skipped: Vec<String>,
}

/// A file removed when dropped.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(&p);
        }
    }
}

fn random_hex() -> String {
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure::Other(format!("{}: {e}", path.display()))
}

fn vault_failure(file: &Path, e: VaultError) -> Failure {
    let m = format!("{}: {e}", file.display());
    match e {
        VaultError::BackupKey(_) => Failure::Input(m),
        VaultError::BackupDamaged(_) => Failure::Broken(m),
        _ => Failure::Other(m),
    }
}

/// Writes one backup archive to `out` (which must not exist): the database (an SQLite
/// snapshot, or `pg_dump` of PostgreSQL), then every blob of the vault directory. The archive
/// is written beside `out` under a temporary name, synced, and renamed into place, so a failed
/// backup leaves no partial file behind.
pub fn make(db: &Db, out: &Path, to: &Destination, bar: &ProgressBar) -> Result<Made, Failure> {
    let settings =
        DbSettings::new(db.data_dir.clone(), db.database.as_deref()).map_err(Failure::Input)?;
    if out.exists() {
        return Err(Failure::Input(format!(
            "{}: already exists; a backup never replaces a file",
            out.display()
        )));
    }
    let vault = crate::commands::keys::vault_dir(db);
    let out_dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let (Ok(o), Ok(v)) = (out_dir.canonicalize(), vault.canonicalize()) {
        if o.starts_with(&v) {
            return Err(Failure::Input(format!(
                "{}: inside the evidence vault {}; write backups elsewhere",
                out.display(),
                vault.display()
            )));
        }
    }
    let name = out
        .file_name()
        .ok_or_else(|| Failure::Input(format!("{}: not a file name", out.display())))?;
    let partial_path = out_dir.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        random_hex()
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial_path)
        .map_err(|e| Failure::Input(format!("{}: {e}", out.display())))?;
    // Removes the temporary name on every path out, the successful one included.
    let _partial = Partial(Some(partial_path.clone()));
    let recipient = match to {
        Destination::Key(k) => Recipient::Key(k),
        Destination::Passphrase(p) => Recipient::Passphrase(p, KdfParams::default()),
    };
    let mut archive = ArchiveWriter::create(BufWriter::with_capacity(1 << 20, file), recipient)
        .map_err(|e| vault_failure(out, e))?;

    // The database first: every blob a row of the snapshot names was renamed into place before
    // that row committed, and blobs are never removed, so the vault read afterwards holds them.
    let database = match &settings.backend {
        Backend::Sqlite { path } => {
            sqlite_member(&mut archive, path, bar).map_err(|e| e.naming(out))?;
            "sqlite"
        }
        Backend::Postgres { url } => {
            postgres_member(&mut archive, url, bar).map_err(|e| e.naming(out))?;
            "postgres"
        }
    };

    let (files, skipped) = vault_files(&vault)?;
    let total: u64 = files.iter().map(|f| f.2).sum();
    bar.set_length(total);
    bar.set_position(0);
    bar.set_message(format!("evidence vault {}", vault.display()));
    let mut blobs = 0;
    for (path, member, _) in &files {
        let mut f = match File::open(path) {
            Ok(f) => f,
            // An orphan blob (no record: a crash between rename and commit) is removed when its
            // content arrives again; one gone since the listing was not in the snapshot.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Failure::Other(format!("{}: {e}", path.display()))),
        };
        archive
            .add(member, &mut f, &mut |n| bar.inc(n))
            .map_err(|e| vault_failure(out, e))?;
        blobs += 1;
    }
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (writer, _) = archive
        .finish(&created, database)
        .map_err(|e| vault_failure(out, e))?;
    let file = writer
        .into_inner()
        .map_err(|e| Failure::Other(format!("{}: {}", out.display(), e.error())))?;
    file.sync_all().map_err(io_err(out))?;
    let bytes = file.metadata().map_err(io_err(out))?.len();
    drop(file);
    // No replacing a file that appeared meanwhile: link where the platform allows it.
    std::fs::hard_link(&partial_path, out)
        .or_else(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Err(e)
            } else {
                std::fs::rename(&partial_path, out)
            }
        })
        .map_err(|e| Failure::Other(format!("{}: {e}", out.display())))?;
    if let Ok(d) = File::open(out_dir) {
        let _ = d.sync_all();
    }
    Ok(Made {
        path: out.to_path_buf(),
        bytes,
        database,
        blobs,
        skipped,
    })
}

/// An error from reading the database side, before the archive's name is known to it.
enum Side {
    Input(String),
    Other(String),
    Archive(VaultError),
}

impl Side {
    fn naming(self, out: &Path) -> Failure {
        match self {
            Side::Input(m) => Failure::Input(m),
            Side::Other(m) => Failure::Other(m),
            Side::Archive(e) => vault_failure(out, e),
        }
    }
}

fn sqlite_member<W: Write>(
    archive: &mut ArchiveWriter<W>,
    path: &Path,
    bar: &ProgressBar,
) -> Result<(), Side> {
    // The snapshot holds everything in clear: it is made beside the live database, which
    // holds the same in clear, never in a shared temporary directory, and removed at once.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let snap = dir.join(format!(".kinga-backup-{}.db", random_hex()));
    let _cleanup = Partial(Some(snap.clone()));
    let _journal = Partial(Some(PathBuf::from(format!("{}-journal", snap.display()))));
    bar.set_message(format!("snapshot of {}", path.display()));
    crate::database::snapshot_sqlite(path, &snap).map_err(Side::Input)?;
    let size = std::fs::metadata(&snap)
        .map_err(|e| Side::Other(format!("{}: {e}", snap.display())))?
        .len();
    bar.set_length(size);
    bar.set_message(format!("database {}", path.display()));
    let mut f = File::open(&snap).map_err(|e| Side::Other(format!("{}: {e}", snap.display())))?;
    archive
        .add(DATABASE_MEMBER, &mut f, &mut |n| bar.inc(n))
        .map_err(Side::Archive)?;
    Ok(())
}

/// The URL without its password, and the password (for PGPASSWORD: an argument would show in
/// process lists).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_string(), None);
    };
    let Some((user, password)) = rest[..at].split_once(':') else {
        return (url.to_string(), None);
    };
    (
        format!("{}{user}{}", &url[..scheme_end + 3], &rest[at..]),
        Some(percent_decode(password)),
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn postgres_member<W: Write>(
    archive: &mut ArchiveWriter<W>,
    url: &str,
    bar: &ProgressBar,
) -> Result<(), Side> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new(std::env::var_os("KINGA_PG_DUMP").unwrap_or("pg_dump".into()));
    // One consistent snapshot of the whole database, as pg_restore reads it.
    cmd.args(["--format=custom", "--no-owner", "--dbname"])
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let mut child = cmd.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Side::Input(
                "a backup of a PostgreSQL database runs pg_dump, which was not found on PATH: install the PostgreSQL client of the server's major version, or follow the procedure in docs/backup.md (PostgreSQL) with the server's own tools".into(),
            )
        } else {
            Side::Other(format!("pg_dump: {e}"))
        }
    })?;
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    bar.set_message("pg_dump");
    let mut stdout = child.stdout.take().expect("piped");
    let added = archive.add(DUMP_MEMBER, &mut stdout, &mut |n| bar.inc(n));
    drop(stdout);
    let status = child
        .wait()
        .map_err(|e| Side::Other(format!("pg_dump: {e}")))?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(Side::Input(format!(
            "pg_dump failed ({status}): {}",
            errors.trim()
        )));
    }
    added.map_err(Side::Archive)?;
    Ok(())
}

/// The vault's blobs as (path, member name, size), sorted; intake's temporary files (`tmp/`)
/// are skipped: they are not evidence until renamed onto their address; so are the empty lock
/// files intake holds while it places and records a blob (`locks/`).
type Listing = (Vec<(PathBuf, String, u64)>, Vec<String>);

fn vault_files(vault: &Path) -> Result<Listing, Failure> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    if !vault.exists() {
        return Ok((files, skipped));
    }
    let mut stack = vec![(vault.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(io_err(&dir))?;
        for entry in entries {
            let entry = entry.map_err(io_err(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let member_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(io_err(&path))?;
            if kind.is_dir() {
                if name != "tmp" && name != "locks" {
                    stack.push((path, member_rel));
                }
            } else if kind.is_file() {
                let member = format!("{VAULT_PREFIX}{member_rel}");
                if name.starts_with('.') || backup::check_member_name(&member).is_err() {
                    skipped.push(path.display().to_string());
                    continue;
                }
                let size = entry.metadata().map_err(io_err(&path))?.len();
                files.push((path, member, size));
            }
        }
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok((files, skipped))
}

/// What a restore wrote.
pub struct Restored {
    pub manifest: Manifest,
    pub blobs: usize,
}

/// Restores `file` into the data directory of `db` (and its vault directory), which must be
/// empty or absent. Anything written is removed again if any check fails.
pub fn restore(
    file: &Path,
    db: &Db,
    key: Opener<'_>,
    bar: &ProgressBar,
) -> Result<Restored, Failure> {
    if db.database.is_some() {
        return Err(Failure::Input(
            "restore writes files into --data-dir; a PostgreSQL backup's dump is restored with pg_restore (docs/backup.md), so --database is not used here".into(),
        ));
    }
    let data = db.data_dir.clone();
    let vault = crate::commands::keys::vault_dir(db);
    let mut created = Vec::new();
    for dir in [&data, &vault] {
        if created.iter().any(|c: &PathBuf| dir.starts_with(c)) {
            continue;
        }
        match std::fs::read_dir(dir) {
            Ok(mut entries) => {
                if let Some(first) = entries.next() {
                    let first = first.map_err(io_err(dir))?.file_name();
                    return Err(Failure::Input(format!(
                        "{} is not empty (it holds {}, …): restore only into an empty or new directory, so that nothing there is overwritten or mixed with the backup",
                        dir.display(),
                        first.to_string_lossy()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(io_err(dir))?;
                created.push(dir.clone());
            }
            Err(e) => return Err(Failure::Input(format!("{}: {e}", dir.display()))),
        }
    }
    // The vault directory exists after a restore even with no blob in it, as after `kinga init`.
    std::fs::create_dir_all(&vault).map_err(io_err(&vault))?;
    let input = match File::open(file) {
        Ok(f) => f,
        Err(e) => {
            for dir in created {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return Err(Failure::Input(format!("{}: {e}", file.display())));
        }
    };
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    bar.set_length(size);
    let input = std::io::BufReader::with_capacity(1 << 20, bar.wrap_read(input));
    let mut sink = Files {
        data: data.clone(),
        vault: vault.clone(),
        dirs: Vec::new(),
        blobs: 0,
    };
    let outcome = backup::extract(input, key, &mut sink).and_then(|m| {
        for d in sink.dirs.iter().chain([&data, &vault]) {
            File::open(d)
                .and_then(|f| f.sync_all())
                .map_err(|e| VaultError::Io {
                    path: d.clone(),
                    source: e,
                })?;
        }
        Ok(m)
    });
    match outcome {
        Ok(manifest) => Ok(Restored {
            manifest,
            blobs: sink.blobs,
        }),
        Err(e) => {
            // Back to what was there: nothing (both directories were empty or absent).
            for dir in [&data, &vault] {
                empty(dir);
            }
            for dir in created {
                let _ = std::fs::remove_dir(&dir);
            }
            Err(vault_failure(file, e))
        }
    }
}

fn empty(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let _ = if p.is_dir() && !p.is_symlink() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}

/// Puts each member in its place: the database in the data directory, blobs in the vault.
struct Files {
    data: PathBuf,
    vault: PathBuf,
    dirs: Vec<PathBuf>,
    blobs: usize,
}

impl Sink for Files {
    fn create(&mut self, name: &str) -> kinga_vault::Result<Box<dyn Write>> {
        let path = if name == DATABASE_MEMBER || name == DUMP_MEMBER {
            self.data.join(name)
        } else if let Some(rest) = name.strip_prefix(VAULT_PREFIX) {
            self.blobs += 1;
            self.vault.join(rest)
        } else {
            return Err(VaultError::BackupDamaged(format!(
                "member {name} belongs neither to the database nor to the vault"
            )));
        };
        if let Some(parent) = path.parent() {
            if !parent.exists() {
                std::fs::create_dir_all(parent).map_err(|e| VaultError::Io {
                    path: parent.to_path_buf(),
                    source: e,
                })?;
                self.dirs.push(parent.to_path_buf());
            }
        }
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| VaultError::Io {
                path: path.clone(),
                source: e,
            })?;
        Ok(Box::new(Member(BufWriter::with_capacity(1 << 20, f))))
    }

    fn finish(&mut self, name: &str, writer: Box<dyn Write>) -> kinga_vault::Result<()> {
        let mut writer = writer;
        writer.flush().map_err(|e| VaultError::Io {
            path: name.into(),
            source: e,
        })
    }
}

/// A restored file; flushing it also syncs it to the disk.
struct Member(BufWriter<File>);

impl Write for Member {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()?;
        self.0.get_ref().sync_all()
    }
}

/// `24h`, `90m`, `30s`, `7d`: how often `serve` takes a backup.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("'{s}': give a unit, as in 24h, 90m, 30s or 7d"))?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{s}': expected a number then a unit, as in 24h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(format!("'{s}': unit '{unit}' is not one of s, m, h, d")),
    };
    if secs == 0 {
        return Err(format!("'{s}': the interval must be longer than zero"));
    }
    Ok(Duration::from_secs(secs))
}

/// Background backups for `kinga serve`: one every `every` into `dir`, named by the time they
/// were taken, keeping the newest `keep`. Each outcome is logged; a failure is logged and the
/// next attempt comes at the next interval.
pub fn schedule(db: Db, every: Duration, dir: PathBuf, keep: usize, to: Destination) {
    let to = std::sync::Arc::new(to);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (db, dir, to) = (db.clone(), dir.clone(), to.clone());
            let outcome = tokio::task::spawn_blocking(move || scheduled_once(&db, &dir, keep, &to))
                .await
                .unwrap_or_else(|e| Err(Failure::Other(format!("backup task: {e}"))));
            match outcome {
                Ok((made, removed)) => tracing::info!(
                    "backup written: {} ({} bytes, {} database and {} evidence blob(s)); {} older backup(s) removed",
                    made.path.display(),
                    made.bytes,
                    made.database,
                    made.blobs,
                    removed
                ),
                Err(e) => tracing::error!("scheduled backup failed: {e}"),
            }
        }
    });
}

fn scheduled_once(
    db: &Db,
    dir: &Path,
    keep: usize,
    to: &Destination,
) -> Result<(Made, usize), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::Other(format!("{}: {e}", dir.display())))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut out = dir.join(format!("{SCHEDULED_PREFIX}{stamp}{SUFFIX}"));
    let mut n = 1;
    while out.exists() {
        n += 1;
        out = dir.join(format!("{SCHEDULED_PREFIX}{stamp}-{n}{SUFFIX}"));
    }
    let made = make(db, &out, to, &ProgressBar::hidden())?;
    for skipped in &made.skipped {
        tracing::warn!("backup: {skipped} is not a blob; left out");
    }
    Ok((made, prune(dir, keep)))
}

/// Removes the oldest scheduled backups beyond `keep` (names sort by time). Files named
/// otherwise are not touched.
fn prune(dir: &Path, keep: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut ours: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(SCHEDULED_PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    ours.sort();
    let excess = ours.len().saturating_sub(keep.max(1));
    let mut removed = 0;
    for p in ours.into_iter().take(excess) {
        match std::fs::remove_file(&p) {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!("backup: cannot remove {}: {e}", p.display()),
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_passwords() {
        assert_eq!(parse_interval("24h"), Ok(Duration::from_secs(86400)));
        assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
        assert!(parse_interval("24").is_err());
        assert!(parse_interval("0h").is_err());
        assert!(parse_interval("3w").is_err());
        assert_eq!(
            split_password("postgres://kinga:s%40cret@db:5432/kinga?sslmode=require"),
            (
                "postgres://kinga@db:5432/kinga?sslmode=require".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://db/kinga"),
            ("postgres://db/kinga".to_string(), None)
        );
    }
}
