//! Derived working copies joined to the store: the sealed original is decrypted as a stream,
//! the copy made from it (see [`kinga_vault::derive`]) is sealed like any blob, and its record, lineage
//! and `derive` custody event are written in one transaction. Opening a copy records its custody
//! event before any byte is handed out.
use super::{CopyMade, EvidenceError, Opened, Result, Vault};
use kinga_domain::evidence::{
    CopyKind, CustodyKind, EvidenceId, EvidenceItem, WorkingCopy, WorkingCopyId,
};
use kinga_domain::Role;
use kinga_store::{Actor, Scope, StoreError};
use kinga_vault::derive::{derivable, derive, Derivation, MAX_ORIGINAL_BYTES};
use kinga_vault::{IntakeOptions, VaultError};
use std::io::Read;

/// A derived copy and whether this request made it (`false`: the same copy existed already).
#[derive(Debug, Clone)]
pub struct DerivedCopy {
    pub copy: WorkingCopy,
    pub created: bool,
}

fn worker_stopped(e: tokio::task::JoinError) -> EvidenceError {
    EvidenceError::Internal(format!("vault worker stopped: {e}"))
}

/// Who may make copies: case workers of the organisation that owns the item (maintenance
/// scopes, as the command line uses, act for that organisation).
fn may_derive(scope: &Scope, role: Option<Role>, item: &EvidenceItem) -> Result<()> {
    if scope.everything {
        return Ok(());
    }
    if !role.is_some_and(|r| r.works_cases()) {
        return Err(EvidenceError::Forbidden(
            "only analysts, coordinators, legal officers and administrators may derive copies of evidence".into(),
        ));
    }
    if scope.organisation_id != Some(item.organisation_id) {
        return Err(EvidenceError::Forbidden(format!(
            "copies of this item are derived by {}, the organisation that holds it",
            item.organisation
        )));
    }
    Ok(())
}

impl Vault {
    /// Makes a thumbnail or a blurred copy of an image original. Asking twice for the same copy
    /// returns the one already made, with no new record.
    #[tracing::instrument(skip_all)]
    pub async fn derive(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Option<Role>,
        id: EvidenceId,
        how: Derivation,
    ) -> Result<DerivedCopy> {
        let item = self
            .store
            .evidence(scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        may_derive(scope, role, &item)?;
        if !derivable(&item.media_type) {
            return Err(EvidenceError::Vault(VaultError::Derive(format!(
                "evidence {} is {}: thumbnails and blurred copies are made of JPEG and PNG images only",
                item.id, item.media_type
            ))));
        }
        if item.size as u64 > MAX_ORIGINAL_BYTES {
            return Err(EvidenceError::Vault(VaultError::Derive(format!(
                "evidence {} is {} bytes: copies are derived from images of at most {} MiB",
                item.id,
                item.size,
                MAX_ORIGINAL_BYTES >> 20
            ))));
        }
        let secret = self.secret_of(&item)?;
        let root = self.org_root(item.organisation_id);
        let (sha, wrapped, label) = (
            item.sha256.clone(),
            item.wrapped_key.clone(),
            item.id.to_string(),
        );
        let public = secret.public();
        let (intake, derived) = tokio::task::spawn_blocking(move || -> Result<_> {
            let key = secret.unwrap(&wrapped.parse()?)?;
            let reader = kinga_vault::open_blob(&root, &sha, &key, &label)?;
            // The decoder needs the whole file; the stream is cut at the size limit so a
            // record that lies about its size cannot make it read more.
            let mut original = Vec::new();
            reader
                .take(MAX_ORIGINAL_BYTES + 1)
                .read_to_end(&mut original)
                .map_err(|e| EvidenceError::Vault(VaultError::Read(e)))?;
            if kinga_vault::sha256_hex(&original) != sha {
                return Err(EvidenceError::Vault(VaultError::HashMismatch {
                    item: label,
                    expected: sha,
                    actual: kinga_vault::sha256_hex(&original),
                }));
            }
            let derived = derive(&original, &how)?;
            drop(original);
            let len = derived.bytes.len() as u64;
            let intake = kinga_vault::seal(
                &root,
                std::io::Cursor::new(derived.bytes.clone()),
                &public,
                &IntakeOptions {
                    expected_len: Some(len),
                    ..Default::default()
                },
            )?;
            Ok((intake, derived))
        })
        .await
        .map_err(worker_stopped)??;
        let existing = self.store.working_copies(scope, item.id).await?;
        if let Some(c) = existing
            .into_iter()
            .find(|c| c.sha256 == intake.sha256 && c.kind == derived.kind)
        {
            return Ok(DerivedCopy {
                copy: c,
                created: false,
            });
        }
        let copy = CopyMade {
            derivation: derived.description,
            media_type: derived.mime.to_string(),
            kind: derived.kind,
            params: derived.params,
        };
        let copy = self.record_copy(actor, scope, &item, intake, copy).await?;
        Ok(DerivedCopy {
            copy,
            created: true,
        })
    }

    /// The newest copy of `kind` of each item, for lists that show thumbnails.
    #[tracing::instrument(skip_all)]
    pub async fn latest_copy(
        &self,
        scope: &Scope,
        id: EvidenceId,
        kind: CopyKind,
    ) -> Result<Option<WorkingCopy>> {
        Ok(self
            .store
            .working_copies(scope, id)
            .await?
            .into_iter()
            .rfind(|c| c.kind == kind))
    }

    /// Opens one working copy of an item the scope may see; its custody event (`view` or
    /// `download`) is written after the blob has opened and before any byte is handed out.
    #[tracing::instrument(skip_all)]
    pub async fn open_copy(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: EvidenceId,
        copy: WorkingCopyId,
        kind: CustodyKind,
    ) -> Result<Opened> {
        let item = self
            .store
            .evidence(scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let c = self
            .store
            .working_copies(scope, id)
            .await?
            .into_iter()
            .find(|c| c.id == copy)
            .ok_or(StoreError::NotFound)?;
        let secret = self.secret_of(&item)?;
        let root = self.org_root(item.organisation_id);
        let (sha, wrapped, label) = (c.sha256.clone(), c.wrapped_key.clone(), item.id.to_string());
        let reader = tokio::task::spawn_blocking(move || -> Result<Box<dyn Read + Send>> {
            let key = secret.unwrap(&wrapped.parse()?)?;
            let mut r = kinga_vault::open_blob(&root, &sha, &key, &label)?;
            // The first chunk is read now: a damaged blob fails before anything is served.
            let mut first = vec![0u8; 64 << 10];
            let mut got = 0;
            while got < first.len() {
                match r.read(&mut first[got..]) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) => return Err(EvidenceError::Vault(VaultError::Read(e))),
                }
            }
            first.truncate(got);
            Ok(Box::new(std::io::Cursor::new(first).chain(r)))
        })
        .await
        .map_err(worker_stopped)??;
        self.store
            .record_custody(
                actor,
                scope,
                item.id,
                kind,
                Some(format!("{} copy {} sha256 {}", c.kind, c.id, c.sha256)),
            )
            .await?;
        let ext = if c.media_type == "image/png" {
            "png"
        } else {
            "jpg"
        };
        let stem = item
            .original_name
            .as_deref()
            .map(|n| n.rsplit_once('.').map_or(n, |(s, _)| s).to_string())
            .unwrap_or_else(|| item.sha256[..12].to_string());
        Ok(Opened {
            media_type: c.media_type.clone(),
            inline_safe: derivable(&c.media_type),
            size: c.size as u64,
            file_name: format!("{}-{stem}.{ext}", c.kind),
            reader,
            item,
        })
    }
}
