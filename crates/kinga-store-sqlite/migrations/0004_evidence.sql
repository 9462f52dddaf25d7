-- Evidence vault (SQLite). Column-for-column identical to the PostgreSQL migration 0004.

-- Organisation keys: public halves in clear, secret halves sealed under a passphrase
-- (Argon2id). A new version per rotation; retired versions stay so old signatures verify.
CREATE TABLE org_keys (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    key_version BIGINT NOT NULL,
    encryption_public TEXT NOT NULL,
    signing_public TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE UNIQUE INDEX org_keys_version ON org_keys (organisation_id, key_version);

-- Sealed originals. The bytes are in the vault, encrypted under a fresh data key that is
-- stored here wrapped to the organisation's key of `key_version`.
CREATE TABLE evidence_items (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    incident_id TEXT,
    report_id TEXT,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    inline_safe BIGINT NOT NULL,
    original_name TEXT,
    blob_address TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    key_version BIGINT NOT NULL,
    capture_metadata TEXT,
    perceptual_hash TEXT,
    received_by TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX evidence_items_incident ON evidence_items (incident_id);
CREATE INDEX evidence_items_report ON evidence_items (report_id);
CREATE INDEX evidence_items_sha256 ON evidence_items (sha256);
CREATE INDEX evidence_items_perceptual ON evidence_items (perceptual_hash, organisation_id, visibility);

-- Copies derived from an original (metadata stripped, thumbnails, blurred), with lineage.
CREATE TABLE evidence_copies (
    id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    derived_from_sha256 TEXT NOT NULL,
    derivation TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    blob_address TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    key_version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX evidence_copies_item ON evidence_copies (evidence_id);
CREATE INDEX evidence_copies_sha256 ON evidence_copies (sha256);

-- Each item's custody log is its own hash chain; every event is also an audit entry.
CREATE TABLE custody_events (
    id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);
CREATE UNIQUE INDEX custody_events_item ON custody_events (evidence_id, seq);

-- Sealed fields (a witness's name, a contact): encrypted to the owning organisation's key
-- before they reach the database, so neither the file, its indexes nor the logs hold them.
CREATE TABLE sealed_fields (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    key_version BIGINT NOT NULL,
    ciphertext TEXT NOT NULL,
    sealed_by TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX sealed_fields_record ON sealed_fields (record_kind, record_id, field);
