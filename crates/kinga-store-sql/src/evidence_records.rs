//! Column lists and decoders of the evidence tables, in one place so that every query and the
//! verifier read the same shape.
use crate::records::timestamp;
use crate::{SqlRow, SqlValue};
use chrono::{DateTime, Utc};
use kinga_domain::evidence::*;
use kinga_domain::org::Slug;
use kinga_store::{Result, StoreError};

pub const KEY_COLUMNS: &str = "id, organisation_id, key_version, encryption_public, signing_public, sealed_secret, created_at, retired_at";

pub const ITEM_COLUMNS: &str = "id, organisation_id, org_slug, visibility, incident_id, report_id, sha256, size_bytes, media_type, inline_safe, original_name, blob_address, blob_sha256, wrapped_key, key_version, capture_metadata, perceptual_hash, received_by, received_at";

pub const COPY_COLUMNS: &str = "id, evidence_id, derived_from_sha256, derivation, sha256, size_bytes, media_type, blob_address, blob_sha256, wrapped_key, key_version, created_by, created_at, kind, params";

pub const CUSTODY_COLUMNS: &str =
    "id, evidence_id, seq, kind, actor, at, detail, prev_hash, entry_hash";

fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

fn parse<T: std::str::FromStr>(table: &'static str, column: &str, v: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    v.parse::<T>()
        .map_err(|e| corrupt(table, format!("{column}: {e}")))
}

fn ts(table: &'static str, column: &str, v: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, format!("{column}: {e}")))
}

pub fn key_set(r: &SqlRow) -> Result<OrgKeySet> {
    const T: &str = "org_keys";
    Ok(OrgKeySet {
        id: parse(T, "id", &r.text("id")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        version: r.int("key_version")?,
        encryption_public: r.text("encryption_public")?,
        signing_public: r.text("signing_public")?,
        sealed_secret: r.text("sealed_secret")?,
        created_at: ts(T, "created_at", &r.text("created_at")?)?,
        retired_at: r
            .opt_text("retired_at")?
            .map(|v| ts(T, "retired_at", &v))
            .transpose()?,
    })
}

pub fn key_set_values(k: &OrgKeySet) -> Vec<SqlValue> {
    vec![
        k.id.to_string().into(),
        k.organisation_id.to_string().into(),
        k.version.into(),
        k.encryption_public.clone().into(),
        k.signing_public.clone().into(),
        k.sealed_secret.clone().into(),
        timestamp(&k.created_at).into(),
        k.retired_at.as_ref().map(timestamp).into(),
    ]
}

pub fn item(r: &SqlRow) -> Result<EvidenceItem> {
    const T: &str = "evidence_items";
    Ok(EvidenceItem {
        id: parse(T, "id", &r.text("id")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: Slug::parse(&r.text("org_slug")?).map_err(|e| corrupt(T, e))?,
        visibility: parse(T, "visibility", &r.text("visibility")?)?,
        incident_id: r
            .opt_text("incident_id")?
            .map(|v| parse(T, "incident_id", &v))
            .transpose()?,
        report_id: r
            .opt_text("report_id")?
            .map(|v| parse(T, "report_id", &v))
            .transpose()?,
        sha256: r.text("sha256")?,
        size: r.int("size_bytes")?,
        media_type: r.text("media_type")?,
        inline_safe: r.int("inline_safe")? != 0,
        original_name: r.opt_text("original_name")?,
        blob_address: r.text("blob_address")?,
        blob_sha256: r.text("blob_sha256")?,
        wrapped_key: r.text("wrapped_key")?,
        key_version: r.int("key_version")?,
        capture_metadata: r
            .opt_text("capture_metadata")?
            .map(|v| serde_json::from_str(&v).map_err(|e| corrupt(T, e)))
            .transpose()?,
        perceptual_hash: r.opt_text("perceptual_hash")?,
        received_by: r.text("received_by")?,
        received_at: ts(T, "received_at", &r.text("received_at")?)?,
    })
}

pub fn item_values(i: &EvidenceItem) -> Vec<SqlValue> {
    vec![
        i.id.to_string().into(),
        i.organisation_id.to_string().into(),
        i.organisation.as_str().into(),
        i.visibility.as_str().into(),
        i.incident_id.map(|v| v.to_string()).into(),
        i.report_id.map(|v| v.to_string()).into(),
        i.sha256.clone().into(),
        i.size.into(),
        i.media_type.clone().into(),
        i64::from(i.inline_safe).into(),
        i.original_name.clone().into(),
        i.blob_address.clone().into(),
        i.blob_sha256.clone().into(),
        i.wrapped_key.clone().into(),
        i.key_version.into(),
        i.capture_metadata.as_ref().map(ToString::to_string).into(),
        i.perceptual_hash.clone().into(),
        i.received_by.clone().into(),
        timestamp(&i.received_at).into(),
    ]
}

pub fn copy(r: &SqlRow) -> Result<WorkingCopy> {
    const T: &str = "evidence_copies";
    Ok(WorkingCopy {
        id: parse(T, "id", &r.text("id")?)?,
        evidence_id: parse(T, "evidence_id", &r.text("evidence_id")?)?,
        derived_from_sha256: r.text("derived_from_sha256")?,
        derivation: r.text("derivation")?,
        sha256: r.text("sha256")?,
        size: r.int("size_bytes")?,
        media_type: r.text("media_type")?,
        blob_address: r.text("blob_address")?,
        blob_sha256: r.text("blob_sha256")?,
        wrapped_key: r.text("wrapped_key")?,
        key_version: r.int("key_version")?,
        created_by: r.text("created_by")?,
        created_at: ts(T, "created_at", &r.text("created_at")?)?,
        kind: parse(T, "kind", &r.text("kind")?)?,
        params: r
            .opt_text("params")?
            .map(|v| serde_json::from_str(&v).map_err(|e| corrupt(T, e)))
            .transpose()?,
    })
}

pub fn copy_values(c: &WorkingCopy) -> Vec<SqlValue> {
    vec![
        c.id.to_string().into(),
        c.evidence_id.to_string().into(),
        c.derived_from_sha256.clone().into(),
        c.derivation.clone().into(),
        c.sha256.clone().into(),
        c.size.into(),
        c.media_type.clone().into(),
        c.blob_address.clone().into(),
        c.blob_sha256.clone().into(),
        c.wrapped_key.clone().into(),
        c.key_version.into(),
        c.created_by.clone().into(),
        timestamp(&c.created_at).into(),
        c.kind.as_str().into(),
        c.params.as_ref().map(ToString::to_string).into(),
    ]
}

pub fn custody(r: &SqlRow) -> Result<CustodyEvent> {
    const T: &str = "custody_events";
    Ok(CustodyEvent {
        id: parse(T, "id", &r.text("id")?)?,
        evidence_id: parse(T, "evidence_id", &r.text("evidence_id")?)?,
        seq: r.int("seq")?,
        kind: parse(T, "kind", &r.text("kind")?)?,
        actor: r.text("actor")?,
        at: ts(T, "at", &r.text("at")?)?,
        detail: r.opt_text("detail")?,
        prev_hash: r.text("prev_hash")?,
        entry_hash: r.text("entry_hash")?,
    })
}

pub fn custody_values(e: &CustodyEvent) -> Vec<SqlValue> {
    vec![
        e.id.to_string().into(),
        e.evidence_id.to_string().into(),
        e.seq.into(),
        e.kind.as_str().into(),
        e.actor.clone().into(),
        timestamp(&e.at).into(),
        e.detail.clone().into(),
        e.prev_hash.clone().into(),
        e.entry_hash.clone().into(),
    ]
}

pub const SEALED_COLUMNS: &str = "id, organisation_id, record_kind, record_id, field, key_version, ciphertext, sealed_by, sealed_at";

pub fn sealed(r: &SqlRow) -> Result<SealedField> {
    const T: &str = "sealed_fields";
    Ok(SealedField {
        id: parse(T, "id", &r.text("id")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        record_kind: r.text("record_kind")?,
        record_id: r.text("record_id")?,
        field: r.text("field")?,
        key_version: r.int("key_version")?,
        ciphertext: r.text("ciphertext")?,
        sealed_by: r.text("sealed_by")?,
        sealed_at: ts(T, "sealed_at", &r.text("sealed_at")?)?,
    })
}

pub fn sealed_values(f: &SealedField) -> Vec<SqlValue> {
    vec![
        f.id.to_string().into(),
        f.organisation_id.to_string().into(),
        f.record_kind.clone().into(),
        f.record_id.clone().into(),
        f.field.clone().into(),
        f.key_version.into(),
        f.ciphertext.clone().into(),
        f.sealed_by.clone().into(),
        timestamp(&f.sealed_at).into(),
    ]
}
