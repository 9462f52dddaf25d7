-- Atrocity risk: Framework of Analysis assessments (indicator scores kept as an append-only
-- history of versions, evidence links, sign-offs), statistical forecasts with provenance, and
-- each country's risk class history (computed by the rule or overridden by an analyst).
-- The same tables, columns and indexes exist in both drivers' migration of this version.

CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    situation TEXT,
    assessed_on TEXT NOT NULL,
    assessed_day BIGINT NOT NULL,
    summary TEXT,
    created_by TEXT,
    created_by_label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX risk_assessments_country ON risk_assessments (country, assessed_day, id);

-- One row per save of one indicator; never updated. The score at version v is the row with the
-- highest version <= v.
CREATE TABLE risk_indicator_scores (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    factor BIGINT NOT NULL,
    version BIGINT NOT NULL,
    score BIGINT,
    confidence TEXT,
    note TEXT,
    scored_by TEXT,
    scored_by_label TEXT NOT NULL,
    scored_at TEXT NOT NULL
);
CREATE UNIQUE INDEX risk_indicator_scores_version ON risk_indicator_scores (assessment_id, version);

CREATE TABLE risk_evidence_links (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    note TEXT,
    version BIGINT NOT NULL,
    removed_in BIGINT,
    added_by_label TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX risk_evidence_links_assessment ON risk_evidence_links (assessment_id, indicator);

CREATE TABLE risk_signoffs (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    signed_by TEXT,
    signed_by_label TEXT NOT NULL,
    role TEXT NOT NULL,
    note TEXT,
    signed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX risk_signoffs_once ON risk_signoffs (assessment_id, version, signed_by_label);

CREATE TABLE risk_forecasts (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    year BIGINT NOT NULL,
    organisation_id TEXT,
    org_slug TEXT,
    visibility TEXT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    rank BIGINT,
    model TEXT NOT NULL,
    provenance TEXT NOT NULL,
    top_factors TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_forecasts_country ON risk_forecasts (country, year, created_at);

CREATE TABLE risk_classes (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    decision TEXT NOT NULL,
    class TEXT NOT NULL,
    rationale TEXT,
    inputs TEXT NOT NULL,
    decided_by_label TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX risk_classes_country ON risk_classes (country, id);
