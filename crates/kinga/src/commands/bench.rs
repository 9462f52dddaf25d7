//! `kinga bench`: inputs for the benchmarks in scripts/bench/. `gen-events` resamples real
//! GED rows into a file of any size, moving each copy in time and space so the copies do not
//! collapse onto the same days and places, and giving each a new id.
use crate::Failure;
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Write N events resampled from a UCDP GED file, for import and detector benchmarks.
    #[command(
        after_help = "Example:\n  kinga bench gen-events --from data/demo/ucdp_ged_v23_1_central_african_republic.csv --rows 5000000 --out /tmp/events.csv"
    )]
    GenEvents {
        /// A UCDP GED CSV file to resample.
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        rows: u64,
        #[arg(long)]
        out: PathBuf,
        /// Seed of the resampling, so a run can be repeated exactly.
        #[arg(long, default_value_t = 2013)]
        seed: u64,
    },
}

pub async fn run(command: BenchCommand) -> Result<(), Failure> {
    match command {
        BenchCommand::GenEvents {
            from,
            rows,
            out,
            seed,
        } => {
            let written = gen_events(&from, rows, &out, seed)?;
            println!("{}: {written} events", out.display());
            Ok(())
        }
    }
}

/// SplitMix64: small, seedable and good enough to pick rows and offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in [-1, 1).
    fn signed_unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

fn gen_events(from: &Path, rows: u64, out: &Path, seed: u64) -> Result<u64, Failure> {
    let input = |e: csv::Error| Failure::Input(format!("{}: {e}", from.display()));
    let mut reader = csv::Reader::from_path(from).map_err(input)?;
    let header = reader.headers().map_err(input)?.clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                Failure::Input(format!(
                    "{}: missing required column {name}",
                    from.display()
                ))
            })
    };
    let (id, year, start, end, lat, lon) = (
        at("id")?,
        at("year")?,
        at("date_start")?,
        at("date_end")?,
        at("latitude")?,
        at("longitude")?,
    );
    let source: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().map_err(input)?;
    if source.is_empty() {
        return Err(Failure::Input(format!("{}: no rows", from.display())));
    }
    let output = |e: std::io::Error| Failure::Other(format!("{}: {e}", out.display()));
    let file = std::fs::File::create(out).map_err(output)?;
    let mut writer = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    writer
        .write_record(&header)
        .map_err(|e| Failure::Other(e.to_string()))?;
    let mut rng = Rng(seed);
    // GED writes dates either as `2013-03-24` or as `2013-03-24T00:00:00`.
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok();
    let mut cells: Vec<String> = Vec::with_capacity(header.len());
    for n in 0..rows {
        let row = &source[rng.below(source.len() as u64) as usize];
        cells.clear();
        cells.extend(row.iter().map(str::to_string));
        cells[id] = (n + 1).to_string();
        // Up to half a year either way; the event keeps its length.
        if let (Some(s), Some(e)) = (date(&row[start]), date(&row[end])) {
            let shift = chrono::Duration::days(rng.below(365) as i64 - 182);
            let s2 = s + shift;
            cells[start] = s2.format("%Y-%m-%d").to_string();
            cells[end] = (e + shift).format("%Y-%m-%d").to_string();
            cells[year] = chrono::Datelike::year(&s2).to_string();
        }
        // Up to about 5 km, within valid coordinates.
        for (col, limit) in [(lat, 90.0), (lon, 180.0)] {
            if let Ok(v) = row[col].parse::<f64>() {
                let moved = (v + rng.signed_unit() * 0.05).clamp(-limit, limit);
                cells[col] = format!("{moved:.6}");
            }
        }
        writer
            .write_record(&cells)
            .map_err(|e| Failure::Other(e.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|e| Failure::Other(e.to_string()))?
        .flush()
        .map_err(output)?;
    Ok(rows)
}
