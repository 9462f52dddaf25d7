//! `kinga verify` after ordinary commands: whatever a command stores must read back as what
//! its audit entry vouched for.
use crate::support::{kinga, run, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn verified(data: &Path) {
    let o = run(&["verify"], data);
    assert!(
        o.status.success(),
        "kinga verify: {}{}",
        stdout(&o),
        stderr(&o)
    );
}

fn ewp_table() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ewp/prepared2024predictors-2025-09-03.csv");
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipped: the Early Warning Project table ../shared/data/ewp/prepared2024predictors-2025-09-03.csv is absent"
        );
        None
    }
}

/// The published model's forecasts carry hundreds of contributions, enough that some of them
/// are floats a fast decimal parser reads one unit in the last place off.
#[test]
fn saved_forecasts_of_the_ewp_model_leave_the_chain_intact() {
    let Some(table) = ewp_table() else { return };
    let table = table.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let data = dir.path().join("data");
    ok(&kinga()
        .args(["risk", "fit", "--data", table, "--outcome", "mk_onset_1or2"])
        .args([
            "--train-until",
            "2022",
            "--alpha",
            "0.5",
            "--lambda",
            "0.002586",
        ])
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap());
    let model = model.to_str().unwrap();
    ok(&run(
        &[
            "risk", "forecast", "--model", model, "--data", table, "--year", "2024", "--save",
        ],
        &data,
    ));
    verified(&data);
}
