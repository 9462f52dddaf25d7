//! The evidence vault joined to the store: intake seals the bytes (kinga-vault) and records them
//! (kinga-store) so that a blob never outlives a failed record; reading records a custody event
//! before the first byte leaves; keys are created, unlocked, split and rotated here. Both the web
//! server and the command line go through this one module.
use kinga_domain::evidence::*;
use kinga_domain::ids::{IncidentId, OrgId, ReportId};
use kinga_domain::org::Organisation;
use kinga_domain::{Role, Visibility};
use kinga_store::{Actor, EvidenceFilter, Scope, Store, StoreError};
use kinga_vault::{
    IntakeOptions, LockedKeys, OrgPublicKeys, OrgSecretKeys, TimestampInfo, VaultError, WrappedKey,
};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

mod copies;
mod desk;
mod keyless;
mod reads;
pub use copies::DerivedCopy;
pub use desk::{
    may_note_custody, may_verify, may_write_sealed, CustodyNote, ItemCheck, KeyStatus, NOTE_LIMIT,
};

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("the keys of organisation {0} are locked: unlock them with the organisation's passphrase (without the passphrase or enough recovery shares the evidence cannot be read)")]
    Locked(String),
    #[error("organisation {0} has no keys yet: run `kinga keys init --org {0}`")]
    NoKeys(String),
    #[error("{0}")]
    Forbidden(String),
    /// Input the caller can correct; `field` names what to correct.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// What arrived is not what its sender announced; nothing was stored.
    #[error("{0}")]
    Mismatch(String),
    /// A failure of this server (a worker that stopped, a sealed value that no key opens): logged
    /// in full, never the caller's to fix.
    #[error("internal failure: {0}")]
    Internal(String),
    #[error("this server was started without an evidence vault")]
    NoVault,
}

pub type Result<T, E = EvidenceError> = std::result::Result<T, E>;

/// Where the evidence goes: an incident, a report, or both.
#[derive(Debug, Clone)]
pub struct Attach {
    pub incident: Option<IncidentId>,
    pub report: Option<ReportId>,
    pub visibility: Visibility,
}

/// What the sender said about the file, checked against what arrived.
#[derive(Debug, Clone, Default)]
pub struct Announced {
    pub name: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
}

/// The key that opens a blob and what its sealed file hashes to, as recorded with it.
struct BlobKey {
    wrapped_key: String,
    key_version: i64,
    blob_sha256: String,
}

/// Which bytes a reader asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Capture metadata stripped (the default for everyone).
    WorkingCopy,
    /// The sealed original, for legal officers and administrators.
    Original,
}

/// Bytes ready to be served, with what a response needs to say about them.
pub struct Opened {
    pub item: EvidenceItem,
    pub media_type: String,
    pub inline_safe: bool,
    pub size: u64,
    pub file_name: String,
    pub reader: Box<dyn Read + Send>,
}

#[derive(Debug, Clone, Default)]
pub struct DossierOptions {
    pub working_copies: bool,
    pub with_metadata: bool,
    /// With a time-stamp authority, the manifest gets an RFC 3161 token (manifest.tsr); when
    /// the authority fails, no dossier is written.
    pub tsa: Option<kinga_vault::Tsa>,
}

#[derive(Debug, Clone)]
pub struct DossierOutcome {
    pub items: usize,
    /// Items of the incident owned by other organisations: each signs its own dossier.
    pub skipped: Vec<String>,
    pub timestamp: Option<TimestampInfo>,
}

/// Removes the temporary file unless it was renamed into place.
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tempfile_in(dir: &Path) -> Result<TempPath> {
    let name = format!(".kinga-dossier-{}.part", uuid::Uuid::now_v7());
    Ok(TempPath(dir.join(name)))
}

/// Who may have the sealed original rather than a working copy.
pub fn may_have_original(role: Role) -> bool {
    role.sees_sealed()
}

pub struct Vault {
    store: Arc<dyn Store>,
    root: PathBuf,
    unlocked: RwLock<HashMap<OrgId, Arc<OrgSecretKeys>>>,
    max_item_bytes: u64,
}

/// The largest item intake takes unless told otherwise: a long phone video fits, a disk-filling
/// upload does not.
pub const DEFAULT_MAX_ITEM_BYTES: u64 = 1 << 30;

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("root", &self.root).finish()
    }
}

fn blocking_failed(e: tokio::task::JoinError) -> EvidenceError {
    EvidenceError::Internal(format!("vault worker stopped: {e}"))
}

/// What a new working copy is, as the code that made it describes it.
pub(crate) struct CopyMade {
    pub derivation: String,
    pub media_type: String,
    pub kind: CopyKind,
    pub params: serde_json::Value,
}

impl Vault {
    pub fn new(store: Arc<dyn Store>, root: impl Into<PathBuf>) -> Self {
        Vault {
            store,
            root: root.into(),
            unlocked: RwLock::new(HashMap::new()),
            max_item_bytes: DEFAULT_MAX_ITEM_BYTES,
        }
    }

    /// Refuses items larger than `bytes` at intake.
    pub fn with_max_item_bytes(mut self, bytes: u64) -> Self {
        self.max_item_bytes = bytes;
        self
    }

    pub fn max_item_bytes(&self) -> u64 {
        self.max_item_bytes
    }

    /// One blob root per organisation: identical content in two organisations stays two blobs
    /// under two keys.
    pub fn org_root(&self, org: OrgId) -> PathBuf {
        self.root.join(org.to_string())
    }

    // ---- keys ----

    #[tracing::instrument(skip_all)]
    pub async fn create_keys(
        &self,
        actor: &Actor,
        org: &Organisation,
        passphrase: &str,
    ) -> Result<OrgKeySet> {
        let (slug, pass) = (org.slug.to_string(), passphrase.to_string());
        let (locked, secret) = tokio::task::spawn_blocking(move || {
            let secret = OrgSecretKeys::generate(&slug);
            secret.lock(&pass).map(|l| (l, secret))
        })
        .await
        .map_err(blocking_failed)??;
        let new = new_key_set(org.id, &locked);
        let set = self.store.add_org_keys(actor, new).await?;
        self.keep_unlocked(org.id, Arc::new(secret));
        Ok(set)
    }

    #[tracing::instrument(skip_all)]
    pub async fn current_keys(&self, org: &Organisation) -> Result<OrgKeySet> {
        self.store
            .org_key_sets(org.id)
            .await?
            .into_iter()
            .rfind(|k| k.retired_at.is_none())
            .ok_or_else(|| EvidenceError::NoKeys(org.slug.to_string()))
    }

    #[tracing::instrument(skip_all)]
    pub async fn public_keys(&self, org: &Organisation) -> Result<OrgPublicKeys> {
        let set = self.current_keys(org).await?;
        Ok(LockedKeys::from_json(&set.sealed_secret)?.public()?)
    }

    /// Opens the organisation's secrets with its passphrase and keeps them in memory. A wrong
    /// passphrase changes nothing.
    #[tracing::instrument(skip_all)]
    pub async fn unlock(&self, org: &Organisation, passphrase: &str) -> Result<Arc<OrgSecretKeys>> {
        let secret = Arc::new(self.open_secret(org, passphrase).await?);
        self.keep_unlocked(org.id, secret.clone());
        Ok(secret)
    }

    /// The organisation's secrets, opened with the passphrase off the async threads (the
    /// passphrase derivation is slow on purpose); nothing is kept.
    async fn open_secret(&self, org: &Organisation, passphrase: &str) -> Result<OrgSecretKeys> {
        let set = self.current_keys(org).await?;
        let pass = passphrase.to_string();
        Ok(tokio::task::spawn_blocking(move || {
            LockedKeys::from_json(&set.sealed_secret)?.unlock(&pass)
        })
        .await
        .map_err(blocking_failed)??)
    }

    /// From here on this process can open the organisation's evidence.
    fn keep_unlocked(&self, org: OrgId, secret: Arc<OrgSecretKeys>) {
        self.unlocked
            .write()
            .expect("key cache lock")
            .insert(org, secret);
    }

    /// Records a working copy that intake has just sealed (and not yet placed), under the
    /// content's lock: see [`Vault::place_and_record`].
    pub(crate) async fn record_copy(
        &self,
        actor: &Actor,
        scope: &Scope,
        item: &EvidenceItem,
        intake: kinga_vault::Intake,
        copy: CopyMade,
    ) -> Result<WorkingCopy> {
        let (sha256, size) = (intake.sha256.clone(), intake.size as i64);
        self.place_and_record(
            item.organisation_id,
            item.key_version,
            intake,
            |key| async move {
                let new = NewWorkingCopy {
                    evidence_id: item.id,
                    derivation: copy.derivation,
                    sha256: sha256.clone(),
                    size,
                    media_type: copy.media_type,
                    blob_address: sha256,
                    blob_sha256: key.blob_sha256,
                    wrapped_key: key.wrapped_key,
                    key_version: key.key_version,
                    kind: copy.kind,
                    params: Some(copy.params),
                };
                Ok(self.store.add_working_copy(actor, scope, new).await?)
            },
        )
        .await
    }

    /// Gives sealed content its place in the organisation's vault and records it, holding the
    /// content's lock from the store's answer to the commit: the first intake of some bytes
    /// places its blob and records its key; a later one finds that record and records the same
    /// blob and key, its own sealed file discarded. A blob on disk with no record (left by a
    /// crash between placing and recording) is replaced. If the record fails, a blob placed for
    /// it is removed while the lock still keeps every other intake of those bytes waiting.
    async fn place_and_record<T, F, Fut>(
        &self,
        org: OrgId,
        fresh_key_version: i64,
        mut intake: kinga_vault::Intake,
        record: F,
    ) -> Result<T>
    where
        F: FnOnce(BlobKey) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let root = self.org_root(org);
        let sha = intake.sha256.clone();
        let _lock =
            tokio::task::spawn_blocking(move || kinga_vault::BlobLock::acquire(&root, &sha))
                .await
                .map_err(blocking_failed)??;
        let key = match self.store.sealed_blob(org, &intake.sha256).await? {
            Some(b) => {
                intake.discard();
                BlobKey {
                    wrapped_key: b.wrapped_key,
                    key_version: b.key_version,
                    blob_sha256: b.blob_sha256,
                }
            }
            None => {
                intake.place()?;
                BlobKey {
                    wrapped_key: intake.wrapped_key.to_string(),
                    key_version: fresh_key_version,
                    blob_sha256: intake.sealed_sha256.clone(),
                }
            }
        };
        let recorded = record(key).await;
        if recorded.is_err() && !intake.already_stored {
            let _ = std::fs::remove_file(&intake.path);
        }
        recorded
    }

    pub fn is_unlocked(&self, org: OrgId) -> bool {
        self.unlocked
            .read()
            .expect("key cache lock")
            .contains_key(&org)
    }

    /// The unlocked secrets of the item's organisation, for the vault's other services.
    pub(crate) fn secret_of(&self, item: &EvidenceItem) -> Result<Arc<OrgSecretKeys>> {
        self.secret(item)
    }

    fn secret(&self, item: &EvidenceItem) -> Result<Arc<OrgSecretKeys>> {
        self.unlocked
            .read()
            .expect("key cache lock")
            .get(&item.organisation_id)
            .cloned()
            .ok_or_else(|| EvidenceError::Locked(item.organisation.to_string()))
    }

    /// Seals the secrets of the current version under a new passphrase.
    #[tracing::instrument(skip_all)]
    pub async fn reseal(
        &self,
        actor: &Actor,
        org: &Organisation,
        secret: Arc<OrgSecretKeys>,
        passphrase: &str,
    ) -> Result<OrgKeySet> {
        let set = self.current_keys(org).await?;
        let pass = passphrase.to_string();
        let s = secret.clone();
        let locked = tokio::task::spawn_blocking(move || s.lock(&pass))
            .await
            .map_err(blocking_failed)??;
        let out = self
            .store
            .reseal_org_keys(actor, org.id, set.version, locked.to_json())
            .await?;
        self.keep_unlocked(org.id, secret);
        Ok(out)
    }

    /// New keys for the organisation; every data key is rewrapped to them, no blob is touched.
    #[tracing::instrument(skip_all)]
    pub async fn rotate(
        &self,
        actor: &Actor,
        org: &Organisation,
        old: Arc<OrgSecretKeys>,
        passphrase: &str,
    ) -> Result<(OrgKeySet, usize)> {
        let (slug, pass) = (org.slug.to_string(), passphrase.to_string());
        let (locked, fresh) = tokio::task::spawn_blocking(move || {
            let s = OrgSecretKeys::generate(&slug);
            s.lock(&pass).map(|l| (l, s))
        })
        .await
        .map_err(blocking_failed)??;
        let to = fresh.public();
        let scope = Scope::maintenance();
        let mut rewraps = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .evidence_list(
                    &scope,
                    &EvidenceFilter {
                        organisation: Some(org.id),
                        after,
                        limit: 500,
                        ..Default::default()
                    },
                )
                .await?;
            for item in &page {
                let w: WrappedKey = item.wrapped_key.parse()?;
                rewraps.push(Rewrap {
                    target: RewrapTarget::Original(item.id),
                    wrapped_key: old.rewrap(&w, &to)?.to_string(),
                });
                for c in self.store.working_copies(&scope, item.id).await? {
                    let w: WrappedKey = c.wrapped_key.parse()?;
                    rewraps.push(Rewrap {
                        target: RewrapTarget::Copy(c.id),
                        wrapped_key: old.rewrap(&w, &to)?.to_string(),
                    });
                }
            }
            match page.last() {
                Some(l) if page.len() == 500 => after = Some(l.id),
                _ => break,
            }
        }
        for f in self.store.sealed_fields_of(org.id).await? {
            let place = format!("{}:{}:{}", f.record_kind, f.record_id, f.field);
            let value = kinga_vault::sealed::open(&old, &place, &f.ciphertext)
                .map_err(|e| EvidenceError::Internal(format!("sealed field {}: {e}", f.id)))?;
            rewraps.push(Rewrap {
                target: RewrapTarget::Field(f.id),
                wrapped_key: kinga_vault::sealed::seal(&to, &place, &value),
            });
        }
        let n = rewraps.len();
        let set = self
            .store
            .rotate_org_keys(actor, new_key_set(org.id, &locked), rewraps)
            .await?;
        self.keep_unlocked(org.id, Arc::new(fresh));
        Ok((set, n))
    }

    // ---- intake ----

    /// Hashes, seals and records `reader` in one pass. Anything short of a committed record
    /// leaves no blob behind.
    #[tracing::instrument(skip_all)]
    pub async fn receive<R: Read + Send + 'static>(
        &self,
        actor: &Actor,
        scope: &Scope,
        org: &Organisation,
        attach: Attach,
        announced: Announced,
        reader: R,
    ) -> Result<EvidenceItem> {
        // Observers read; they do not add to the record a court will see.
        if let Some(role) = scope.role.filter(|r| !r.may_submit_reports()) {
            return Err(EvidenceError::Forbidden(format!(
                "your role ({role}) may not add evidence"
            )));
        }
        self.may_attach(scope, org, &attach).await?;
        let public = self.public_keys(org).await?;
        let key_version = self.current_keys(org).await?.version;
        let root = self.org_root(org.id);
        let options = IntakeOptions {
            expected_len: announced.size,
            max_len: Some(self.max_item_bytes),
            ..Default::default()
        };
        let intake = tokio::task::spawn_blocking(move || {
            kinga_vault::seal(&root, reader, &public, &options)
        })
        .await
        .map_err(blocking_failed)??;
        if let Some(want) = announced.sha256.as_deref() {
            if !want.eq_ignore_ascii_case(&intake.sha256) {
                return Err(EvidenceError::Mismatch(format!(
                    "the file received has SHA-256 {}, the sender announced {want}: nothing was stored",
                    intake.sha256
                )));
            }
        }
        let capture = (!intake.capture.is_empty())
            .then(|| serde_json::to_value(&intake.capture).ok())
            .flatten();
        let new = NewEvidence {
            visibility: attach.visibility,
            incident_id: attach.incident,
            report_id: attach.report,
            sha256: intake.sha256.clone(),
            size: intake.size as i64,
            media_type: intake.media.mime.clone(),
            inline_safe: intake.media.inline == kinga_vault::Inline::Allowed,
            original_name: announced.name.map(|n| clean_name(&n)),
            blob_address: intake.sha256.clone(),
            blob_sha256: String::new(),
            wrapped_key: String::new(),
            key_version,
            capture_metadata: capture,
            perceptual_hash: intake.perceptual_hash.map(|p| format!("{:016x}", p.0)),
        };
        self.place_and_record(org.id, key_version, intake, |key| async move {
            let new = NewEvidence {
                blob_sha256: key.blob_sha256,
                wrapped_key: key.wrapped_key,
                key_version: key.key_version,
                ..new
            };
            Ok(self.store.add_evidence(actor, scope, new).await?)
        })
        .await
    }

    /// Evidence goes to the owner's own records or to those of a network partner (decision
    /// 0005); a public record of an organisation outside the caller's networks is readable,
    /// but its owner could neither refuse nor remove what a stranger attached. Checked before
    /// any byte is read, so a refusal stores nothing.
    async fn may_attach(&self, scope: &Scope, org: &Organisation, attach: &Attach) -> Result<()> {
        let mut owners = Vec::new();
        if let Some(i) = attach.incident {
            let found = self.store.incident(scope, i).await?;
            owners.push(found.ok_or(StoreError::NotFound)?.organisation_id);
        }
        if let Some(r) = attach.report {
            let found = self.store.report(scope, r).await?;
            owners.push(found.ok_or(StoreError::NotFound)?.organisation_id);
        }
        let partner = |o: &OrgId| *o == org.id || scope.network_peers.contains(o);
        if owners.iter().all(partner) {
            Ok(())
        } else {
            Err(EvidenceError::Forbidden(
                "evidence goes only to records of your organisation or of its network partners"
                    .into(),
            ))
        }
    }

    // ---- reading ----

    /// Opens an item for a reader: a working copy unless the original is asked for and allowed.
    /// The custody event is written after the key has opened the blob and before any byte is
    /// handed out.
    #[tracing::instrument(skip_all)]
    pub async fn open(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Option<Role>,
        id: EvidenceId,
        wanted: Wanted,
        kind: CustodyKind,
    ) -> Result<Opened> {
        let item = self
            .store
            .evidence(scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if wanted == Wanted::Original && !scope.everything && !role.is_some_and(may_have_original) {
            return Err(EvidenceError::Forbidden(
                "only legal officers and administrators may have the sealed original; ask for the working copy".into(),
            ));
        }
        let secret = self.secret(&item)?;
        let root = self.org_root(item.organisation_id);
        let (sha, wrapped, bytes_size, media, name, detail) = match wanted {
            Wanted::Original => (
                item.sha256.clone(),
                item.wrapped_key.clone(),
                item.size as u64,
                item.media_type.clone(),
                item.original_name
                    .clone()
                    .unwrap_or_else(|| item.sha256.clone()),
                "sealed original".to_string(),
            ),
            Wanted::WorkingCopy => {
                let copy = self.working_copy(actor, scope, &item, &secret).await?;
                match copy {
                    Some(c) => (
                        c.sha256.clone(),
                        c.wrapped_key.clone(),
                        c.size as u64,
                        c.media_type.clone(),
                        format!(
                            "working-copy-{}",
                            item.original_name
                                .clone()
                                .unwrap_or_else(|| item.sha256.clone())
                        ),
                        format!("working copy {} ({})", c.id, c.derivation),
                    ),
                    None => (
                        item.sha256.clone(),
                        item.wrapped_key.clone(),
                        item.size as u64,
                        item.media_type.clone(),
                        item.original_name
                            .clone()
                            .unwrap_or_else(|| item.sha256.clone()),
                        format!(
                            "as received: {} carries no strippable capture metadata",
                            item.media_type
                        ),
                    ),
                }
            }
        };
        let label = item.id.to_string();
        let reader = tokio::task::spawn_blocking(move || -> Result<Box<dyn Read + Send>> {
            let key = secret.unwrap(&wrapped.parse()?)?;
            let mut r = kinga_vault::open_blob(&root, &sha, &key, &label)?;
            // Read the first chunk now: a damaged blob fails here, before anything is served.
            let mut first = vec![0u8; 64 << 10];
            let n = read_some(&mut r, &mut first)?;
            first.truncate(n);
            Ok(Box::new(std::io::Cursor::new(first).chain(r)))
        })
        .await
        .map_err(blocking_failed)??;
        self.store
            .record_custody(actor, scope, item.id, kind, Some(detail))
            .await?;
        let inline_safe = item.inline_safe;
        Ok(Opened {
            item,
            media_type: media,
            inline_safe,
            size: bytes_size,
            file_name: name,
            reader,
        })
    }

    /// The item's metadata-stripped copy, made on first use for the image types that carry
    /// capture metadata; `None` for types that have none to strip.
    async fn working_copy(
        &self,
        actor: &Actor,
        scope: &Scope,
        item: &EvidenceItem,
        secret: &Arc<OrgSecretKeys>,
    ) -> Result<Option<WorkingCopy>> {
        if let Some(c) = self
            .store
            .working_copies(scope, item.id)
            .await?
            .into_iter()
            .find(|c| c.kind == CopyKind::Stripped)
        {
            return Ok(Some(c));
        }
        const STRIPPABLE_LIMIT: i64 = 64 << 20;
        if !matches!(item.media_type.as_str(), "image/jpeg" | "image/png")
            || item.size > STRIPPABLE_LIMIT
        {
            return Ok(None);
        }
        let root = self.org_root(item.organisation_id);
        let (sha, wrapped, label) = (
            item.sha256.clone(),
            item.wrapped_key.clone(),
            item.id.to_string(),
        );
        let public = secret.public();
        let s = secret.clone();
        let made = tokio::task::spawn_blocking(move || -> Result<_> {
            let key = s.unwrap(&wrapped.parse()?)?;
            let mut original = Vec::new();
            kinga_vault::blob::copy_blob(&root, &sha, &key, &label, &mut original)?;
            let copy = kinga_vault::strip_metadata(&original)?;
            let len = copy.bytes.len() as u64;
            let intake = kinga_vault::seal(
                &root,
                std::io::Cursor::new(copy.bytes),
                &public,
                &IntakeOptions {
                    expected_len: Some(len),
                    ..Default::default()
                },
            )?;
            Ok((intake, copy.lineage, copy.mime))
        })
        .await
        .map_err(blocking_failed)??;
        let (intake, lineage, mime) = made;
        let copy = CopyMade {
            derivation: format!(
                "{}: removed {}",
                lineage.method,
                if lineage.removed.is_empty() {
                    "nothing".to_string()
                } else {
                    lineage.removed.join(", ")
                }
            ),
            media_type: mime.to_string(),
            kind: CopyKind::Stripped,
            params: serde_json::json!({"method": lineage.method, "removed": lineage.removed}),
        };
        let copy = self.record_copy(actor, scope, item, intake, copy).await?;
        Ok(Some(copy))
    }

    // ---- export ----

    /// Writes a signed dossier of the incident's evidence owned by `org` to `out` (through a
    /// temporary file, so a failed export leaves no half-written zip). Each item gets its
    /// `export` custody event first, so the chain in the dossier includes its own export.
    #[tracing::instrument(skip_all)]
    pub async fn export_dossier(
        &self,
        actor: &Actor,
        scope: &Scope,
        org: &Organisation,
        incident: IncidentId,
        options: DossierOptions,
        out: &Path,
    ) -> Result<DossierOutcome> {
        let inc = self
            .store
            .incident(scope, incident)
            .await?
            .ok_or(StoreError::NotFound)?;
        let secret = self
            .unlocked
            .read()
            .expect("key cache lock")
            .get(&org.id)
            .cloned()
            .ok_or_else(|| EvidenceError::Locked(org.slug.to_string()))?;
        let items = self
            .store
            .evidence_list(
                scope,
                &EvidenceFilter {
                    incident: Some(incident),
                    ..Default::default()
                },
            )
            .await?;
        let file_label = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dossier".into());
        let mut planned = Vec::new();
        let mut exported: Vec<EvidenceId> = Vec::new();
        let mut skipped = Vec::new();
        for item in items {
            if item.organisation_id != org.id {
                skipped.push(format!("{} (owned by {})", item.id, item.organisation));
                continue;
            }
            let copy = if options.working_copies {
                self.working_copy(actor, scope, &item, &secret).await?
            } else {
                None
            };
            let (role, sha, wrapped, mime, name, derived_from) = match &copy {
                Some(c) => (
                    "working_copy",
                    c.sha256.clone(),
                    c.wrapped_key.clone(),
                    c.media_type.clone(),
                    format!(
                        "working-copy-{}",
                        item.original_name
                            .clone()
                            .unwrap_or_else(|| item.sha256.clone())
                    ),
                    Some(item.sha256.clone()),
                ),
                None => (
                    "original",
                    item.sha256.clone(),
                    item.wrapped_key.clone(),
                    item.media_type.clone(),
                    item.original_name
                        .clone()
                        .unwrap_or_else(|| item.sha256.clone()),
                    None,
                ),
            };
            self.store
                .record_custody(
                    actor,
                    scope,
                    item.id,
                    CustodyKind::Export,
                    Some(format!("{role} in dossier {file_label}")),
                )
                .await?;
            let custody = self
                .store
                .custody_log(scope, item.id)
                .await?
                .iter()
                .map(CustodyEvent::entry)
                .collect();
            let capture = if options.with_metadata {
                item.capture_metadata
                    .clone()
                    .and_then(|v| serde_json::from_value::<kinga_vault::CaptureMetadata>(v).ok())
            } else {
                None
            };
            planned.push((
                kinga_vault::BundleItem {
                    evidence_id: item.id.to_string(),
                    file_name: name,
                    mime,
                    role: role.into(),
                    derived_from,
                    capture,
                    custody,
                },
                sha,
                wrapped,
            ));
            exported.push(item.id);
        }
        let header = kinga_vault::bundle::ExportHeader {
            exported_by: actor.label.clone(),
            exported_at: kinga_domain::time::now()
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            incident: kinga_vault::IncidentSummary {
                id: inc.id.to_string(),
                title: inc.title.clone(),
                country: Some(inc.country.code().to_string()),
                occurred: Some(inc.date_start.to_string()),
                summary: inc.summary.clone().unwrap_or_default(),
            },
        };
        let root = self.org_root(org.id);
        let out = out.to_path_buf();
        let count = planned.len();
        let dir = out.clone();
        let (sealed, tmp) = tokio::task::spawn_blocking(move || {
            let dir = dir
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let tmp = tempfile_in(dir)?;
            let file = std::fs::File::create(&tmp.0).map_err(|e| VaultError::Io {
                path: tmp.0.clone(),
                source: e,
            })?;
            let mut writer = kinga_vault::BundleWriter::new(std::io::BufWriter::new(file));
            for (bi, sha, wrapped) in planned {
                let key = secret.unwrap(&wrapped.parse()?)?;
                let mut r = kinga_vault::open_blob(&root, &sha, &key, &bi.evidence_id)?;
                writer.add(bi, &mut r, None)?;
            }
            Ok::<_, EvidenceError>((writer.seal(header, &secret)?, tmp))
        })
        .await
        .map_err(blocking_failed)??;
        // Awaited here rather than inside the blocking task: the authority may take its time,
        // and a failure drops `tmp`, so no partial dossier is left behind.
        let stamped = match &options.tsa {
            Some(tsa) => Some(tsa.stamp(&sealed.manifest_sha256()).await?),
            None => None,
        };
        let token = stamped.as_ref().map(|(token, _)| token.clone());
        tokio::task::spawn_blocking(move || {
            let (buf, _) = sealed.finish(token.as_deref())?;
            let file = buf.into_inner().map_err(|e| VaultError::Io {
                path: tmp.0.clone(),
                source: e.into_error(),
            })?;
            file.sync_all().map_err(|e| VaultError::Io {
                path: tmp.0.clone(),
                source: e,
            })?;
            std::fs::rename(&tmp.0, &out).map_err(|e| VaultError::Io {
                path: out.clone(),
                source: e,
            })?;
            std::mem::forget(tmp);
            Ok::<_, EvidenceError>(())
        })
        .await
        .map_err(blocking_failed)??;
        let stamped = stamped.map(|(_, info)| info);
        // The export events are inside the signed manifest, so they cannot name the token that
        // signs over it; a follow-up event puts the time-stamp in each item's custody trail.
        if let Some(info) = &stamped {
            for id in &exported {
                self.store
                    .record_custody(
                        actor,
                        scope,
                        *id,
                        CustodyKind::Export,
                        Some(format!(
                            "manifest of dossier {file_label} time-stamped at {} by {} (serial {}, policy {})",
                            info.gen_time, info.tsa_name, info.serial, info.policy
                        )),
                    )
                    .await?;
            }
        }
        Ok(DossierOutcome {
            items: count,
            skipped,
            timestamp: stamped,
        })
    }

    // ---- sealed fields ----

    /// Encrypts each value to the report's organisation and stores only the ciphertext.
    #[tracing::instrument(skip_all)]
    pub async fn seal_report_fields(
        &self,
        actor: &Actor,
        scope: &Scope,
        report: ReportId,
        values: Vec<(String, String)>,
    ) -> Result<Vec<String>> {
        let rep = self
            .store
            .report(scope, report)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !may_write_sealed(scope, &rep) {
            return Err(EvidenceError::Forbidden(
                "a protected source is written by the member who filed the report or by the legal officers and administrators of its organisation".into(),
            ));
        }
        let org = self
            .store
            .organisation(&rep.organisation)
            .await?
            .ok_or(StoreError::NotFound)?;
        let public = self.public_keys(&org).await?;
        let version = self.current_keys(&org).await?.version;
        let mut sealed = Vec::new();
        for (field, value) in values {
            let ciphertext = kinga_vault::sealed::seal(&public, &place(report, &field), &value);
            let f = self
                .store
                .seal_report_field(
                    actor,
                    scope,
                    NewSealedField {
                        report,
                        field,
                        key_version: version,
                        ciphertext,
                    },
                )
                .await?;
            sealed.push(f.field);
        }
        Ok(sealed)
    }

    /// The clear values, for legal officers and administrators of the owning organisation
    /// while its keys are unlocked.
    #[tracing::instrument(skip_all)]
    pub async fn open_report_fields(
        &self,
        scope: &Scope,
        role: Role,
        report: ReportId,
    ) -> Result<Vec<(String, String)>> {
        if !role.sees_sealed() {
            return Err(EvidenceError::Forbidden(
                "only legal officers and administrators may read sealed fields".into(),
            ));
        }
        let fields = self.store.sealed_report_fields(scope, report).await?;
        let mut out = Vec::new();
        for f in fields {
            if Some(f.organisation_id) != scope.organisation_id && !scope.everything {
                return Err(EvidenceError::Forbidden(
                    "sealed fields are read only inside the organisation that holds them".into(),
                ));
            }
            let secret = self
                .unlocked
                .read()
                .expect("key cache lock")
                .get(&f.organisation_id)
                .cloned()
                .ok_or_else(|| EvidenceError::Locked(f.organisation_id.to_string()))?;
            let value = kinga_vault::sealed::open(&secret, &place(report, &f.field), &f.ciphertext)
                .map_err(|e| EvidenceError::Internal(format!("sealed field {}: {e}", f.field)))?;
            out.push((f.field, value));
        }
        Ok(out)
    }

    // ---- verification ----

    /// Re-hashes every sealed file (originals and copies) against the hash recorded at intake,
    /// without any key; with an organisation's keys unlocked, also decrypts and re-hashes the
    /// content. Returns how many were checked and one line per mismatch.
    #[tracing::instrument(skip_all)]
    pub async fn check_sealed(&self) -> Result<(u64, Vec<String>)> {
        let scope = Scope::maintenance();
        let mut after = None;
        let (mut checked, mut failures) = (0u64, Vec::new());
        loop {
            let page = self
                .store
                .evidence_list(
                    &scope,
                    &EvidenceFilter {
                        after,
                        limit: 500,
                        ..Default::default()
                    },
                )
                .await?;
            for item in &page {
                let mut blobs = vec![(
                    item.sha256.clone(),
                    item.blob_sha256.clone(),
                    item.wrapped_key.clone(),
                    item.id.to_string(),
                    format!("sealed original, sha256 {}", item.sha256),
                )];
                for c in self.store.working_copies(&scope, item.id).await? {
                    blobs.push((
                        c.sha256.clone(),
                        c.blob_sha256.clone(),
                        c.wrapped_key.clone(),
                        item.id.to_string(),
                        format!("working copy {}, sha256 {}", c.id, c.sha256),
                    ));
                }
                let root = self.org_root(item.organisation_id);
                let secret = self.secret(item).ok();
                let found = tokio::task::spawn_blocking(move || {
                    let mut bad = Vec::new();
                    for (sha, sealed, wrapped, label, what) in blobs {
                        if let Err(e) =
                            kinga_vault::blob::verify_sealed_file(&root, &sha, &sealed, &label)
                        {
                            bad.push(format!("{e} [{what}]"));
                            continue;
                        }
                        if let Some(s) = &secret {
                            let r = wrapped
                                .parse::<WrappedKey>()
                                .and_then(|w| s.unwrap(&w))
                                .and_then(|k| {
                                    kinga_vault::blob::verify_blob(&root, &sha, &k, &label)
                                });
                            if let Err(e) = r {
                                bad.push(format!("{e} [{what}]"));
                            }
                        }
                    }
                    bad
                })
                .await
                .map_err(blocking_failed)?;
                checked += 1;
                failures.extend(found);
            }
            match page.last() {
                Some(l) if page.len() == 500 => after = Some(l.id),
                _ => break,
            }
        }
        Ok((checked, failures))
    }

    /// Unlocks, with one passphrase, every organisation whose keys it opens (the demo's way).
    #[tracing::instrument(skip_all)]
    pub async fn unlock_all(&self, passphrase: &str) -> Result<Vec<(String, bool)>> {
        let mut out = Vec::new();
        for org in self.store.organisations().await? {
            match self.unlock(&org, passphrase).await {
                Ok(_) => out.push((org.slug.to_string(), true)),
                Err(EvidenceError::NoKeys(_)) => {}
                Err(_) => out.push((org.slug.to_string(), false)),
            }
        }
        Ok(out)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn place(report: ReportId, field: &str) -> String {
    format!("report:{report}:{field}")
}

fn new_key_set(org: OrgId, locked: &LockedKeys) -> NewOrgKeySet {
    NewOrgKeySet {
        organisation_id: org,
        encryption_public: locked.encryption_key.clone(),
        signing_public: locked.signing_key.clone(),
        sealed_secret: locked.to_json(),
    }
}

fn read_some(r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(unwrap_io(e)),
        }
    }
    Ok(got)
}

fn unwrap_io(e: std::io::Error) -> EvidenceError {
    if e.get_ref()
        .is_some_and(<dyn std::error::Error + Send + Sync + 'static>::is::<VaultError>)
    {
        if let Some(inner) = e.into_inner() {
            if let Ok(v) = inner.downcast::<VaultError>() {
                return EvidenceError::Vault(*v);
            }
        }
        return EvidenceError::Internal("vault read failed".into());
    }
    EvidenceError::Vault(VaultError::Read(e))
}

/// The sender's file name, kept for display only: no path, no control characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    if cleaned.trim().is_empty() {
        "unnamed".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the store chains is what a dossier carries and is checked against.
    #[test]
    fn stored_custody_chains_verify_as_dossier_chains() {
        let id = EvidenceId::new();
        let at = kinga_domain::time::now();
        let mut events: Vec<CustodyEvent> = Vec::new();
        for (kind, detail) in [
            (CustodyKind::Receive, Some("12 bytes".to_string())),
            (CustodyKind::Hash, None),
            (
                CustodyKind::Export,
                Some("original in dossier d.zip".into()),
            ),
        ] {
            let e = CustodyEvent::next(events.last(), id, kind, "legal@irri.org", at, detail);
            events.push(e);
        }
        let entries: Vec<_> = events.iter().map(CustodyEvent::entry).collect();
        verify_custody(&id.to_string(), &entries).unwrap();
        for (e, v) in events.iter().zip(&entries) {
            assert_eq!(e.entry_hash, v.compute_hash());
        }
    }

    #[test]
    fn file_names_are_kept_for_display_only() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\photos\\IMG 1.jpg"), "IMG 1.jpg");
        assert_eq!(clean_name("\u{7}"), "unnamed");
    }
}
