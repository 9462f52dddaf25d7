//! Vault benchmarks, each against the named peer on the same data in the same run:
//! 1. intake (hash + encrypt + store) of a 1 GiB file vs `sha256sum FILE && age -e -r KEY FILE`;
//! 2. peak memory of a 4 GiB intake, measured by `/usr/bin/time -v` on a child process;
//! 3. verification of a dossier of 1,000 files.
//!
//! `cargo bench -p kinga-vault --bench intake` (sizes: KINGA_BENCH_MIB, KINGA_BENCH_BIG_MIB,
//! KINGA_BENCH_FILES; scratch directory: KINGA_BENCH_DIR, default the system temporary
//! directory).
use kinga_domain::evidence::{CustodyDraft, CustodyEntry, CustodyKind};
use kinga_vault::bundle::ExportHeader;
use kinga_vault::{
    intake, verify_bundle, BundleItem, BundleWriter, IncidentSummary, IntakeOptions, OrgSecretKeys,
};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Pseudo-random bytes, so neither side can profit from compressible input.
struct Noise {
    x: u64,
    left: u64,
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        for chunk in buf[..n].chunks_mut(8) {
            self.x ^= self.x << 13;
            self.x ^= self.x >> 7;
            self.x ^= self.x << 17;
            let b = self.x.to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn env_mib(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--intake-stream") {
        // The child measured by /usr/bin/time: intake of a generated stream, nothing else.
        let root = PathBuf::from(&args[i + 1]);
        let mib: u64 = args[i + 2].parse().expect("size in MiB");
        let keys = OrgSecretKeys::generate("bench");
        let got = intake(
            &root,
            Noise {
                x: 0x2545_f491_4f6c_dd1d,
                left: mib << 20,
            },
            &keys.public(),
            &IntakeOptions::default(),
        )
        .expect("intake");
        println!("{} {}", got.sha256, got.size);
        return;
    }
    let base = std::env::var_os("KINGA_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("kinga-vault-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let result = std::panic::catch_unwind(|| run(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    if result.is_err() {
        std::process::exit(1);
    }
}

fn run(dir: &Path) {
    let mib = env_mib("KINGA_BENCH_MIB", 1024);
    let file = dir.join("evidence.bin");
    {
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&file).unwrap());
        std::io::copy(
            &mut Noise {
                x: 0x9e37_79b9_7f4a_7c15,
                left: mib << 20,
            },
            &mut w,
        )
        .unwrap();
        w.into_inner().unwrap().sync_all().unwrap();
    }
    println!("vault intake of {mib} MiB (best of 3, same file, alternating):");
    let tools = ["sha256sum", "age", "age-keygen"]
        .iter()
        .all(|t| Command::new(t).arg("--version").output().is_ok());
    let mut best_peer = f64::MAX;
    let mut best_kinga = f64::MAX;
    let mut best_cached = f64::MAX;
    let keys = OrgSecretKeys::generate("bench");
    let recipient = if tools {
        let out = Command::new("age-keygen")
            .arg("-o")
            .arg(dir.join("age.key"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .find(|w| w.starts_with("age1"))
            .map(String::from)
    } else {
        println!("  peer skipped: sha256sum, age and age-keygen are needed (Debian packages coreutils, age)");
        None
    };
    for _ in 0..3 {
        if let Some(r) = &recipient {
            let t = Instant::now();
            let ok = Command::new("sha256sum")
                .arg(&file)
                .output()
                .unwrap()
                .status
                .success()
                && Command::new("age")
                    .args(["-e", "-r", r, "-o"])
                    .arg(dir.join("evidence.age"))
                    .arg(&file)
                    .status()
                    .unwrap()
                    .success();
            assert!(ok, "peer failed");
            best_peer = best_peer.min(secs(t.elapsed()));
            std::fs::remove_file(dir.join("evidence.age")).unwrap();
        }
        for durable in [true, false] {
            let root = dir.join("vault");
            let options = IntakeOptions {
                durable,
                ..Default::default()
            };
            let t = Instant::now();
            let got = intake(
                &root,
                std::fs::File::open(&file).unwrap(),
                &keys.public(),
                &options,
            )
            .unwrap();
            let took = secs(t.elapsed());
            if durable {
                best_kinga = best_kinga.min(took);
            } else {
                best_cached = best_cached.min(took);
            }
            assert_eq!(got.size, mib << 20);
            std::fs::remove_dir_all(&root).unwrap();
        }
    }
    std::fs::remove_file(&file).unwrap();
    println!(
        "  kinga intake, durable (SHA-256 + AES-256-GCM + fsync + rename): {best_kinga:.2} s ({:.0} MiB/s)",
        mib as f64 / best_kinga
    );
    println!(
        "  kinga intake, no fsync (as the peer):                          {best_cached:.2} s ({:.0} MiB/s)",
        mib as f64 / best_cached
    );
    if recipient.is_some() {
        println!(
            "  sha256sum FILE && age -e -r KEY FILE (no fsync):              {best_peer:.2} s"
        );
        println!(
            "  ratio kinga / peer: {:.2} durable, {:.2} without fsync (target ≤ 0.5)",
            best_kinga / best_peer,
            best_cached / best_peer
        );
    }

    let big = env_mib("KINGA_BENCH_BIG_MIB", 4096);
    if Path::new("/usr/bin/time").exists() {
        let exe = std::env::current_exe().unwrap();
        let root = dir.join("vault-big");
        let out = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&exe)
            .arg("--intake-stream")
            .arg(&root)
            .arg(big.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = String::from_utf8_lossy(&out.stderr);
        let rss_kib: u64 = report
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let wall = report
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss):")
            })
            .unwrap_or("?")
            .trim()
            .to_string();
        println!(
            "intake of a {big} MiB stream: peak resident memory {:.1} MiB (target < 64 MiB), wall {wall}",
            rss_kib as f64 / 1024.0
        );
        std::fs::remove_dir_all(&root).unwrap();
    } else {
        println!("peak memory skipped: /usr/bin/time is needed (Debian package time)");
    }

    let files = std::env::var("KINGA_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    bundle_verification(dir, files, 64 << 10);
}

fn custody(item: &str) -> Vec<CustodyEntry> {
    let mut v: Vec<CustodyEntry> = Vec::new();
    for kind in [
        CustodyKind::Receive,
        CustodyKind::Hash,
        CustodyKind::Seal,
        CustodyKind::Export,
    ] {
        let e = CustodyDraft {
            item: item.into(),
            kind,
            actor: "legal@example.org".into(),
            at: chrono::Utc::now(),
            detail: kind.as_str().into(),
        }
        .chain(v.last());
        v.push(e);
    }
    v
}

fn bundle_verification(dir: &Path, files: usize, size: u64) {
    let keys = OrgSecretKeys::generate("bench");
    let path = dir.join("dossier.zip");
    let t = Instant::now();
    let mut w = BundleWriter::new(BufWriter::new(std::fs::File::create(&path).unwrap()));
    for i in 0..files {
        let id = format!("ev-{i}");
        let item = BundleItem {
            evidence_id: id.clone(),
            file_name: format!("photo-{i}.jpg"),
            mime: "image/jpeg".into(),
            role: "original".into(),
            custody: custody(&id),
            ..Default::default()
        };
        w.add(
            item,
            &mut Noise {
                x: i as u64 + 1,
                left: size,
            },
            Some(size),
        )
        .unwrap();
    }
    let header = ExportHeader {
        exported_by: "legal@example.org".into(),
        exported_at: "2026-11-26T00:00:00Z".into(),
        incident: IncidentSummary {
            id: "inc".into(),
            title: "bench".into(),
            ..Default::default()
        },
    };
    let (out, _) = w.seal(header, &keys).unwrap().finish(None).unwrap();
    out.into_inner().unwrap().flush().unwrap();
    let written = t.elapsed();
    let t = Instant::now();
    let report = verify_bundle(
        std::io::BufReader::new(std::fs::File::open(&path).unwrap()),
        &keys.public(),
    )
    .unwrap();
    let verified = t.elapsed();
    assert_eq!(report.manifest.items.len(), files);
    println!(
        "dossier of {files} files × {} KiB ({:.0} MiB, {} custody entries): written in {:.2} s, verified in {:.2} s",
        size >> 10,
        (files as u64 * size) as f64 / (1 << 20) as f64,
        report.custody_entries,
        secs(written),
        secs(verified)
    );
}
