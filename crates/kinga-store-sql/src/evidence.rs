//! Evidence records in SQL. Custody events are appended inside the same transaction as the audit
//! entry that mirrors them, so the per-item chain and the global chain can never disagree.
use crate::audited::Audited;
use crate::change::Change;
use crate::columns::qualified;
use crate::evidence_records::{
    self as rec, COPY_COLUMNS, CUSTODY_COLUMNS, ITEM_COLUMNS, KEY_COLUMNS, SEALED_COLUMNS,
};
use crate::marks::placeholders;
use crate::records::timestamp;
use crate::scope::{visible, visible_reports};
use crate::value::Args;
use crate::{Chain, Engine, SqlStore, Tx};
use async_trait::async_trait;
use kinga_domain::audit::digest;
use kinga_domain::evidence::*;
use kinga_domain::ids::{OrgId, ReportId};
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{EvidenceFilter, EvidenceStore, SealedBlob, SimilarEvidence};

fn insert(table: &str, columns: &str, n: usize) -> String {
    format!(
        "INSERT INTO {table} ({columns}) VALUES ({})",
        placeholders(1, n)
    )
}

/// The item as the scope sees it, read inside the write transaction.
async fn visible_item(tx: &mut dyn Tx, scope: &Scope, id: EvidenceId) -> Result<EvidenceItem> {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible(scope, "", &mut args);
    let rows = tx
        .fetch(
            &format!("SELECT {ITEM_COLUMNS} FROM evidence_items WHERE id = {p} AND {vis}"),
            args.0,
        )
        .await?;
    rows.first()
        .map(rec::item)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

async fn last_custody(tx: &mut dyn Tx, id: EvidenceId) -> Result<Option<CustodyEvent>> {
    let rows = tx
        .fetch(
            &format!("SELECT {CUSTODY_COLUMNS} FROM custody_events WHERE evidence_id = $1 ORDER BY seq DESC LIMIT 1"),
            vec![id.to_string().into()],
        )
        .await?;
    rows.first().map(rec::custody).transpose()
}

/// Appends one custody event after `prev` and its audit entry.
async fn append_custody(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    prev: Option<&CustodyEvent>,
    item: EvidenceId,
    kind: CustodyKind,
    detail: Option<String>,
) -> Result<CustodyEvent> {
    let e = CustodyEvent::next(
        prev,
        item,
        kind,
        &actor.label,
        kinga_domain::time::now(),
        detail,
    );
    tx.execute(
        &insert("custody_events", CUSTODY_COLUMNS, 9),
        rec::custody_values(&e),
    )
    .await?;
    chain
        .record(
            tx,
            actor,
            Change::new_record(&e, kind.as_str()).explained(format!("evidence {}", item)),
        )
        .await?;
    Ok(e)
}

async fn key_sets_in(tx: &mut dyn Tx, org: OrgId) -> Result<Vec<OrgKeySet>> {
    let rows = tx
        .fetch(
            &format!(
                "SELECT {KEY_COLUMNS} FROM org_keys WHERE organisation_id = $1 ORDER BY key_version"
            ),
            vec![org.to_string().into()],
        )
        .await?;
    rows.iter().map(rec::key_set).collect()
}

fn owner(actor: &Actor) -> Result<(OrgId, kinga_domain::org::Slug)> {
    match (actor.organisation_id, actor.organisation.clone()) {
        (Some(id), Some(slug)) => Ok((id, slug)),
        _ => Err(StoreError::Rule(
            "evidence is received on behalf of an organisation".into(),
        )),
    }
}

#[async_trait]
impl<E: Engine> EvidenceStore for SqlStore<E> {
    async fn add_org_keys(&self, actor: &Actor, new: NewOrgKeySet) -> Result<OrgKeySet> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                if !key_sets_in(tx, new.organisation_id).await?.is_empty() {
                    return Err(StoreError::Conflict(
                        "this organisation already has keys: rotate them instead".into(),
                    ));
                }
                let k = OrgKeySet {
                    id: KeySetId::new(),
                    organisation_id: new.organisation_id,
                    version: 1,
                    encryption_public: new.encryption_public,
                    signing_public: new.signing_public,
                    sealed_secret: new.sealed_secret,
                    created_at: kinga_domain::time::now(),
                    retired_at: None,
                };
                tx.execute(&insert("org_keys", KEY_COLUMNS, 8), rec::key_set_values(&k))
                    .await?;
                chain.record(tx, &actor, Change::created(&k)).await?;
                Ok(k)
            })
        })
        .await
    }

    async fn org_key_sets(&self, org: OrgId) -> Result<Vec<OrgKeySet>> {
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {KEY_COLUMNS} FROM org_keys WHERE organisation_id = $1 ORDER BY key_version"),
                vec![org.to_string().into()],
            )
            .await?;
        rows.iter().map(rec::key_set).collect()
    }

    async fn reseal_org_keys(
        &self,
        actor: &Actor,
        org: OrgId,
        version: i64,
        sealed_secret: String,
    ) -> Result<OrgKeySet> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                let before = key_sets_in(tx, org)
                    .await?
                    .into_iter()
                    .find(|k| k.version == version && k.retired_at.is_none())
                    .ok_or(StoreError::NotFound)?;
                let after = OrgKeySet {
                    sealed_secret,
                    ..before.clone()
                };
                tx.execute(
                    "UPDATE org_keys SET sealed_secret = $1 WHERE id = $2",
                    vec![
                        after.sealed_secret.clone().into(),
                        after.id.to_string().into(),
                    ],
                )
                .await?;
                chain
                    .record(tx, &actor, Change::updated("reseal", &before, &after))
                    .await?;
                Ok(after)
            })
        })
        .await
    }

    async fn rotate_org_keys(
        &self,
        actor: &Actor,
        new: NewOrgKeySet,
        rewraps: Vec<Rewrap>,
    ) -> Result<OrgKeySet> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                let org = new.organisation_id;
                let current = key_sets_in(tx, org)
                    .await?
                    .into_iter()
                    .rfind(|k| k.retired_at.is_none())
                    .ok_or(StoreError::NotFound)?;
                let now = kinga_domain::time::now();
                let retired = OrgKeySet {
                    retired_at: Some(now),
                    ..current.clone()
                };
                tx.execute(
                    "UPDATE org_keys SET retired_at = $1 WHERE id = $2",
                    vec![timestamp(&now).into(), retired.id.to_string().into()],
                )
                .await?;
                chain.record(tx, &actor, Change::updated("retire", &current, &retired))
                    .await?;
                let k = OrgKeySet {
                    id: KeySetId::new(),
                    organisation_id: org,
                    version: current.version + 1,
                    encryption_public: new.encryption_public,
                    signing_public: new.signing_public,
                    sealed_secret: new.sealed_secret,
                    created_at: now,
                    retired_at: None,
                };
                tx.execute(&insert("org_keys", KEY_COLUMNS, 8), rec::key_set_values(&k))
                    .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::created(&k)
                            .explained(format!("rotation from version {}", current.version)),
                    )
                    .await?;
                for r in rewraps {
                    rewrap(tx, chain, &actor, org, &r, k.version).await?;
                }
                let left = tx
                    .fetch(
                        "SELECT (SELECT COUNT(*) FROM evidence_items WHERE organisation_id = $1 AND key_version < $2) + (SELECT COUNT(*) FROM evidence_copies c JOIN evidence_items i ON i.id = c.evidence_id WHERE i.organisation_id = $1 AND c.key_version < $2) + (SELECT COUNT(*) FROM sealed_fields WHERE organisation_id = $1 AND key_version < $2) AS remaining",
                        vec![org.to_string().into(), k.version.into()],
                    )
                    .await?;
                let left = left.first().map(|r| r.int("remaining")).transpose()?.unwrap_or(0);
                if left > 0 {
                    return Err(StoreError::Rule(format!(
                        "{left} data keys were not rewrapped: rotation abandoned, nothing changed"
                    )));
                }
                Ok(k)
            })
        })
        .await
    }

    async fn add_evidence(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewEvidence,
    ) -> Result<EvidenceItem> {
        let (org_id, org) = owner(actor)?;
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                if new.incident_id.is_none() && new.report_id.is_none() {
                    return Err(StoreError::Rule(
                        "evidence is attached to an incident or a report".into(),
                    ));
                }
                if let Some(i) = new.incident_id {
                    let mut args = Args::new();
                    let p = args.push(i.to_string());
                    let vis = visible(&scope, "", &mut args);
                    let found = tx
                        .fetch(
                            &format!("SELECT 1 FROM incidents WHERE id = {p} AND {vis}"),
                            args.0,
                        )
                        .await?;
                    if found.is_empty() {
                        return Err(StoreError::NotFound);
                    }
                }
                if let Some(r) = new.report_id {
                    let mut args = Args::new();
                    let p = args.push(r.to_string());
                    let vis = visible_reports(&scope, "", &mut args);
                    let found = tx
                        .fetch(
                            &format!("SELECT 1 FROM reports WHERE id = {p} AND {vis}"),
                            args.0,
                        )
                        .await?;
                    if found.is_empty() {
                        return Err(StoreError::NotFound);
                    }
                }
                let item = EvidenceItem {
                    id: EvidenceId::new(),
                    organisation_id: org_id,
                    organisation: org,
                    visibility: new.visibility,
                    incident_id: new.incident_id,
                    report_id: new.report_id,
                    sha256: new.sha256,
                    size: new.size,
                    media_type: new.media_type,
                    inline_safe: new.inline_safe,
                    original_name: new.original_name,
                    blob_address: new.blob_address,
                    blob_sha256: new.blob_sha256,
                    wrapped_key: new.wrapped_key,
                    key_version: new.key_version,
                    capture_metadata: new.capture_metadata,
                    perceptual_hash: new.perceptual_hash,
                    received_by: actor.label.clone(),
                    received_at: kinga_domain::time::now(),
                };
                tx.execute(
                    &insert("evidence_items", ITEM_COLUMNS, 19),
                    rec::item_values(&item),
                )
                .await?;
                chain
                    .record(tx, &actor, Change::new_record(&item, "receive"))
                    .await?;
                let name = item.original_name.clone().unwrap_or_default();
                let received = append_custody(
                    tx,
                    chain,
                    &actor,
                    None,
                    item.id,
                    CustodyKind::Receive,
                    Some(format!("{} bytes, {} ({name})", item.size, item.media_type)),
                )
                .await?;
                let hashed = append_custody(
                    tx,
                    chain,
                    &actor,
                    Some(&received),
                    item.id,
                    CustodyKind::Hash,
                    Some(format!("sha256 {}", item.sha256)),
                )
                .await?;
                append_custody(
                    tx,
                    chain,
                    &actor,
                    Some(&hashed),
                    item.id,
                    CustodyKind::Seal,
                    Some(format!(
                        "blob {} under key version {}",
                        item.blob_address, item.key_version
                    )),
                )
                .await?;
                Ok(item)
            })
        })
        .await
    }

    async fn evidence(&self, scope: &Scope, id: EvidenceId) -> Result<Option<EvidenceItem>> {
        let mut args = Args::new();
        let p = args.push(id.to_string());
        let vis = visible(scope, "", &mut args);
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {ITEM_COLUMNS} FROM evidence_items WHERE id = {p} AND {vis}"),
                args.0,
            )
            .await?;
        rows.first().map(rec::item).transpose()
    }

    async fn evidence_list(&self, scope: &Scope, f: &EvidenceFilter) -> Result<Vec<EvidenceItem>> {
        let mut args = Args::new();
        let mut conds = vec![visible(scope, "", &mut args)];
        if let Some(o) = f.organisation {
            conds.push(format!("organisation_id = {}", args.push(o.to_string())));
        }
        if let Some(i) = f.incident {
            conds.push(format!("incident_id = {}", args.push(i.to_string())));
        }
        if let Some(r) = f.report {
            conds.push(format!("report_id = {}", args.push(r.to_string())));
        }
        if let Some(a) = f.after {
            conds.push(format!("id > {}", args.push(a.to_string())));
        }
        let limit = if f.limit > 0 {
            format!(" LIMIT {}", args.push(i64::from(f.limit)))
        } else {
            String::new()
        };
        let rows = self
            .engine
            .fetch(
                &format!(
                    "SELECT {ITEM_COLUMNS} FROM evidence_items WHERE {} ORDER BY id{limit}",
                    conds.join(" AND ")
                ),
                args.0,
            )
            .await?;
        rows.iter().map(rec::item).collect()
    }

    async fn similar_evidence(
        &self,
        scope: &Scope,
        hash: &str,
        max_distance: u32,
    ) -> Result<Vec<SimilarEvidence>> {
        let mut args = Args::new();
        let vis = visible(scope, "", &mut args);
        let len = args.push(hash.len() as i64);
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {ITEM_COLUMNS} FROM evidence_items WHERE perceptual_hash IS NOT NULL AND LENGTH(perceptual_hash) = {len} AND {vis} ORDER BY id"),
                args.0,
            )
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let item = rec::item(r)?;
            let d = item
                .perceptual_hash
                .as_deref()
                .and_then(|h| perceptual_distance(h, hash));
            if let Some(distance) = d.filter(|d| *d <= max_distance) {
                out.push(SimilarEvidence { item, distance });
            }
        }
        out.sort_by_key(|s| s.distance);
        Ok(out)
    }

    async fn add_working_copy(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewWorkingCopy,
    ) -> Result<WorkingCopy> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let item = visible_item(tx, &scope, new.evidence_id).await?;
                let copy = WorkingCopy {
                    id: WorkingCopyId::new(),
                    evidence_id: item.id,
                    derived_from_sha256: item.sha256.clone(),
                    derivation: new.derivation,
                    sha256: new.sha256,
                    size: new.size,
                    media_type: new.media_type,
                    blob_address: new.blob_address,
                    blob_sha256: new.blob_sha256,
                    wrapped_key: new.wrapped_key,
                    key_version: new.key_version,
                    created_by: actor.label.clone(),
                    created_at: kinga_domain::time::now(),
                    kind: new.kind,
                    params: new.params,
                };
                tx.execute(
                    &insert("evidence_copies", COPY_COLUMNS, 15),
                    rec::copy_values(&copy),
                )
                .await?;
                chain
                    .record(tx, &actor, Change::new_record(&copy, "derive"))
                    .await?;
                let prev = last_custody(tx, item.id).await?;
                append_custody(
                    tx,
                    chain,
                    &actor,
                    prev.as_ref(),
                    item.id,
                    CustodyKind::Derive,
                    Some(format!(
                        "{}: copy {} sha256 {}",
                        copy.derivation, copy.id, copy.sha256
                    )),
                )
                .await?;
                Ok(copy)
            })
        })
        .await
    }

    async fn working_copies(&self, scope: &Scope, item: EvidenceId) -> Result<Vec<WorkingCopy>> {
        if self.evidence(scope, item).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let rows = self
            .engine
            .fetch(
                &format!(
                    "SELECT {COPY_COLUMNS} FROM evidence_copies WHERE evidence_id = $1 ORDER BY id"
                ),
                vec![item.to_string().into()],
            )
            .await?;
        rows.iter().map(rec::copy).collect()
    }

    async fn record_custody(
        &self,
        actor: &Actor,
        scope: &Scope,
        item: EvidenceId,
        kind: CustodyKind,
        detail: Option<String>,
    ) -> Result<CustodyEvent> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let item = visible_item(tx, &scope, item).await?;
                let prev = last_custody(tx, item.id).await?;
                append_custody(tx, chain, &actor, prev.as_ref(), item.id, kind, detail).await
            })
        })
        .await
    }

    async fn sealed_blob(&self, org: OrgId, sha256: &str) -> Result<Option<SealedBlob>> {
        let rows = self
            .engine
            .fetch(
                "SELECT blob_address, blob_sha256, wrapped_key, key_version FROM evidence_items WHERE organisation_id = $1 AND sha256 = $2 UNION ALL SELECT c.blob_address, c.blob_sha256, c.wrapped_key, c.key_version FROM evidence_copies c JOIN evidence_items i ON i.id = c.evidence_id WHERE i.organisation_id = $1 AND c.sha256 = $2",
                vec![org.to_string().into(), sha256.into()],
            )
            .await?;
        rows.first()
            .map(|r| {
                Ok(SealedBlob {
                    blob_address: r.text("blob_address")?,
                    blob_sha256: r.text("blob_sha256")?,
                    wrapped_key: r.text("wrapped_key")?,
                    key_version: r.int("key_version")?,
                })
            })
            .transpose()
    }

    async fn seal_report_field(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewSealedField,
    ) -> Result<SealedField> {
        if !SEALED_REPORT_FIELDS.contains(&new.field.as_str()) {
            return Err(StoreError::Invalid(kinga_domain::ValidationErrors::single(
                &new.field,
                format!("only {} may be sealed", SEALED_REPORT_FIELDS.join(", ")),
            )));
        }
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let mut args = Args::new();
                let p = args.push(new.report.to_string());
                let vis = visible_reports(&scope, "", &mut args);
                let rows = tx
                    .fetch(&format!("SELECT organisation_id FROM reports WHERE id = {p} AND {vis}"), args.0)
                    .await?;
                let org: OrgId = rows
                    .first()
                    .ok_or(StoreError::NotFound)?
                    .text("organisation_id")?
                    .parse()
                    .map_err(|e| StoreError::Backend(format!("reports.organisation_id: {e}")))?;
                let before = tx
                    .fetch(
                        &format!("SELECT {SEALED_COLUMNS} FROM sealed_fields WHERE record_kind = 'report' AND record_id = $1 AND field = $2"),
                        vec![new.report.to_string().into(), new.field.clone().into()],
                    )
                    .await?;
                let before = before.first().map(rec::sealed).transpose()?;
                let f = SealedField {
                    id: before.as_ref().map(|b| b.id).unwrap_or_default(),
                    organisation_id: org,
                    record_kind: "report".into(),
                    record_id: new.report.to_string(),
                    field: new.field,
                    key_version: new.key_version,
                    ciphertext: new.ciphertext,
                    sealed_by: actor.label.clone(),
                    sealed_at: kinga_domain::time::now(),
                };
                if before.is_some() {
                    tx.execute("DELETE FROM sealed_fields WHERE id = $1", vec![f.id.to_string().into()])
                        .await?;
                }
                tx.execute(&insert("sealed_fields", SEALED_COLUMNS, 9), rec::sealed_values(&f))
                    .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::of(&f, "seal")
                            .before(before.as_ref().map(digest))
                            .after(digest(&f))
                            .explained(format!("report {} {}", f.record_id, f.field)),
                    )
                    .await?;
                Ok(f)
            })
        })
        .await
    }

    async fn sealed_fields_of(&self, org: OrgId) -> Result<Vec<SealedField>> {
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {SEALED_COLUMNS} FROM sealed_fields WHERE organisation_id = $1 ORDER BY id"),
                vec![org.to_string().into()],
            )
            .await?;
        rows.iter().map(rec::sealed).collect()
    }

    async fn sealed_report_fields(
        &self,
        scope: &Scope,
        report: ReportId,
    ) -> Result<Vec<SealedField>> {
        let mut args = Args::new();
        let p = args.push(report.to_string());
        let vis = visible_reports(scope, "", &mut args);
        let seen = self
            .engine
            .fetch(
                &format!("SELECT 1 FROM reports WHERE id = {p} AND {vis}"),
                args.0,
            )
            .await?;
        if seen.is_empty() {
            return Err(StoreError::NotFound);
        }
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {SEALED_COLUMNS} FROM sealed_fields WHERE record_kind = 'report' AND record_id = $1 ORDER BY field"),
                vec![report.to_string().into()],
            )
            .await?;
        rows.iter().map(rec::sealed).collect()
    }

    async fn custody_log(&self, scope: &Scope, item: EvidenceId) -> Result<Vec<CustodyEvent>> {
        if self.evidence(scope, item).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {CUSTODY_COLUMNS} FROM custody_events WHERE evidence_id = $1 ORDER BY seq"),
                vec![item.to_string().into()],
            )
            .await?;
        rows.iter().map(rec::custody).collect()
    }
}

/// Stores one rewrapped data key with its audit entry. The custody chain is left alone: the
/// item's bytes did not move and no one saw them.
async fn rewrap(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    org: OrgId,
    r: &Rewrap,
    version: i64,
) -> Result<()> {
    let key = r.wrapped_key.clone();
    // Per target: where its key lives and the change to the record, whose digests are taken
    // from the record as re-read in the transaction so the entry is exact.
    let (table, column, id, change) = match r.target {
        RewrapTarget::Original(id) => {
            let sql = format!(
                "SELECT {ITEM_COLUMNS} FROM evidence_items WHERE id = $1 AND organisation_id = $2"
            );
            let before = owned_row(tx, &sql, id.to_string(), org, rec::item).await?;
            let after = EvidenceItem {
                wrapped_key: key.clone(),
                key_version: version,
                ..before.clone()
            };
            let change = Change::updated("rewrap", &before, &after);
            ("evidence_items", "wrapped_key", id.to_string(), change)
        }
        RewrapTarget::Field(id) => {
            let sql = format!(
                "SELECT {SEALED_COLUMNS} FROM sealed_fields WHERE id = $1 AND organisation_id = $2"
            );
            let before = owned_row(tx, &sql, id.to_string(), org, rec::sealed).await?;
            let after = SealedField {
                ciphertext: key.clone(),
                key_version: version,
                ..before.clone()
            };
            let change = Change::updated("reseal", &before, &after);
            ("sealed_fields", "ciphertext", id.to_string(), change)
        }
        RewrapTarget::Copy(id) => {
            let sql = format!(
                "SELECT {} FROM evidence_copies c JOIN evidence_items i ON i.id = c.evidence_id WHERE c.id = $1 AND i.organisation_id = $2",
                qualified(COPY_COLUMNS, "c.")
            );
            let before = owned_row(tx, &sql, id.to_string(), org, rec::copy).await?;
            let after = WorkingCopy {
                wrapped_key: key.clone(),
                key_version: version,
                ..before.clone()
            };
            let change = Change::updated("rewrap", &before, &after);
            ("evidence_copies", "wrapped_key", id.to_string(), change)
        }
    };
    tx.execute(
        &format!("UPDATE {table} SET {column} = $1, key_version = $2 WHERE id = $3"),
        vec![key.into(), version.into(), id.into()],
    )
    .await?;
    chain.record(tx, actor, change).await?;
    Ok(())
}

/// The one row `sql` selects for `id` within organisation `org`, decoded; NotFound if none.
async fn owned_row<T>(
    tx: &mut dyn Tx,
    sql: &str,
    id: String,
    org: OrgId,
    decode: fn(&crate::SqlRow) -> Result<T>,
) -> Result<T> {
    let rows = tx
        .fetch(sql, vec![id.into(), org.to_string().into()])
        .await?;
    rows.first()
        .map(decode)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Digests of every evidence record, for the verifier to hold against the audit chain.
pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan(store, "org_keys", KEY_COLUMNS, records, |r| {
        let k = rec::key_set(r)?;
        Ok((OrgKeySet::ENTITY, k.id.to_string(), digest(&k)))
    })
    .await?;
    crate::verify::scan(store, "evidence_items", ITEM_COLUMNS, records, |r| {
        let i = rec::item(r)?;
        Ok((EvidenceItem::ENTITY, i.id.to_string(), digest(&i)))
    })
    .await?;
    crate::verify::scan(store, "evidence_copies", COPY_COLUMNS, records, |r| {
        let c = rec::copy(r)?;
        Ok((WorkingCopy::ENTITY, c.id.to_string(), digest(&c)))
    })
    .await?;
    crate::verify::scan(store, "sealed_fields", SEALED_COLUMNS, records, |r| {
        let f = rec::sealed(r)?;
        Ok((SealedField::ENTITY, f.id.to_string(), digest(&f)))
    })
    .await?;
    crate::verify::scan(store, "custody_events", CUSTODY_COLUMNS, records, |r| {
        let e = rec::custody(r)?;
        Ok((CustodyEvent::ENTITY, e.id.to_string(), digest(&e)))
    })
    .await
}

/// Recomputes every item's custody chain, a page at a time in (item, seq) order; names the
/// first broken link.
pub async fn custody_break<E: Engine>(store: &SqlStore<E>) -> Result<Option<String>> {
    const PAGE: i64 = 5000;
    let mut last: Option<CustodyEvent> = None;
    loop {
        let (item, seq) = last
            .as_ref()
            .map(|l| (l.evidence_id.to_string(), l.seq))
            .unwrap_or_default();
        let rows = store
            .engine
            .fetch(
                &format!("SELECT {CUSTODY_COLUMNS} FROM custody_events WHERE evidence_id > $1 OR (evidence_id = $1 AND seq > $2) ORDER BY evidence_id, seq LIMIT $3"),
                vec![item.into(), seq.into(), PAGE.into()],
            )
            .await?;
        for r in &rows {
            let e = rec::custody(r)?;
            let prev = last.as_ref().filter(|l| l.evidence_id == e.evidence_id);
            if let Err(broken) = e.check_link(prev) {
                return Ok(Some(broken));
            }
            last = Some(e);
        }
        if (rows.len() as i64) < PAGE {
            return Ok(None);
        }
    }
}
