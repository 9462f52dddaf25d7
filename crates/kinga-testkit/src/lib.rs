//! What Kinga's tests share.
//!
//! A test that cannot run here (a tool, a server or a data file is missing) calls [`skip`] and
//! returns. The harness still counts it as passed, so `skip` makes the skip visible:
//!
//! - it writes `SKIPPED: <test>: <reason>` to the process's standard error directly, which the
//!   test harness does not capture (it captures `print!` and `eprint!` only), so the line shows
//!   even when the test passes;
//! - when `KINGA_SKIP_LOG` names a file, it appends the same line to it; `scripts/test.sh`
//!   counts the skipped tests from that file and reports them apart from the passed ones.

use std::io::Write;

/// The marker every skip line starts with.
pub const MARKER: &str = "SKIPPED: ";

/// Reports the running test as skipped for `reason`. The caller returns right after.
pub fn skip(reason: impl std::fmt::Display) {
    let line = format!("{MARKER}{}: {reason}\n", test_name());
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    if let Some(path) = std::env::var_os("KINGA_SKIP_LOG") {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path);
        // One write of one line: appends from parallel tests do not interleave.
        if let Ok(mut f) = file {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// `<test binary>::<test path>`, e.g. `cli::risk::a_test`: the harness runs each test on a
/// thread named after it, and the binary's name (less cargo's hash) tells apart tests of the
/// same name in different binaries.
fn test_name() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| match s.rsplit_once('-') {
            Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_string(),
            _ => s,
        })
        .unwrap_or_else(|| "test".to_string());
    let thread = std::thread::current();
    let test = match thread.name() {
        Some(n) if n != "main" => n.replace(' ', "_"),
        _ => "?".to_string(),
    };
    format!("{binary}::{test}")
}

/// The workspace's root (the folder holding `Cargo.toml` and `data/`).
pub fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A data file by its path under a data folder, e.g. `ewp/PITF_GenoPoliticide_2014.csv`: the
/// repository's own `data/` first (files whose licence lets the project ship them), then the
/// shared folder beside the checkout, `../shared/data/` (files for tests only, never committed;
/// see data/ATTRIBUTION.md). None when neither has it: the caller skips.
pub fn data_file(rel: &str) -> Option<std::path::PathBuf> {
    let root = workspace();
    [
        root.join("data").join(rel),
        root.join("../shared/data").join(rel),
    ]
    .into_iter()
    .find(|p| p.is_file())
}
