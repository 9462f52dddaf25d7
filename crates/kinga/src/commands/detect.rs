//! `kinga detect`: run the escalation detectors over the imported events, store the signals in
//! place of the last run of the same level and period, and list them; `kinga detect backtest`
//! replays history against a file of known onsets.
use crate::cli::Db;
use crate::Failure;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use kinga_analysis::escalation::{
    self as esc, BacktestReport, DetectorConfig, LevelConfigs, OnsetStatus, OnsetWindow,
    RegionSeries,
};
use kinga_app::records::{Signal, SignalFilter, SignalRun};
use kinga_app::System;
use kinga_domain::event::{Dataset, Level};
use kinga_domain::period::Period;
use std::path::{Path, PathBuf};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct DetectCommand {
    #[command(subcommand)]
    action: Option<DetectAction>,
    #[command(flatten)]
    db: Db,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum DetectAction {
    /// Replay the events period by period, using at each period only what was known at its end,
    /// and report for each onset the lead time of the first signal in its region (negative =
    /// late) and the false alarms per region-year outside every onset window.
    #[command(
        after_help = "The onset file has the header country,admin1,onset,label; admin1 may be \
        empty (the whole country), onset is a date (YYYY-MM-DD), country an ISO code or name.\n\n\
        Example:\n  kinga detect backtest --onsets docs/onsets/ucdp_ged_car_actor_onsets.csv --level admin1 --period week"
    )]
    Backtest(BacktestArgs),
}

#[derive(Args, Clone)]
struct Watch {
    /// Regions to watch: whole countries, or their first-level divisions.
    #[arg(long, value_enum, default_value = "admin1")]
    level: LevelArg,
    /// Length of one period of the time series.
    #[arg(long, value_enum, default_value = "week")]
    period: PeriodArg,
    /// What to count: events, or the best estimate of deaths.
    #[arg(long, value_enum, default_value = "events")]
    measure: MeasureArg,
    /// Only this dataset (ucdp-ged, acled, gdelt, …). Default: every event dataset except
    /// GDELT, which counts reports and is only watched when named.
    #[arg(long)]
    dataset: Option<String>,
    /// Detector settings (JSON, per level) overriding the defaults; see docs/escalation.md.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    watch: Watch,
    /// List only signals of periods starting on or after this date.
    #[arg(long)]
    from: Option<NaiveDate>,
    /// List only signals of periods starting on or before this date.
    #[arg(long)]
    to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "table")]
    format: ListFormat,
}

#[derive(Args)]
struct BacktestArgs {
    /// CSV of known onsets: country,admin1,onset,label.
    #[arg(long)]
    onsets: PathBuf,
    #[command(flatten)]
    watch: Watch,
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq)]
enum LevelArg {
    Country,
    Admin1,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq)]
enum PeriodArg {
    Week,
    Month,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq)]
enum MeasureArg {
    Events,
    Fatalities,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq)]
enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(ValueEnum, Clone, Copy, PartialEq, Eq)]
enum ReportFormat {
    Table,
    Json,
}

impl Watch {
    fn level(&self) -> Level {
        match self.level {
            LevelArg::Country => Level::Country,
            LevelArg::Admin1 => Level::Admin1,
        }
    }

    fn period(&self) -> Period {
        match self.period {
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        }
    }

    fn dataset(&self) -> Result<Option<Dataset>, Failure> {
        self.dataset
            .as_deref()
            .map(|d| {
                d.parse::<Dataset>()
                    .map_err(|e| Failure::Input(format!("--dataset: {e}")))
            })
            .transpose()
    }

    fn detector_config(&self) -> Result<DetectorConfig, Failure> {
        let period = self.period();
        let configs = match &self.config {
            None => LevelConfigs::default_for(period),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", path.display())))?;
                LevelConfigs::from_json(&text, period)
                    .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?
            }
        };
        let mut config = configs.for_level(self.level()).clone();
        config.measure = match self.measure {
            MeasureArg::Events => esc::Measure::Events,
            MeasureArg::Fatalities => esc::Measure::Fatalities,
        };
        Ok(config)
    }
}

pub(crate) async fn run(command: DetectCommand) -> Result<(), Failure> {
    match command.action {
        None => detect(&command.db, &command.run).await,
        Some(DetectAction::Backtest(args)) => backtest(&command.db, &args).await,
    }
}

const NO_EVENTS: &str = "no events to watch: import a dataset first (kinga import ucdp FILE)";

impl Watch {
    fn of(&self) -> Result<kinga_app::detection::Watch, Failure> {
        Ok(kinga_app::detection::Watch {
            level: self.level(),
            period: self.period(),
            dataset: self.dataset()?,
        })
    }
}

/// The dense series of every region at the chosen level, from the first period with any event
/// to the last.
async fn load_series(system: &System, watch: &Watch) -> Result<Vec<RegionSeries>, Failure> {
    system
        .event_series(&watch.of()?)
        .await?
        .ok_or_else(|| Failure::Input(NO_EVENTS.into()))
}

async fn detect(db: &Db, args: &RunArgs) -> Result<(), Failure> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if to < from {
            return Err(Failure::Input(format!("--to {to} is before --from {from}")));
        }
    }
    let system = super::system(db, "detect").await?;
    let (run, regions) = store_run(&system, &args.watch).await?;
    let listed = stored_signals(&system, args).await?;
    match args.format {
        ListFormat::Table => print_table(&listed),
        ListFormat::Csv => print_csv(&listed),
        ListFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "run": run,
                "regions": regions,
                "signals": listed,
            }))
            .map_err(anyhow::Error::from)?
        ),
    }
    eprintln!(
        "{} signals over {} regions ({}, {}, {} to {}); {} listed; replaced {} signals of the previous run",
        run.signal_count,
        regions,
        run.level.as_str(),
        run.period.as_str(),
        run.first_period,
        run.last_period,
        listed.len(),
        run.replaced.unwrap_or(0),
    );
    Ok(())
}

/// Runs the detectors over every region and stores the signals in place of the last run of the
/// same level and period; returns the run and how many regions were watched.
async fn store_run(system: &System, watch: &Watch) -> Result<(SignalRun, usize), Failure> {
    let config = watch.detector_config()?;
    let done = system
        .run_detectors(&watch.of()?, &config, watch.dataset.clone())
        .await?
        .ok_or_else(|| Failure::Input(NO_EVENTS.into()))?;
    Ok((done.run, done.regions))
}

/// The default detectors at the default settings, weekly, over one level: what `kinga detect
/// --level LEVEL` stores, for the demo.
pub(crate) async fn run_defaults(system: &System, level: Level) -> Result<SignalRun, Failure> {
    let watch = Watch {
        level: match level {
            Level::Country => LevelArg::Country,
            Level::Admin1 => LevelArg::Admin1,
        },
        period: PeriodArg::Week,
        measure: MeasureArg::Events,
        dataset: None,
        config: None,
    };
    Ok(store_run(system, &watch).await?.0)
}

/// What the store now holds for this level and period, read back page by page.
async fn stored_signals(system: &System, args: &RunArgs) -> Result<Vec<Signal>, Failure> {
    let mut filter = SignalFilter {
        level: Some(args.watch.level()),
        period: Some(args.watch.period()),
        from: args.from,
        to: args.to,
        limit: 5000,
        ..SignalFilter::default()
    };
    let mut all = Vec::new();
    loop {
        let page = system.shared_signals(&filter).await?;
        let n = page.items.len();
        all.extend(page.items);
        if n == 0 || all.len() as u64 >= page.total {
            break;
        }
        filter.offset += n as u32;
    }
    Ok(all)
}

const COLUMNS: [&str; 9] = [
    "country",
    "admin1",
    "period_start",
    "observed",
    "expected",
    "score",
    "threshold",
    "method",
    "measure",
];

fn cells(s: &Signal) -> [String; 9] {
    [
        s.country.code().to_string(),
        s.admin1.clone().unwrap_or_default(),
        s.period_start.to_string(),
        format!("{}", s.observed),
        format!("{:.2}", s.expected),
        format!("{:.2}", s.score),
        format!("{}", s.threshold),
        s.method.clone(),
        s.measure.clone(),
    ]
}

fn print_rows(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(ToString::to_string).collect());
    for r in rows {
        line(r.clone());
    }
}

fn print_table(signals: &[Signal]) {
    let rows: Vec<Vec<String>> = signals.iter().map(|s| cells(s).to_vec()).collect();
    print_rows(&COLUMNS, &rows);
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn print_csv(signals: &[Signal]) {
    println!("{}", COLUMNS.join(","));
    for s in signals {
        let row: Vec<String> = cells(s).iter().map(|c| csv_field(c)).collect();
        println!("{}", row.join(","));
    }
}

async fn backtest(db: &Db, args: &BacktestArgs) -> Result<(), Failure> {
    let onsets = read_onset_file(&args.onsets)?;
    let config = args.watch.detector_config()?;
    let system = super::system(db, "detect-backtest").await?;
    let series = load_series(&system, &args.watch).await?;
    let period = args.watch.period();
    let report = esc::backtest(
        &series,
        args.watch.level(),
        period,
        &config,
        &onsets,
        OnsetWindow::default_for(period),
    );
    match args.format {
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?
        ),
        ReportFormat::Table => print_report(&report),
    }
    Ok(())
}

fn read_onset_file(path: &Path) -> Result<Vec<esc::Onset>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", path.display())))?;
    esc::read_onsets(std::io::BufReader::new(file), &path.display().to_string())
        .map_err(|e| Failure::Input(e.to_string()))
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn print_report(r: &BacktestReport) {
    println!(
        "Backtest: {} level, {} periods, {} — {} regions, {:.1} region-years ({} to {}); window {} periods before to {} after each onset",
        r.level.as_str(),
        r.period.as_str(),
        r.measure.as_str(),
        r.regions,
        r.region_years,
        opt(r.first_period),
        opt(r.last_period),
        r.window.before,
        r.window.after,
    );
    println!();
    let rows: Vec<Vec<String>> = r
        .onsets
        .iter()
        .map(|o| {
            let first = o.first_signal.as_ref();
            vec![
                o.country.clone(),
                o.admin1.clone().unwrap_or_default(),
                o.onset.to_string(),
                o.label.clone(),
                o.status.as_str().to_string(),
                opt(first.map(|f| f.period_start)),
                opt(first.map(|f| f.method.as_str())),
                opt(o.lead_days),
                opt(o.lead_periods),
            ]
        })
        .collect();
    print_rows(
        &[
            "country",
            "admin1",
            "onset",
            "label",
            "status",
            "first_signal",
            "method",
            "lead_days",
            "lead_periods",
        ],
        &rows,
    );
    println!();
    let rows: Vec<Vec<String>> = r
        .summary
        .iter()
        .map(|m| {
            vec![
                m.method.clone(),
                format!("{}/{}", m.detected, m.onsets_covered),
                opt(m.median_lead_days.map(|d| format!("{d:.0}"))),
                m.signals.to_string(),
                m.false_alarms.to_string(),
                opt(m.false_alarms_per_region_year.map(|f| format!("{f:.3}"))),
            ]
        })
        .collect();
    print_rows(
        &[
            "method",
            "detected",
            "median_lead_days",
            "signals",
            "false_alarms",
            "false_alarms_per_region_year",
        ],
        &rows,
    );
    let uncovered = r
        .onsets
        .iter()
        .filter(|o| o.status == OnsetStatus::NotCovered)
        .count();
    if uncovered > 0 {
        println!();
        println!(
            "{uncovered} onsets are not covered by the data (no events in their region, or outside the data's period) and are left out of the rates."
        );
    }
}
