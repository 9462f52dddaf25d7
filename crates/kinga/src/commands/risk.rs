//! `kinga risk`: the statistical forecast of mass-killing onset, fitted, applied and
//! backtested from a country-year predictor table such as the Early Warning Project's.

use crate::Failure;
use clap::{Args, Subcommand, ValueEnum};
use kinga_analysis::forecast::backtest::{self, LambdaRule, Panel};
use kinga_analysis::forecast::cv::cross_validate;
use kinga_analysis::forecast::rfolds::r_folds;
use kinga_analysis::forecast::{
    fit_path, forest, ForestSettings, Matrix, Method, Model, Provenance, Settings,
};
use kinga_ingest::predictors::{self, Layout, PredictorTable};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub(crate) enum RiskAction {
    /// Fit the elastic-net model on the rows of years up to --train-until and save it as JSON
    /// (with --method ensemble, also a random forest on the same rows).
    #[command(after_help = "Example (the Early Warning Project's 2025 model):\n  \
        kinga risk fit --data prepared2024predictors-2025-09-03.csv --outcome mk_onset_1or2 \\\n    \
        --train-until 2022 --alpha 0.5 --lambda 0.002586 --out ewp2025.json\n\n\
        Cross-validated instead of a fixed lambda:\n  \
        kinga risk fit --data predictors.csv --outcome mk_onset_1or2 --train-until 2022 --alpha 0.5 --cv 10 --out m.json\n\n\
        With each predictor's change since the year before (the 23 changing predictors of the Early \
        Warning Project's table; better than the published method in the backtest, docs/forecast.md):\n  \
        kinga risk fit --data predictors.csv --outcome mk_onset_1or2 --train-until 2022 --alpha 0.5 --cv 10 --changes ewp --out m.json\n\n\
        The elastic net averaged with a random forest (docs/forecast.md):\n  \
        kinga risk fit --data predictors.csv --outcome mk_onset_1or2 --train-until 2022 --alpha 0.5 --cv 10 --method ensemble --out m.json")]
    Fit(FitArgs),
    /// Forecast one year's rows with a saved model: risk, rank and the largest contributions.
    #[command(after_help = "Example:\n  \
        kinga risk forecast --model ewp2025.json --data prepared2024predictors-2025-09-03.csv --year 2024 --format csv")]
    Forecast(ForecastArgs),
    /// Score the method as if run each year (expanding window): AUC, recall in the top k,
    /// Brier score and the rank of every onset.
    #[command(
        after_help = "Trains for data year T on rows of year ≤ T-2 (the latest whose two-year outcome \
        was known in T), forecasts year T, and judges an onset in year Y by the higher of the \
        forecasts from Y-1 and Y-2. Without --lambda, lambda.min of a 10-fold cross-validation \
        per window with R's folds for --seed, as the Early Warning Project does. --method forest \
        or ensemble grows a random forest in each window on the same rows.\n\n\
        Example:\n  \
        kinga risk backtest --data prepared2024predictors-2025-09-03.csv --outcome mk_onset_1or2 --alpha 0.5 --from 1994 --to 2024\n  \
        kinga risk backtest --data prepared2024predictors-2025-09-03.csv --outcome mk_onset_1or2 --alpha 0.5 --from 1994 --to 2010 --method ensemble\n  \
        kinga risk backtest --data prepared2024predictors-2025-09-03.csv --outcome mk_onset_1or2 --alpha 0.5 --from 1994 --to 2010 --changes battledeaths.log2,mk_ongoing_count_log2"
    )]
    Backtest(BacktestArgs),
}

/// Which columns of the table are what; the defaults fit the Early Warning Project's table.
#[derive(Args, Clone, Debug)]
pub(crate) struct TableArgs {
    /// Country-year predictor table (CSV with a header).
    #[arg(long)]
    data: PathBuf,
    /// Column naming the country.
    #[arg(long, default_value = "ewp_name")]
    name_column: String,
    #[arg(long, default_value = "year")]
    year_column: String,
    /// Every outcome column of the table (comma-separated): none is a predictor, and training
    /// rows must have all of them.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "mk_onset,mk_onset_1,mk_onset_2,mk_onset_1or2"
    )]
    outcome_columns: Vec<String>,
    /// Identifier columns that are not predictors (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "ccode")]
    ignore: Vec<String>,
}

impl TableArgs {
    fn layout(&self, outcome: &str) -> Layout {
        Layout {
            name_column: self.name_column.clone(),
            year_column: self.year_column.clone(),
            outcome: outcome.to_string(),
            outcome_columns: self.outcome_columns.clone(),
            ignored: self.ignore.clone(),
        }
    }
}

/// How the risk is computed. The default is the Early Warning Project's published method; see
/// docs/forecast.md for how the alternatives were tested.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MethodArg {
    /// The published method: the elastic net alone (the default).
    ElasticNet,
    /// A probability random forest alone (backtest only).
    Forest,
    /// The mean of the elastic net's and a random forest's probabilities.
    Ensemble,
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Method {
        match m {
            MethodArg::ElasticNet => Method::ElasticNet,
            MethodArg::Forest => Method::Forest,
            MethodArg::Ensemble => Method::Ensemble,
        }
    }
}

/// The random forest's settings, used by --method forest and ensemble.
#[derive(Args, Clone, Debug)]
pub(crate) struct ForestArgs {
    /// How the risk is computed: elastic-net (the published method, the default), forest, or
    /// ensemble (the mean of the two probabilities). The ensemble did not beat the published
    /// method on the held-out years 2011–2024 (docs/forecast.md), so the default stays.
    #[arg(long, value_enum, default_value = "elastic-net")]
    method: MethodArg,
    /// Trees of the random forest.
    #[arg(long, default_value_t = 500)]
    trees: usize,
    /// Fewest bootstrap rows in a leaf of the forest.
    #[arg(long, default_value_t = 5)]
    min_leaf: usize,
    /// Predictors tried per split (default: the square root of their number, rounded down).
    #[arg(long)]
    mtry: Option<usize>,
    /// Seed of the forest's bootstrap samples and predictor draws.
    #[arg(long, default_value_t = 20_250_903)]
    forest_seed: u64,
}

impl ForestArgs {
    fn settings(&self) -> Result<ForestSettings, Failure> {
        if self.trees == 0 || self.min_leaf == 0 || self.mtry == Some(0) {
            return Err(Failure::Input(
                "--trees, --min-leaf and --mtry must be at least 1".into(),
            ));
        }
        Ok(ForestSettings {
            trees: self.trees,
            mtry: self.mtry,
            min_leaf: self.min_leaf,
            seed: self.forest_seed,
        })
    }
}

/// Yearly changes added as predictors (fit and backtest; a saved model remembers its own).
#[derive(Args, Clone, Debug)]
pub(crate) struct ChangeArgs {
    /// Add each listed predictor's change since the country's year before as a predictor
    /// (`<name>.change`; comma-separated). A first year counts as no change. `ewp` stands for
    /// the 23 changing predictors of the Early Warning Project's table, which beat the
    /// published method in the backtest (docs/forecast.md).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS|ewp")]
    changes: Vec<String>,
}

impl ChangeArgs {
    /// The columns named, with `ewp` standing for the Early Warning Project's list.
    fn columns(&self) -> Vec<String> {
        self.changes
            .iter()
            .filter(|c| !c.is_empty())
            .flat_map(|c| {
                if c == "ewp" {
                    predictors::EARLY_WARNING_PROJECT_CHANGES
                        .iter()
                        .map(ToString::to_string)
                        .collect()
                } else {
                    vec![c.clone()]
                }
            })
            .collect()
    }
}

#[derive(Args)]
pub(crate) struct FitArgs {
    #[command(flatten)]
    table: TableArgs,
    /// The 0/1 outcome to learn.
    #[arg(long)]
    outcome: String,
    /// Last year of training rows.
    #[arg(long)]
    train_until: i32,
    /// Elastic-net mixing: 1 lasso, 0 ridge.
    #[arg(long)]
    alpha: f64,
    /// Fixed penalty (glmnet's lambda).
    #[arg(long, conflicts_with = "cv")]
    lambda: Option<f64>,
    /// Choose lambda by K-fold cross-validation (binomial deviance).
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// With --cv: take lambda.1se instead of lambda.min.
    #[arg(long, requires = "cv")]
    one_se: bool,
    /// With --cv: R's set.seed value for the folds (the same folds as cv.glmnet).
    #[arg(long, default_value_t = 90035)]
    seed: u32,
    /// With --cv: a file of fold numbers (1..K), one per training row in file order, instead
    /// of drawing them.
    #[arg(long, requires = "cv")]
    foldid: Option<PathBuf>,
    #[command(flatten)]
    changes: ChangeArgs,
    /// Threads for the cross-validation folds and for the forest's trees (default: one per
    /// processor; the result is the same with any number).
    #[arg(long, default_value_t = processors())]
    threads: usize,
    #[command(flatten)]
    forest: ForestArgs,
    /// Where to write the model (JSON).
    #[arg(long)]
    out: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    Table,
    Csv,
    Json,
}

#[derive(Args)]
pub(crate) struct ForecastArgs {
    #[arg(long)]
    model: PathBuf,
    #[command(flatten)]
    table: TableArgs,
    /// Data year to forecast from (the forecast covers the following two years).
    #[arg(long)]
    year: i32,
    #[arg(long, value_enum, default_value = "table")]
    format: Output,
    /// How many contributions to list per country.
    #[arg(long, default_value_t = 3)]
    factors: usize,
    /// Also store the forecasts (public, one row per country) for the country pages; names the
    /// countries whose name has no ISO 3166-1 code, which are not stored.
    #[arg(long)]
    save: bool,
    #[command(flatten)]
    db: crate::cli::Db,
}

#[derive(Args)]
pub(crate) struct BacktestArgs {
    #[command(flatten)]
    table: TableArgs,
    #[arg(long)]
    outcome: String,
    /// Elastic-net mixing; several (comma-separated) average their probabilities.
    #[arg(long, value_delimiter = ',', required = true)]
    alpha: Vec<f64>,
    /// Fixed penalty for every window instead of cross-validating each.
    #[arg(long)]
    lambda: Option<f64>,
    /// Folds of the per-window cross-validation.
    #[arg(long, default_value_t = 10)]
    cv: usize,
    /// Take lambda.1se instead of lambda.min.
    #[arg(long)]
    one_se: bool,
    /// R set.seed values of the folds; several (comma-separated) average their probabilities.
    #[arg(long, value_delimiter = ',', default_value = "90035")]
    seed: Vec<u32>,
    #[command(flatten)]
    changes: ChangeArgs,
    /// First and last onset year scored.
    #[arg(long)]
    from: i32,
    #[arg(long)]
    to: i32,
    /// Column recording an onset in the row's own year (what is scored).
    #[arg(long, default_value = "mk_onset")]
    onset: String,
    /// Years between the last training row and the forecast's data year.
    #[arg(long, default_value_t = 2)]
    gap: i32,
    /// k of recall@k.
    #[arg(long, default_value_t = 30)]
    top: usize,
    /// Threads for the windows' cross-validation folds and forests (default: one per
    /// processor; the result is the same with any number).
    #[arg(long, default_value_t = processors())]
    threads: usize,
    #[command(flatten)]
    forest: ForestArgs,
    #[arg(long, value_enum, default_value = "table")]
    format: Output,
}

pub(crate) async fn run(action: RiskAction) -> Result<(), Failure> {
    match action {
        RiskAction::Fit(a) => fit(&a),
        RiskAction::Forecast(a) => {
            let (model, rows) = forecast(&a)?;
            if a.save {
                save(&a, &model, &rows).await?;
            }
            Ok(())
        }
        RiskAction::Backtest(a) => run_backtest(&a),
    }
}

/// Names the predictor tables write that neither ISO, UCDP nor ACLED spell the same way.
const TABLE_NAMES: &[(&str, &str)] = &[
    ("Burma/Myanmar", "MMR"),
    ("Cape Verde", "CPV"),
    ("Czech Republic", "CZE"),
    // The Correlates of War code 816, which continues as today's Vietnam.
    ("Democratic Republic of Vietnam", "VNM"),
    ("Eswatini", "SWZ"),
    ("Ivory Coast", "CIV"),
    ("Kyrgystan", "KGZ"),
    ("Laos", "LAO"),
    ("Macedonia", "MKD"),
    ("North Korea", "PRK"),
    ("South Korea", "KOR"),
    ("The Gambia", "GMB"),
    ("Timor-Leste", "TLS"),
];

fn country_of(name: &str) -> Option<kinga_domain::Country> {
    TABLE_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .and_then(|(_, iso)| kinga_domain::Country::parse(iso).ok())
        .or_else(|| kinga_ingest::events::countries::resolve(name))
}

async fn save(a: &ForecastArgs, model: &Model, rows: &[Row]) -> Result<(), Failure> {
    use kinga_domain::risk::{FactorContribution, NewForecast};
    let provenance = serde_json::to_value(&model.provenance).map_err(other)?;
    let mut batch = Vec::with_capacity(rows.len());
    let mut unknown = Vec::new();
    for r in rows {
        let Some(country) = country_of(&r.country) else {
            unknown.push(r.country.as_str());
            continue;
        };
        batch.push(NewForecast {
            country,
            year: a.year,
            probability: r.risk,
            rank: u32::try_from(r.rank).ok(),
            model: model.description(),
            provenance: provenance.clone(),
            top_factors: r
                .factors
                .iter()
                .map(|(name, contribution)| FactorContribution {
                    name: name.clone(),
                    contribution: *contribution,
                })
                .collect(),
            visibility: kinga_domain::Visibility::Public,
        });
    }
    if !unknown.is_empty() {
        eprintln!("not stored, no ISO 3166-1 code for: {}", unknown.join(", "));
    }
    let system = super::system(&a.db, "risk-forecast").await?;
    let stored = system
        .save_forecasts(batch)
        .await
        .map_err(|e| Failure::Other(e.to_string()))?;
    eprintln!(
        "stored {stored} forecasts of {} for the country pages",
        a.year
    );
    Ok(())
}

fn processors() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn input<E: std::fmt::Display>(e: E) -> Failure {
    Failure::Input(e.to_string())
}

fn check_alpha(alpha: f64) -> Result<(), Failure> {
    if (0.0..=1.0).contains(&alpha) {
        Ok(())
    } else {
        Err(Failure::Input(format!(
            "--alpha must be between 0 and 1, not {alpha}"
        )))
    }
}

fn read_foldid(path: &Path, rows: usize) -> Result<Vec<usize>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", path.display())))?;
    let folds = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| match l.trim().parse::<usize>() {
            Ok(f) if f >= 1 => Ok(f - 1),
            _ => Err(Failure::Input(format!(
                "{} line {}: '{}' is not a fold number (1, 2, …)",
                path.display(),
                i + 1,
                l.trim()
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if folds.len() != rows {
        return Err(Failure::Input(format!(
            "{}: {} fold numbers for {rows} training rows",
            path.display(),
            folds.len()
        )));
    }
    Ok(folds)
}

fn fit(a: &FitArgs) -> Result<(), Failure> {
    check_alpha(a.alpha)?;
    if a.forest.method == MethodArg::Forest {
        return Err(Failure::Input(
            "kinga risk fit makes an elastic-net or an ensemble model; --method forest is for \
             the backtest only (a forest alone has no explanation to show)"
                .into(),
        ));
    }
    let forest_settings = a.forest.settings()?;
    if a.lambda.is_none() && a.cv.is_none() {
        return Err(Failure::Input("give --lambda L or --cv K".into()));
    }
    let changes = a.changes.columns();
    let table = predictors::read(&a.table.data, &a.table.layout(&a.outcome))
        .and_then(|t| t.with_changes(&changes))
        .map_err(input)?;
    let selection = table.training_rows(a.train_until);
    let oi = table.outcome_index(&a.outcome).expect("outcome is read");
    let rows: Vec<Vec<f64>> = selection
        .rows
        .iter()
        .map(|&i| table.complete_predictors(i).expect("complete"))
        .collect();
    let y: Vec<f64> = selection
        .rows
        .iter()
        .map(|&i| table.outcomes[i][oi].expect("complete"))
        .collect();
    let positives = y.iter().filter(|v| **v > 0.5).count();
    println!(
        "rows used: {} ({} ≤ {}; {} dropped for a missing value)",
        rows.len(),
        a.table.year_column,
        a.train_until,
        selection.dropped
    );
    println!("positives: {positives} ({})", a.outcome);
    if positives == 0 {
        return Err(Failure::Input(format!(
            "{}: no positive {} among the {} complete training rows up to {}",
            table.file,
            a.outcome,
            rows.len(),
            a.train_until
        )));
    }
    let x = Matrix::from_rows(&rows);
    let settings = Settings::new(a.alpha);
    let (path, index, choice) = match (a.lambda, a.cv) {
        (Some(l), _) => {
            if l.is_nan() || l < 0.0 {
                return Err(Failure::Input(format!("--lambda must be ≥ 0, not {l}")));
            }
            let path = fit_path(&x, &y, &settings, Some(&[l])).map_err(input)?;
            println!("lambda: {l} (given)");
            (path, 0, "fixed".to_string())
        }
        (None, Some(k)) => {
            let folds = match &a.foldid {
                Some(f) => read_foldid(f, rows.len())?,
                None => r_folds(rows.len(), k, a.seed),
            };
            let cv = cross_validate(&x, &y, &settings, &folds, a.threads).map_err(input)?;
            let chosen = if a.one_se {
                cv.lambda_1se
            } else {
                cv.lambda_min
            };
            println!(
                "lambda: {chosen} ({}; {k}-fold cross-validation over {} lambdas: lambda.min {}, lambda.1se {})",
                if a.one_se { "lambda.1se" } else { "lambda.min" },
                cv.lambdas.len(),
                cv.lambda_min,
                cv.lambda_1se
            );
            let index = cv.index_of(chosen);
            let name = format!("cv-{}-{k}fold", if a.one_se { "1se" } else { "min" });
            (cv.path, index, name)
        }
        (None, None) => unreachable!("checked above"),
    };
    let provenance = Provenance {
        data_sha256: table.sha256.clone(),
        data_file: a
            .table
            .data
            .file_name()
            .map_or_else(|| table.file.clone(), |n| n.to_string_lossy().into_owned()),
        outcome: a.outcome.clone(),
        train_until: a.train_until,
        rows: rows.len(),
        positives,
        rows_dropped: selection.dropped,
        lambda_choice: choice,
    };
    let mut model = Model::from_solution(
        table.predictors.clone(),
        a.alpha,
        &path,
        &path.solutions[index],
        provenance,
    )
    .with_changes(changes.clone());
    if !changes.is_empty() {
        println!("yearly change added for: {}", changes.join(", "));
    }
    println!(
        "non-zero coefficients: {} of {}",
        model.nonzero().len(),
        model.predictors.len()
    );
    let method = Method::from(a.forest.method);
    if method.uses_forest() {
        let grown = forest::grow(&x, &y, &forest_settings, a.threads).map_err(input)?;
        let leaves: usize = grown.trees.iter().map(forest::Tree::leaves).sum();
        println!(
            "random forest: {} trees, {:.0} leaves per tree on average (min leaf {}, seed {})",
            grown.trees.len(),
            leaves as f64 / grown.trees.len() as f64,
            forest_settings.min_leaf,
            forest_settings.seed
        );
        model = model.with_forest(method, grown);
    }
    println!("method: {}", model.description());
    let json = serde_json::to_string_pretty(&model).map_err(|e| Failure::Other(e.to_string()))?;
    std::fs::write(&a.out, json + "\n")
        .map_err(|e| Failure::Input(format!("{}: cannot write: {e}", a.out.display())))?;
    println!("model written to {}", a.out.display());
    Ok(())
}

fn load_model(path: &Path) -> Result<Model, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", path.display())))?;
    let model: Model = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{}: not a risk model: {e}", path.display())))?;
    model
        .check()
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    Ok(model)
}

struct Row {
    country: String,
    risk: f64,
    rank: usize,
    factors: Vec<(String, f64)>,
}

fn forecast(a: &ForecastArgs) -> Result<(Model, Vec<Row>), Failure> {
    let model = load_model(&a.model)?;
    let layout = a.table.layout(&model.provenance.outcome);
    let derived: Vec<String> = model
        .changes
        .iter()
        .map(|c| predictors::change_column(c))
        .collect();
    let levels: Vec<String> = model
        .predictors
        .iter()
        .filter(|p| !derived.contains(p))
        .cloned()
        .collect();
    let table: PredictorTable = predictors::read_for(&a.table.data, &layout, &levels)
        .and_then(|t| t.with_changes(&model.changes))
        .map_err(input)?;
    if table.predictors != model.predictors {
        return Err(Failure::Input(format!(
            "{}: its changed predictors ({}) are not the last of its predictors",
            a.model.display(),
            model.changes.join(", ")
        )));
    }
    let selection = table.forecast_rows(a.year);
    if selection.rows.is_empty() {
        return Err(Failure::Input(format!(
            "{}: no row of year {} has every predictor",
            table.file, a.year
        )));
    }
    if selection.dropped > 0 {
        let left_out: Vec<&str> = (0..table.names.len())
            .filter(|&i| table.years[i] == a.year && !selection.rows.contains(&i))
            .map(|i| table.names[i].as_str())
            .collect();
        eprintln!(
            "{} rows of {} lack a predictor and are not forecast: {}",
            selection.dropped,
            a.year,
            left_out.join(", ")
        );
    }
    if !model.changes.is_empty() {
        let first_years = table.without_year_before(&selection.rows);
        if first_years.len() == selection.rows.len() {
            return Err(Failure::Input(format!(
                "{}: the model uses yearly changes, but no country forecast has a row of {}",
                table.file,
                a.year - 1
            )));
        }
        if !first_years.is_empty() {
            let names: Vec<&str> = first_years
                .iter()
                .map(|&i| table.names[i].as_str())
                .collect();
            eprintln!(
                "no row of {} for {}: their yearly changes are taken as 0",
                a.year - 1,
                names.join(", ")
            );
        }
    }
    let mut rows: Vec<Row> = selection
        .rows
        .iter()
        .map(|&i| {
            let values = table.complete_predictors(i).expect("complete");
            Row {
                country: table.names[i].clone(),
                risk: model.probability(&values),
                rank: 0,
                factors: model
                    .explain(&values)
                    .into_iter()
                    .take(a.factors)
                    .map(|c| (c.predictor, c.contribution))
                    .collect(),
            }
        })
        .collect();
    let risks: Vec<f64> = rows.iter().map(|r| r.risk).collect();
    for (r, k) in rows
        .iter_mut()
        .zip(kinga_analysis::forecast::metrics::ranks(&risks))
    {
        r.rank = k;
    }
    rows.sort_by(|x, y| x.rank.cmp(&y.rank).then(x.country.cmp(&y.country)));
    let factors = |r: &Row| {
        r.factors
            .iter()
            .map(|(p, c)| format!("{p} {c:+.3}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match a.format {
        Output::Csv => {
            let mut w = csv_writer();
            w.write_record(["country", "year", "risk", "rank", "top_factors"])
                .map_err(other)?;
            for r in &rows {
                w.write_record([
                    r.country.clone(),
                    a.year.to_string(),
                    format!("{:.10}", r.risk),
                    r.rank.to_string(),
                    factors(r),
                ])
                .map_err(other)?;
            }
            w.flush().map_err(other)?;
        }
        Output::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "country": r.country,
                        "year": a.year,
                        "risk": r.risk,
                        "rank": r.rank,
                        "top_factors": r.factors.iter().map(|(p, c)| serde_json::json!({"predictor": p, "contribution": c})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).map_err(other)?);
        }
        Output::Table => {
            println!("model: {}", model.description());
            let whose = if model.method == Method::ElasticNet {
                ""
            } else {
                "the elastic net's "
            };
            println!(
                "{:>4}  {:<34} {:>7}  top factors ({whose}log-odds vs. training average)",
                "rank", "country", "risk"
            );
            for r in &rows {
                println!(
                    "{:>4}  {:<34} {:>6.2}%  {}",
                    r.rank,
                    r.country,
                    100.0 * r.risk,
                    factors(r)
                );
            }
        }
    }
    Ok((model, rows))
}

fn other<E: std::fmt::Display>(e: E) -> Failure {
    Failure::Other(e.to_string())
}

fn csv_writer() -> csv_out::Writer {
    csv_out::Writer::default()
}

/// A minimal CSV writer: quote a field when it holds a comma, quote or newline.
mod csv_out {
    use std::io::Write;

    #[derive(Default)]
    pub struct Writer {
        buf: String,
    }

    impl Writer {
        pub fn write_record<I, S>(&mut self, fields: I) -> std::io::Result<()>
        where
            I: IntoIterator<Item = S>,
            S: AsRef<str>,
        {
            let line: Vec<String> = fields
                .into_iter()
                .map(|f| {
                    let f = f.as_ref();
                    if f.contains([',', '"', '\n']) {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.to_string()
                    }
                })
                .collect();
            self.buf.push_str(&line.join(","));
            self.buf.push('\n');
            Ok(())
        }

        pub fn flush(&mut self) -> std::io::Result<()> {
            let mut out = std::io::stdout().lock();
            out.write_all(self.buf.as_bytes())?;
            self.buf.clear();
            out.flush()
        }
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::ElasticNet => "elastic-net (the published method)",
        Method::Forest => "random forest",
        Method::Ensemble => "ensemble (mean of elastic-net and random forest)",
    }
}

fn run_backtest(a: &BacktestArgs) -> Result<(), Failure> {
    for &alpha in &a.alpha {
        check_alpha(alpha)?;
    }
    let mut layout = a.table.layout(&a.outcome);
    if !layout.outcome_columns.contains(&a.onset) {
        layout.outcome_columns.push(a.onset.clone());
    }
    let changes = a.changes.columns();
    let table = predictors::read(&a.table.data, &layout)
        .and_then(|t| t.with_changes(&changes))
        .map_err(input)?;
    let oi = table.outcome_index(&a.outcome).expect("outcome is read");
    let si = table.outcome_index(&a.onset).expect("onset is read");
    let panel = Panel {
        names: table.names.clone(),
        years: table.years.clone(),
        predictors: table.values.clone(),
        outcome: table.outcomes.iter().map(|o| o[oi]).collect(),
        outcomes_known: table
            .outcomes
            .iter()
            .map(|o| o.iter().all(Option::is_some))
            .collect(),
        onset: table.outcomes.iter().map(|o| o[si]).collect(),
    };
    let lambda = match a.lambda {
        Some(l) => LambdaRule::Fixed(l),
        None => LambdaRule::Cv {
            folds: a.cv,
            one_se: a.one_se,
        },
    };
    let opts = backtest::Options {
        alphas: a.alpha.clone(),
        seeds: a.seed.clone(),
        lambda,
        from: a.from,
        to: a.to,
        gap: a.gap,
        top_k: a.top,
        threads: a.threads,
        method: a.forest.method.into(),
        forest: a.forest.settings()?,
    };
    let report = backtest::run(&panel, &opts).map_err(input)?;
    match a.format {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report).map_err(other)?),
        Output::Table | Output::Csv => {
            let f = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
            println!(
                "onset years {}–{}: {} country-years scored, {} onsets",
                report.from, report.to, report.scored_rows, report.onsets
            );
            println!("method     {}", method_name(report.method));
            if !changes.is_empty() {
                println!("changes    yearly change of {}", changes.join(", "));
            }
            println!("AUC        {}", f(report.auc));
            println!("recall@{:<3} {}", report.top_k, f(report.recall));
            println!(
                "Brier      {}",
                report.brier.map_or("n/a".into(), |b| format!("{b:.5}"))
            );
            println!();
            println!(
                "{:>4}  {:<34} {:>5} {:>7}",
                "year", "onset in", "rank", "risk"
            );
            for o in &report.onset_ranks {
                println!(
                    "{:>4}  {:<34} {:>5} {:>6.2}%",
                    o.year,
                    o.country,
                    o.rank,
                    100.0 * o.risk
                );
            }
        }
    }
    Ok(())
}
