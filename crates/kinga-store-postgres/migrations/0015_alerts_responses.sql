-- Alerts and the record of responses (docs/decisions/0016). An alert is an organisation's call
-- on a tier (network, regional body, AU, UN) to act on a risk in a country; a response is what
-- a state or body did, citing an alert or not. Ids are UUIDv7 made by Kinga; the basis of an
-- alert (incident, signal, assessment and evidence ids) is one JSON object, read only with the
-- alert. Both tables are small (alerts are raised by hand or by rules that deduplicate), so
-- they are reference tables on Citus and keep a bare `id` key; the dedup key is unique per
-- organisation, whatever the country. The same tables, columns and indexes exist in both
-- drivers' migration of this version.

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    admin1 TEXT,
    level TEXT NOT NULL,
    tier TEXT NOT NULL,
    regional_body TEXT,
    status TEXT NOT NULL,
    message_en TEXT NOT NULL,
    message_fr TEXT NOT NULL,
    basis TEXT NOT NULL,
    dedup_key TEXT,
    visibility TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    closed_at TEXT,
    ack_deadline TEXT NOT NULL,
    version BIGINT NOT NULL
);
-- The same condition never raises two alerts in one organisation (alerts without a key are
-- not constrained: NULLs differ).
CREATE UNIQUE INDEX alerts_dedup ON alerts (organisation_id, dedup_key);
-- The desk's list: newest first, narrowed by country and status.
CREATE INDEX alerts_country ON alerts (country, status, raised_at);

CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    alert_id TEXT,
    country TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    pillar TEXT,
    kind TEXT NOT NULL,
    response_date TEXT NOT NULL,
    outcome TEXT,
    sources TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX responses_alert ON responses (alert_id);
CREATE INDEX responses_country ON responses (country, response_date);
