use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kinga",
    version,
    about = "Field reports, incidents and their evidence for atrocity-prevention networks.",
    after_help = "Examples:\n  kinga serve --demo                      start with the demo network and UCDP data\n  kinga org add --slug kenya-hrc --name 'Kenya Human Rights Commission' --network r2p-africa\n  echo 'a long passphrase' | kinga user add --org kenya-hrc --role analyst --email a@khrc.or.ke\n  kinga verify --data-dir ./kinga-data\n  kinga import ucdp GEDEvent_v23_1.csv && kinga detect --level admin1 --period week\n  kinga export dossier --incident CAF-2013-000042 --out dossier.zip && kinga verify-bundle dossier.zip --key irri.pub\n  kinga backup --out kinga.kbak --to kinga-backup.key.pub && kinga restore kinga.kbak --key kinga-backup.key --data-dir ./restored"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone, Debug)]
pub struct Db {
    /// Directory of the embedded database (created if missing).
    #[arg(
        long,
        env = "KINGA_DATA_DIR",
        default_value = "./kinga-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// A postgres://… URL: use PostgreSQL instead of the embedded database.
    #[arg(long, env = "KINGA_DATABASE_URL", global = true)]
    pub database: Option<String>,
    /// Directory of the sealed evidence blobs [default: <data-dir>/vault].
    #[arg(long, env = "KINGA_VAULT_DIR", global = true)]
    pub vault_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web interface and the /api/v1 JSON API.
    #[command(
        after_help = "Examples:\n  kinga serve --demo\n  kinga serve --listen 0.0.0.0:8080 --database postgres://kinga:secret@db/kinga\n  kinga serve --backup-every 24h --backup-dir /backups --backup-keep 14 --backup-to kinga-backup.key.pub"
    )]
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Set up the demo network (the 17 signatories of the 2009 letter, one user per role) and
        /// import the UCDP GED v23.1 events of the Central African Republic as public incidents.
        #[arg(long)]
        demo: bool,
        /// Send cookies without the Secure mark, so that browsers also send them over plain HTTP
        /// to an address other than this machine (a LAN without TLS). By default cookies are
        /// Secure: browsers send them over HTTPS, and to http://127.0.0.1 or localhost.
        #[arg(long)]
        insecure_cookies: bool,
        #[command(flatten)]
        backups: BackupSchedule,
        /// Time-stamp the audit chain head this often (e.g. 24h, 6h) with the authority at
        /// --checkpoint-tsa, as `kinga evidence checkpoint` does; a head already time-stamped
        /// is not stamped again. Each outcome is logged on standard error.
        #[arg(long, value_name = "INTERVAL", value_parser = crate::backup::parse_interval, requires = "checkpoint_tsa")]
        checkpoint_every: Option<std::time::Duration>,
        /// The RFC 3161 time-stamp authority for scheduled checkpoints (http://…).
        #[arg(long, value_name = "URL", requires = "checkpoint_every")]
        checkpoint_tsa: Option<String>,
    },
    /// Back up the database and the evidence vault into one encrypted archive, while the server
    /// may go on writing; `kinga backup keygen` makes the key pair backups are encrypted to.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "The archive holds a consistent snapshot of the database (SQLite's online backup API, or pg_dump for PostgreSQL), then every sealed evidence blob, and a manifest of each member's size and SHA-256; it is encrypted as a whole to the backup public key given with --to, or else with a passphrase read from KINGA_BACKUP_PASSPHRASE or the first line of standard input. See docs/backup.md.\n\nExamples:\n  kinga backup keygen --out /secure/kinga-backup.key     # once; keep the secret key offline\n  kinga backup --out /backups/kinga-2026-12-07.kbak --to kinga-backup.key.pub\n  printf 'a long backup passphrase\\n' | kinga backup --out kinga.kbak\n  kinga backup --database postgres://kinga@db/kinga --out kinga.kbak --to kinga-backup.key.pub"
    )]
    Backup {
        #[command(subcommand)]
        action: Option<BackupAction>,
        #[command(flatten)]
        db: Db,
        /// The archive to write; an existing file is never replaced.
        #[arg(long, required = true, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The backup public key file (`kinga backup keygen`) to encrypt to. Without it, a
        /// passphrase encrypts the archive.
        #[arg(long, value_name = "KEYFILE.pub")]
        to: Option<PathBuf>,
    },
    /// Restore a backup archive into an empty (or new) data directory, checking every member
    /// against the archive's manifest; then `kinga verify` checks the restored data.
    #[command(
        after_help = "The directory given with --data-dir (and --vault-dir, if elsewhere) must be empty or absent: nothing is ever overwritten. If any check fails (a wrong key, a truncated or altered archive, a member whose SHA-256 differs from the manifest) what was written is removed again and the failure is named.\nExit status: 0 restored; 1 the archive is damaged; 2 wrong key or passphrase, or a non-empty directory.\n\nExamples:\n  kinga restore /backups/kinga-2026-12-07.kbak --key /secure/kinga-backup.key --data-dir ./kinga-restored\n  printf 'a long backup passphrase\\n' | kinga restore kinga.kbak --data-dir ./kinga-restored\n  kinga verify --data-dir ./kinga-restored"
    )]
    Restore {
        /// The archive written by `kinga backup`.
        file: PathBuf,
        #[command(flatten)]
        db: Db,
        /// The backup secret key file, when the archive was encrypted to its public key.
        #[arg(long, value_name = "KEYFILE")]
        key: Option<PathBuf>,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        action: OrgAction,
    },
    /// Users (the password is read from standard input).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Set up the data directory: create and migrate the database, make the evidence vault
    /// directory and, with --org, create that organisation's keys if it has none.
    #[command(
        after_help = "The key passphrase is read from KINGA_KEY_PASSPHRASE or the first line of standard input.\n\nExample:\n  kinga init --data-dir ./kinga-data\n  printf 'a long key passphrase\\n' | kinga init --org irri"
    )]
    Init {
        #[command(flatten)]
        db: Db,
        /// An existing organisation whose keys to create.
        #[arg(long)]
        org: Option<String>,
    },
    /// Recompute the audit chain and check every record against it.
    #[command(
        after_help = "Exit status: 0 when intact, 1 naming the first broken entry (or a checkpoint whose TSA certificate is not trusted).\n\nExamples:\n  kinga verify --data-dir ./kinga-data\n  kinga verify --data-dir ./kinga-data --tsa-cert tsa-ca.pem"
    )]
    Verify {
        #[command(flatten)]
        db: Db,
        /// Trusted certificate(s) of the time-stamp authority, PEM: the TSA's own certificate or
        /// the CA that issued it. Each checkpoint's token must be signed by a certificate that is
        /// one of them or issued by one, valid at the token's time, for time-stamping. Without
        /// it the TSA certificate's fingerprint is printed, unchecked.
        #[arg(long, env = "KINGA_TSA_CERT", value_name = "FILE.pem")]
        tsa_cert: Option<PathBuf>,
    },
    /// Statistical forecast of mass-killing onset (elastic-net logistic regression, the Early
    /// Warning Project's method): fit, forecast, backtest.
    Risk {
        #[command(subcommand)]
        action: crate::commands::risk::RiskAction,
    },
    /// Alerts and responses: raise an alert from a file, list, acknowledge, escalate and close
    /// alerts, and record the responses that answer them.
    #[command(
        after_help = "Examples:\n  kinga alert raise --org kenya-hrc --file alert.json\n  kinga alert list --status raised --country CAF --format json\n  kinga alert ack ALERT-ID && kinga alert escalate ALERT-ID\n  kinga alert respond ALERT-ID --actor-kind au_psc --actor 'AU PSC' --kind statement --date 2026-12-05 --pillar 3\n  kinga alert close ALERT-ID"
    )]
    Alert {
        #[command(subcommand)]
        action: crate::commands::alert::AlertAction,
    },
    /// UN Framework of Analysis assessments: list them, export a country's.
    Assessment {
        #[command(subcommand)]
        action: crate::commands::assessment::AssessmentAction,
    },
    /// Escalation signals: run the detectors over the imported events, store and list the
    /// signals; `backtest` measures lead times and false alarms against known onsets.
    #[command(
        after_help = "Examples:\n  kinga detect --level admin1 --period week --from 2013-01-01 --format csv\n  kinga detect backtest --onsets onsets.csv --level country --period month"
    )]
    Detect(crate::commands::detect::DetectCommand),
    /// Benchmark inputs: `gen-events` resamples real GED rows into a large file.
    Bench {
        #[command(subcommand)]
        what: crate::commands::bench::BenchCommand,
    },
    /// Import published event data (UCDP, ACLED, GDELT, mapped CSV) as events.
    #[command(
        after_help = "Exit status: 0 with the summary (read, new, updated, rejected) on stdout; 2 when the file cannot be read or its header lacks columns. Rejected rows alone do not fail an import: they go to the quarantine file with their line and reason."
    )]
    Import {
        #[command(subcommand)]
        source: crate::commands::import::ImportSource,
    },
    /// Incidents: the events (dataset rows) an incident cites.
    #[command(
        after_help = "Examples:\n  kinga incident cite --incident CAF-2013-000042 --event ucdp-ged:36210\n  kinga incident cite --incident CAF-2013-000042 --list"
    )]
    Incident {
        #[command(subcommand)]
        action: crate::commands::incident::IncidentAction,
    },
    /// Evidence: sealed originals attached to incidents and reports.
    Evidence {
        #[command(subcommand)]
        action: EvidenceAction,
    },
    /// Exports: signed legal dossiers.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Organisation keys: creation, public key file, recovery shares, rotation.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Check a signed dossier offline: every file's SHA-256 and size, the manifest signature,
    /// each item's custody chain, the RFC 3161 time-stamp if present, and that nothing was added.
    #[command(
        after_help = "Needs nothing but the zip and the organisation's public key file; no network, no database.\nExit status: 0 when every check passes, 1 naming each failure, 2 when the key file or the TSA certificate file is unreadable.\n\nExamples:\n  kinga keys export-public --org kenya-hrc --out kenya-hrc.pub\n  kinga verify-bundle dossier.zip --key kenya-hrc.pub\n  kinga verify-bundle dossier.zip --key kenya-hrc.pub --tsa-cert tsa-ca.pem"
    )]
    VerifyBundle {
        /// The dossier zip made by `kinga export dossier`.
        file: PathBuf,
        /// The organisation's public key file (`kinga keys export-public`).
        #[arg(long)]
        key: PathBuf,
        /// Trusted certificate(s) of the time-stamp authority, PEM: the TSA's own certificate or
        /// the CA that issued it. The token's signer must be one of them or issued by one, valid
        /// at the token's time, for time-stamping. Without it the TSA certificate's fingerprint
        /// is printed, unchecked.
        #[arg(long, env = "KINGA_TSA_CERT", value_name = "FILE.pem")]
        tsa_cert: Option<PathBuf>,
    },
}

/// Backups taken by the server itself, on a timer.
#[derive(Args, Clone, Debug)]
pub struct BackupSchedule {
    /// Take a backup this often, in the background (e.g. 24h, 6h, 30m, 7d); the same archive as
    /// `kinga backup`. Each outcome is logged on standard error.
    #[arg(long, value_name = "INTERVAL", value_parser = crate::backup::parse_interval, requires = "backup_dir")]
    pub backup_every: Option<std::time::Duration>,
    /// Where scheduled backups go, named kinga-backup-<UTC time>.kbak.
    #[arg(long, value_name = "DIR", requires = "backup_every")]
    pub backup_dir: Option<PathBuf>,
    /// How many scheduled backups to keep; older ones in --backup-dir are removed.
    #[arg(long, default_value_t = 7, value_name = "N")]
    pub backup_keep: usize,
    /// The backup public key file to encrypt to; without it, KINGA_BACKUP_PASSPHRASE.
    #[arg(long, value_name = "KEYFILE.pub", requires = "backup_every")]
    pub backup_to: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum BackupAction {
    /// Make a backup key pair: FILE (the secret key, kept offline) and FILE.pub.
    #[command(after_help = "Example:\n  kinga backup keygen --out /secure/kinga-backup.key")]
    Keygen {
        /// The secret key file to write; the public key goes to FILE.pub.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum EvidenceAction {
    /// Time-stamp the audit chain head with an RFC 3161 authority and keep the token; `kinga
    /// verify` then proves the chain up to that entry existed at that time.
    #[command(after_help = "Example:\n  kinga evidence checkpoint --tsa http://tsa.example.org/")]
    Checkpoint {
        #[command(flatten)]
        db: Db,
        /// The RFC 3161 time-stamp authority (http://…).
        #[arg(long, env = "KINGA_TSA_URL")]
        tsa: String,
    },
    /// Print an item's custody chain, oldest entry first.
    #[command(after_help = "Example:\n  kinga evidence log 0193…")]
    Log {
        #[command(flatten)]
        db: Db,
        /// The evidence id printed by `kinga evidence add`.
        id: String,
    },
    /// Re-hash one item's sealed file (and, with the passphrase, its content) and record the
    /// outcome in its custody chain. Exit 1 when it does not match.
    #[command(after_help = "Example:\n  KINGA_KEY_PASSPHRASE=… kinga evidence verify 0193…")]
    Verify {
        #[command(flatten)]
        db: Db,
        id: String,
    },
    /// Record that the item went to someone outside the vault (a court, a mechanism).
    #[command(
        after_help = "Example:\n  kinga evidence transfer 0193… --to 'ICC Office of the Prosecutor' --how 'encrypted drive, receipt 2026-114'"
    )]
    Transfer {
        #[command(flatten)]
        db: Db,
        id: String,
        /// To whom.
        #[arg(long)]
        to: String,
        /// How (medium, receipt number, courier).
        #[arg(long)]
        how: Option<String>,
    },
    /// Record a request to delete the item. Sealed originals are never altered: the request
    /// stays in the custody chain for the legal officers to decide on.
    #[command(
        after_help = "Example:\n  kinga evidence request-deletion 0193… --reason 'the witness withdrew consent'"
    )]
    RequestDeletion {
        #[command(flatten)]
        db: Db,
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Make a working copy of an image (JPEG or PNG): a thumbnail, or a copy with regions
    /// blurred beyond recognition for publication. The sealed original is never altered; the
    /// copy is sealed beside it with its lineage (from which hash, by whom, how) and a `derive`
    /// entry in the custody chain. Prints the copy's id and SHA-256.
    #[command(
        after_help = "The organisation's passphrase is read from KINGA_KEY_PASSPHRASE or the first line of standard input.\nRegions are X,Y,W,H in pixels of the image as stored (EXIF rotation not applied), or, written with a decimal point, fractions of its width and height.\n\nExamples:\n  kinga evidence derive 0193… --thumbnail\n  kinga evidence derive 0193… --thumbnail --size 640\n  kinga evidence derive 0193… --blur 120,80,200,240 --blur 600,90,180,220 --out for-publication.jpg\n  kinga evidence derive 0193… --blur 0.25,0.1,0.5,0.3"
    )]
    Derive {
        #[command(flatten)]
        db: Db,
        /// The evidence id printed by `kinga evidence add`.
        id: String,
        /// A JPEG thumbnail whose longer side is --size pixels (smaller images keep their size).
        #[arg(long, conflicts_with = "blur", required_unless_present = "blur")]
        thumbnail: bool,
        /// The thumbnail's longer side, in pixels (16 to 2048).
        #[arg(long, default_value_t = 320, value_name = "PX")]
        size: u32,
        /// A region to blur; repeat the option for several regions.
        #[arg(long, value_name = "X,Y,W,H", value_parser = parse_region)]
        blur: Vec<kinga_vault::Region>,
        /// Also write the copy to this file (recorded as a download in the custody chain).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Hash, seal and record a file; prints the new evidence id and its SHA-256.
    #[command(
        after_help = "Example:\n  kinga evidence add --incident 0193… photo.jpg\n  ssh field-laptop cat clip.mp4 | kinga evidence add --incident 0193… --expect-size 48211093 --name clip.mp4 -"
    )]
    Add {
        #[command(flatten)]
        db: Db,
        /// The incident's id or code (CAF-2013-000042).
        #[arg(long)]
        incident: Option<String>,
        #[arg(long)]
        report: Option<String>,
        /// public, network, organisation, restricted or sealed.
        #[arg(long, default_value = "restricted")]
        visibility: String,
        /// The size the sender announced: fewer or more bytes are refused, nothing is stored.
        #[arg(long)]
        expect_size: Option<u64>,
        /// The SHA-256 the sender announced: another hash is refused, nothing is stored.
        #[arg(long)]
        expect_sha256: Option<String>,
        /// File name to record when reading standard input.
        #[arg(long)]
        name: Option<String>,
        /// The file, or `-` for standard input.
        file: PathBuf,
    },
}

fn parse_region(s: &str) -> Result<kinga_vault::Region, String> {
    s.parse()
}

#[derive(Subcommand)]
pub enum ExportWhat {
    /// A signed zip of an incident's evidence for a court or a mechanism.
    #[command(
        after_help = "The organisation's passphrase is read from KINGA_KEY_PASSPHRASE or the first line of standard input.\n\nExample:\n  kinga export dossier --incident 0193… --out dossier.zip --tsa http://tsa.example.org/\n  kinga verify-bundle dossier.zip --key irri.pub"
    )]
    Dossier {
        #[command(flatten)]
        db: Db,
        /// The incident's id or code (CAF-2013-000042).
        #[arg(long)]
        incident: String,
        #[arg(long)]
        out: PathBuf,
        /// Metadata-stripped working copies instead of the sealed originals.
        #[arg(long)]
        working_copies: bool,
        /// Keep the capture metadata (GPS, device, time) in the manifest.
        #[arg(long)]
        with_metadata: bool,
        /// An RFC 3161 time-stamp authority (http://…): the manifest gets its token, proving
        /// the dossier existed at that time. If the authority fails, no dossier is written.
        #[arg(long, env = "KINGA_TSA_URL")]
        tsa: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// Create an organisation's keys (passphrase from KINGA_KEY_PASSPHRASE or standard input).
    #[command(
        after_help = "Example:\n  printf 'a long key passphrase\\n' | kinga keys init --org irri"
    )]
    Init {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        org: String,
    },
    /// Write the public key file that `kinga verify-bundle --key` needs.
    #[command(after_help = "Example:\n  kinga keys export-public --org irri --out irri.pub")]
    ExportPublic {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        org: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print k-of-n recovery shares as words, one per trustee.
    #[command(
        after_help = "Example:\n  KINGA_KEY_PASSPHRASE=… kinga keys split --org irri --shares 5 --threshold 3"
    )]
    Split {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        org: String,
        #[arg(long, default_value_t = 5)]
        shares: u8,
        #[arg(long, default_value_t = 3)]
        threshold: u8,
    },
    /// Rebuild the keys from shares on standard input; seal them under KINGA_KEY_PASSPHRASE.
    #[command(
        after_help = "Example:\n  cat share1.txt share3.txt share4.txt | KINGA_KEY_PASSPHRASE='new passphrase' kinga keys recover --org irri"
    )]
    Recover {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        org: String,
    },
    /// New keys; every data key is rewrapped, no evidence is re-encrypted.
    #[command(after_help = "Example:\n  KINGA_KEY_PASSPHRASE=… kinga keys rotate --org irri")]
    Rotate {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand)]
pub enum OrgAction {
    /// Add an organisation.
    #[command(
        after_help = "Example:\n  kinga org add --slug irri --name 'International Refugee Rights Initiative' --country UGA --network r2p-africa"
    )]
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// ISO 3166 country code of the organisation's seat.
        #[arg(long)]
        country: Option<String>,
        /// Network the organisation belongs to (repeatable); `network` records are shared in it.
        #[arg(long)]
        network: Vec<String>,
    },
    /// List organisations.
    List {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Add a user; the password is read from standard input (one line).
    #[command(
        after_help = "Example:\n  printf 'correct horse battery staple\\n' | kinga user add --org irri --role analyst --email analyst@irri.org"
    )]
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        org: String,
        /// monitor, analyst, coordinator, legal, admin or observer.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Subcommand)]
pub enum TokenAction {
    /// Create a bearer token for a user; prints the token alone on standard output.
    #[command(
        after_help = "Examples:\n  TOKEN=$(kinga token create --email analyst@irri.org)\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/reports\n  kinga token create --email admin@irri.org --days 7 --second-factor 123456"
    )]
    Create {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        email: String,
        /// Days until the token stops working (1 to 366).
        #[arg(long, default_value_t = kinga_app::DEFAULT_TOKEN_DAYS)]
        days: u32,
        /// A current code from the user's authenticator app. Without it, the token of a role
        /// that needs a second factor (administrator) works as a coordinator's.
        #[arg(long, value_name = "CODE")]
        second_factor: Option<String>,
    },
    /// Revoke one token of a user, or all of them; a revoked token answers 401 at once.
    #[command(
        after_help = "Examples:\n  kinga token revoke --email analyst@irri.org --token kt_…\n  kinga token revoke --email analyst@irri.org --all"
    )]
    Revoke {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        email: String,
        /// The token to revoke, in full.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        token: Option<String>,
        /// Revoke every token of the user.
        #[arg(long)]
        all: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}
