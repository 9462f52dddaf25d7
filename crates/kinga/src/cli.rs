use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kinga",
    version,
    about = "Field reports, incidents and their evidence for atrocity-prevention networks.",
    after_help = "Examples:\n  kinga serve --demo                      start with the demo network and UCDP data\n  kinga org add --slug kenya-hrc --name 'Kenya Human Rights Commission' --network r2p-africa\n  echo 'a long passphrase' | kinga user add --org kenya-hrc --role analyst --email a@khrc.or.ke\n  kinga verify --data-dir ./kinga-data"
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
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web interface and the /api/v1 JSON API.
    #[command(
        after_help = "Examples:\n  kinga serve --demo\n  kinga serve --listen 0.0.0.0:8080 --database postgres://kinga:secret@db/kinga"
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
        /// Mark cookies Secure: use when Kinga is served over HTTPS.
        #[arg(long)]
        secure_cookies: bool,
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
    /// Recompute the audit chain and check every record against it.
    #[command(
        after_help = "Exit status: 0 when intact, 1 naming the first broken entry.\n\nExample:\n  kinga verify --data-dir ./kinga-data"
    )]
    Verify {
        #[command(flatten)]
        db: Db,
    },
    /// Import an external dataset as incidents.
    Import {
        #[command(subcommand)]
        source: ImportSource,
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
        after_help = "Example:\n  TOKEN=$(kinga token create --email analyst@irri.org)\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/reports"
    )]
    Create {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
pub enum ImportSource {
    /// UCDP Georeferenced Event Dataset CSV (any version with the GED columns).
    #[command(
        after_help = "Example:\n  kinga import ucdp GEDEvent_v23_1.csv --org irri --visibility public"
    )]
    Ucdp {
        #[command(flatten)]
        db: Db,
        file: PathBuf,
        /// Organisation that owns the imported incidents.
        #[arg(long)]
        org: String,
        #[arg(long, default_value = "public")]
        visibility: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}
