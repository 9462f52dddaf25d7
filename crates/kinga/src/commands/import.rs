//! `kinga import`: published event data (UCDP GED and Candidate, ACLED, GDELT, mapped CSV)
//! into Kinga's events, with a progress bar, a quarantine file and a summary.
use crate::cli::Db;
use crate::Failure;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use kinga_app::events::{ImportError, ImportOptions, Summary};
use kinga_ingest::events::{self, Format, Mapping};
use kinga_ingest::IngestError;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: Db,
    /// The file to import (GDELT files may be zipped).
    pub file: PathBuf,
    /// Check every row and write the quarantine file, but store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where rejected rows go, with their line and reason [default: FILE.rejected.csv].
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
    /// The organisation importing. Required for ACLED, whose rows only that organisation may
    /// see (ACLED's terms); other datasets are shared by every organisation.
    #[arg(long)]
    pub org: Option<String>,
    /// Events per transaction. Larger batches write each index page they touch fewer times;
    /// each batch is committed durably before it is counted.
    #[arg(long, default_value_t = 50_000)]
    pub batch: usize,
}

#[derive(Subcommand)]
pub enum ImportSource {
    /// UCDP Georeferenced Event Dataset CSV (any GED release).
    #[command(after_help = "Example:\n  kinga import ucdp GEDEvent_v23_1.csv --dry-run")]
    Ucdp(ImportArgs),
    /// UCDP Candidate events CSV (monthly releases, GED columns).
    #[command(after_help = "Example:\n  kinga import ucdp-candidate GEDEvent_v24_0_3.csv")]
    UcdpCandidate(ImportArgs),
    /// An ACLED export downloaded with your own key (kept for your organisation only).
    #[command(after_help = "Example:\n  kinga import acled acled_export.csv --org my-org")]
    Acled(ImportArgs),
    /// A GDELT 1.0 or 2.0 event export (tab-separated, optionally zipped). GDELT counts news
    /// reports, not events: it is stored as a separate signal.
    #[command(after_help = "Example:\n  kinga import gdelt 20131205.export.CSV.zip")]
    Gdelt(ImportArgs),
    /// UCDP GED rows as incidents owned by an organisation (documentation records rather
    /// than events; the demo and the incident-list benchmark use it).
    #[command(
        after_help = "Example:\n  kinga import ucdp-incidents GEDEvent_v23_1.csv --org irri --visibility public"
    )]
    UcdpIncidents {
        #[command(flatten)]
        db: Db,
        file: PathBuf,
        /// Organisation that owns the imported incidents.
        #[arg(long)]
        org: String,
        #[arg(long, default_value = "public")]
        visibility: String,
    },
    /// Any CSV, with a mapping file naming the column of each event field.
    #[command(
        after_help = "Mapping file (one `field = column` per line):\n  dataset = sudan-monitor\n  delimiter = ;\n  date_format = %d/%m/%Y\n  external_id = ID\n  date_start = Date\n  country = Country\n  fatalities_best = Killed\n\nExample:\n  kinga import csv incidents.csv --mapping incidents.mapping"
    )]
    Csv {
        #[command(flatten)]
        args: ImportArgs,
        /// The mapping file.
        #[arg(long)]
        mapping: PathBuf,
    },
}

fn unreadable(e: IngestError) -> Failure {
    Failure::Input(e.to_string())
}

fn failed(e: ImportError) -> Failure {
    match e {
        ImportError::Store(s) => s.into(),
        ImportError::Read(e) => unreadable(e),
    }
}

/// GED rows as incidents: every row is checked first, so a bad file writes nothing.
async fn ucdp_incidents(db: &Db, file: &Path, org: &str, visibility: &str) -> Result<(), Failure> {
    let visibility: kinga_domain::Visibility = visibility
        .parse()
        .map_err(|e| Failure::Input(format!("--visibility: {e}")))?;
    let slug =
        kinga_domain::org::Slug::parse(org).map_err(|e| Failure::Input(format!("--org: {e}")))?;
    let open =
        || kinga_ingest::ucdp::GedReader::open(file).map_err(|e| Failure::Input(e.to_string()));
    let mut events = 0u64;
    for event in open()? {
        event.map_err(|e| Failure::Input(e.to_string()))?;
        events += 1;
    }
    let system = super::system(db, "import-ucdp").await?;
    let owner = system
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.slug == slug)
        .ok_or_else(|| Failure::Input(format!("--org: no organisation '{slug}'")))?;
    let quarantine = events::quarantine::Quarantine::default_path(file);
    let (outcome, rejected) =
        crate::demo::import_events(&system, &owner, open()?, visibility, events, &quarantine)
            .await?;
    println!(
        "{}: {} incidents imported, {} already present",
        file.display(),
        outcome.created,
        outcome.already_present
    );
    if let Some(q) = rejected {
        println!("rejected rows: {q}");
    }
    Ok(())
}

pub async fn run(source: ImportSource) -> Result<(), Failure> {
    let (format, args) = match source {
        ImportSource::UcdpIncidents {
            db,
            file,
            org,
            visibility,
        } => return ucdp_incidents(&db, &file, &org, &visibility).await,
        ImportSource::Ucdp(a) => (Format::UcdpGed, a),
        ImportSource::UcdpCandidate(a) => (Format::UcdpCandidate, a),
        ImportSource::Acled(a) => (Format::Acled, a),
        ImportSource::Gdelt(a) => (Format::Gdelt, a),
        ImportSource::Csv { args, mapping } => (
            Format::Csv(Mapping::load(&mapping).map_err(unreadable)?),
            args,
        ),
    };
    let rows = events::open(&format, &args.file).map_err(unreadable)?;
    let system = super::system(&args.db, &format!("import-{}", format.name())).await?;
    let mut owner = None;
    if let Some(slug) = &args.org {
        let org = system
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.slug.as_str() == slug)
            .ok_or_else(|| Failure::Input(format!("--org: no organisation '{slug}'")))?;
        owner = Some(org);
    } else if format == Format::Acled && !args.dry_run {
        return Err(Failure::Input(
            "--org is required for ACLED: its rows stay with the organisation whose key downloaded them"
                .into(),
        ));
    }
    let options = ImportOptions {
        dry_run: args.dry_run,
        quarantine: args
            .quarantine
            .clone()
            .unwrap_or_else(|| events::quarantine::Quarantine::default_path(&args.file)),
        batch: args.batch.max(1),
    };
    let bar = progress_bar(&args.file);
    let summary = system
        .import_events(owner.as_ref(), rows, &options, &|n| bar.set_position(n))
        .await
        .map_err(failed)?;
    bar.finish_and_clear();
    println!("{}", describe(&args.file, &summary));
    Ok(())
}

fn progress_bar(file: &Path) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} rows ({per_sec}) {elapsed}")
            .expect("valid progress template"),
    );
    bar.set_message(format!("importing {}", file.display()));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

pub fn describe(file: &Path, s: &Summary) -> String {
    let mut out = if s.dry_run {
        format!(
            "{}: dry run, nothing stored: read {}, valid {}, rejected {}",
            file.display(),
            s.read,
            s.valid,
            s.rejected
        )
    } else {
        format!(
            "{}: read {}, new {}, updated {}, unchanged {}, rejected {}",
            file.display(),
            s.read,
            s.new,
            s.updated,
            s.unchanged,
            s.rejected
        )
    };
    if s.skipped > 0 {
        out.push_str(&format!(", skipped {} (not violence)", s.skipped));
    }
    if let Some(q) = &s.quarantine {
        out.push_str(&format!("\nrejected rows: {q}"));
    }
    out
}
