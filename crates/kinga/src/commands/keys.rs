//! Organisation keys from the command line: creation, the public file a verifier needs, recovery
//! shares, recovery and rotation. Passphrases come from KINGA_KEY_PASSPHRASE or the first line
//! of standard input, never from an argument (arguments show in process lists).
use crate::cli::Db;
use crate::Failure;
use kinga_app::evidence::{EvidenceError, Vault};
use kinga_app::System;
use kinga_domain::org::{Organisation, Slug};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const PASSPHRASE_VAR: &str = "KINGA_KEY_PASSPHRASE";
const MIN_PASSPHRASE: usize = 12;

pub fn vault_dir(db: &Db) -> PathBuf {
    db.vault_dir
        .clone()
        .unwrap_or_else(|| db.data_dir.join("vault"))
}

impl From<EvidenceError> for Failure {
    fn from(e: EvidenceError) -> Self {
        match e {
            EvidenceError::Store(s) => s.into(),
            EvidenceError::Vault(
                kinga_vault::VaultError::Tampered { .. }
                | kinga_vault::VaultError::HashMismatch { .. },
            ) => Failure::Broken(e.to_string()),
            EvidenceError::Vault(kinga_vault::VaultError::Io { .. }) => {
                Failure::Other(e.to_string())
            }
            other => Failure::Input(other.to_string()),
        }
    }
}

/// KINGA_KEY_PASSPHRASE, else the first line of standard input when it is not a terminal.
pub fn passphrase_from_env_or_stdin() -> Option<String> {
    if let Ok(p) = std::env::var(PASSPHRASE_VAR) {
        if !p.is_empty() {
            return Some(p);
        }
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return None;
    }
    let mut line = String::new();
    stdin.read_line(&mut line).ok()?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    (!line.is_empty()).then_some(line)
}

fn required_passphrase(what: &str) -> Result<String, Failure> {
    passphrase_from_env_or_stdin().ok_or_else(|| {
        Failure::Input(format!(
            "{what}: give the passphrase in {PASSPHRASE_VAR} or on the first line of standard input"
        ))
    })
}

pub fn check_new_passphrase(p: &str) -> Result<(), Failure> {
    if p.chars().count() < MIN_PASSPHRASE {
        return Err(Failure::Input(format!(
            "the key passphrase must have at least {MIN_PASSPHRASE} characters"
        )));
    }
    Ok(())
}

pub async fn organisation(system: &System, slug: &str) -> Result<Organisation, Failure> {
    let s = Slug::parse(slug).map_err(|e| Failure::Input(format!("--org: {e}")))?;
    system
        .organisation(&s)
        .await?
        .ok_or_else(|| Failure::Input(format!("--org: no organisation '{slug}'")))
}

/// The vault, and Kinga's own work recorded under `task`.
async fn open(db: &Db, task: &str) -> Result<(System, Arc<Vault>), Failure> {
    let database = crate::database::open(db).await?;
    Ok((database.system(task), database.vault()))
}

/// Creates an organisation's keys with `passphrase`, recorded under the task of `system`; used
/// by `org add`, `keys init`, `init` and the demo.
pub async fn create_for(
    system: &System,
    vault: &Vault,
    org: &Organisation,
    passphrase: &str,
) -> Result<(), Failure> {
    check_new_passphrase(passphrase)?;
    let set = vault
        .create_keys(&system.acting_for(org), org, passphrase)
        .await?;
    eprintln!(
        "Keys of {} created (version {}). Keep the passphrase safe and run `kinga keys split --org {}`: without the passphrase or enough shares, its evidence cannot be read.",
        org.slug, set.version, org.slug
    );
    Ok(())
}

pub async fn init(db: &Db, slug: &str) -> Result<(), Failure> {
    let (system, vault) = open(db, "keys-init").await?;
    let org = organisation(&system, slug).await?;
    let pass = required_passphrase("keys init")?;
    create_for(&system, &vault, &org, &pass).await
}

pub async fn export_public(db: &Db, slug: &str, out: &Path) -> Result<(), Failure> {
    let (system, vault) = open(db, "keys-export-public").await?;
    let org = organisation(&system, slug).await?;
    let public = vault.public_keys(&org).await?;
    std::fs::write(out, public.to_text())
        .map_err(|e| Failure::Input(format!("{}: {e}", out.display())))?;
    println!(
        "{} (signing key {})",
        out.display(),
        public.signing_key_id()
    );
    Ok(())
}

pub async fn split(db: &Db, slug: &str, shares: u8, threshold: u8) -> Result<(), Failure> {
    if threshold < 2 || threshold > shares {
        return Err(Failure::Input(
            "--threshold must be at least 2 and at most --shares".into(),
        ));
    }
    let (system, vault) = open(db, "keys-split").await?;
    let org = organisation(&system, slug).await?;
    let pass = required_passphrase("keys split")?;
    let secret = vault.unlock(&org, &pass).await?;
    let parts = kinga_vault::shamir::split(&secret.secret_bytes(), threshold, shares)
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!(
        "Recovery shares of the keys of {} (version {}): any {threshold} of these {shares} recover them.",
        org.slug,
        vault.current_keys(&org).await?.version
    );
    println!(
        "Give each trustee one share, on paper. Rotating the keys makes these shares useless.\n"
    );
    for p in &parts {
        println!("share {} of {shares}:", p.index);
        println!("{}\n", kinga_vault::words::share_to_words(p));
    }
    Ok(())
}

/// Standard input: the shares as printed by `keys split` (blocks separated by blank lines; the
/// `share N of M:` lines may stay). The new passphrase comes from KINGA_KEY_PASSPHRASE.
pub async fn recover(db: &Db, slug: &str) -> Result<(), Failure> {
    let new_pass = std::env::var(PASSPHRASE_VAR)
        .ok()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Failure::Input(format!(
                "keys recover: set the new passphrase in {PASSPHRASE_VAR}; standard input carries the shares"
            ))
        })?;
    check_new_passphrase(&new_pass)?;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Input(format!("standard input: {e}")))?;
    let mut shares = Vec::new();
    for (n, block) in text.split("\n\n").enumerate() {
        let words: Vec<&str> = block
            .lines()
            .filter(|l| !l.trim_start().starts_with("share ") && !l.trim().is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        let share = kinga_vault::words::share_from_words(&words.join(" "))
            .map_err(|e| Failure::Input(format!("standard input, share block {}: {e}", n + 1)))?;
        shares.push(share);
    }
    let bytes = kinga_vault::shamir::combine(&shares).map_err(|e| Failure::Input(e.to_string()))?;
    let (system, vault) = open(db, "keys-recover").await?;
    let org = organisation(&system, slug).await?;
    let secret = kinga_vault::OrgSecretKeys::from_secret_bytes(org.slug.as_str(), &bytes)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if secret.public() != vault.public_keys(&org).await? {
        return Err(Failure::Input(format!(
            "these shares do not rebuild the current keys of {}: nothing was changed",
            org.slug
        )));
    }
    let set = vault
        .reseal(&system.acting_for(&org), &org, Arc::new(secret), &new_pass)
        .await?;
    println!(
        "Keys of {} (version {}) recovered and sealed under the new passphrase.",
        org.slug, set.version
    );
    Ok(())
}

pub async fn rotate(db: &Db, slug: &str) -> Result<(), Failure> {
    let (system, vault) = open(db, "keys-rotate").await?;
    let org = organisation(&system, slug).await?;
    let pass = required_passphrase("keys rotate")?;
    let old = vault.unlock(&org, &pass).await?;
    let (set, n) = vault
        .rotate(&system.acting_for(&org), &org, old, &pass)
        .await?;
    println!(
        "Keys of {} rotated to version {}: {n} data keys rewrapped, no blob re-encrypted. Split the new keys again: old shares no longer recover them.",
        org.slug, set.version
    );
    Ok(())
}

/// At `serve`: with KINGA_KEY_PASSPHRASE, keys are created for the demo organisations that have
/// none (recorded under the task of `demo`), and every organisation whose keys it opens is
/// unlocked for downloads.
pub async fn prepare_for_serving(vault: &Vault, demo: Option<&System>) -> Result<(), Failure> {
    let given = std::env::var(PASSPHRASE_VAR).ok().filter(|p| !p.is_empty());
    let pass = match given {
        Some(p) => p,
        None if demo.is_some() && !vault.organisations_without_keys().await?.is_empty() => {
            // The demo should show evidence end to end with no set-up, so it makes one
            // passphrase for its organisations and prints it once, like the demo passwords.
            let p = demo_passphrase();
            println!("Demo evidence-key passphrase (shown once; start again with {PASSPHRASE_VAR} set to it, or the evidence cannot be read): {p}");
            p
        }
        None => {
            println!("Evidence keys are locked (start with {PASSPHRASE_VAR} set to unlock them): evidence can be received but not viewed.");
            return Ok(());
        }
    };
    if let Some(system) = demo {
        for org in vault.organisations_without_keys().await? {
            create_for(system, vault, &org, &pass).await?;
        }
    }
    let outcome = vault.unlock_all(&pass).await?;
    let opened = outcome.iter().filter(|(_, ok)| *ok).count();
    let locked: Vec<&str> = outcome
        .iter()
        .filter(|(_, ok)| !*ok)
        .map(|(s, _)| s.as_str())
        .collect();
    println!(
        "Evidence keys unlocked for {opened} organisation(s){}.",
        if locked.is_empty() {
            String::new()
        } else {
            format!("; still locked (another passphrase): {}", locked.join(", "))
        }
    );
    Ok(())
}

/// Six words of the vault's word list: 48 bits, enough for a demonstration, easy to retype.
fn demo_passphrase() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..6)
        .map(|_| kinga_vault::words::WORDS[rng.gen_range(0..kinga_vault::words::WORDS.len())])
        .collect::<Vec<_>>()
        .join("-")
}
