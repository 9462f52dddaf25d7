-- Kinga foundation schema (SQLite). Kept column-for-column identical to the PostgreSQL
-- migration of the same version: both run the same SQL.
-- Big tables carry `country` in their primary key and UUIDv7 text ids made by Kinga, so the
-- same shape distributes by country on Citus.

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    organisation TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_digest TEXT,
    after_digest TEXT,
    explanation TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_id, seq);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE network_members (
    network TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    PRIMARY KEY (network, organisation_id)
);
CREATE INDEX network_members_org ON network_members (organisation_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    second_factor_done BIGINT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE reports (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    occurred_day BIGINT NOT NULL,
    text TEXT NOT NULL,
    language TEXT,
    admin1 TEXT,
    place_name TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    reporter_role TEXT,
    risk_to_source TEXT,
    triage_status TEXT NOT NULL,
    reject_reason TEXT,
    incident_id TEXT,
    PRIMARY KEY (country, id)
);
CREATE INDEX reports_id ON reports (id);
CREATE INDEX reports_queue ON reports (triage_status, received_at);
CREATE INDEX reports_received ON reports (received_at);
CREATE INDEX reports_submitter ON reports (submitted_by);
CREATE INDEX reports_incident ON reports (incident_id);

CREATE TABLE incident_counters (
    country TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (country, year)
);

CREATE TABLE incidents (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    date_start TEXT NOT NULL,
    date_end TEXT NOT NULL,
    start_day BIGINT NOT NULL,
    end_day BIGINT NOT NULL,
    date_precision BIGINT NOT NULL,
    admin1 TEXT,
    admin2 TEXT,
    place_name TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    place_precision BIGINT,
    event_type TEXT,
    sub_event_type TEXT,
    violence_type TEXT,
    crimes TEXT,
    fatalities_best BIGINT,
    fatalities_low BIGINT,
    fatalities_high BIGINT,
    fatalities_civilians BIGINT,
    status TEXT NOT NULL,
    verification_level TEXT NOT NULL,
    assignee TEXT,
    external_ref TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (country, id)
);
CREATE INDEX incidents_id ON incidents (id);
CREATE INDEX incidents_country_start ON incidents (country, start_day);
CREATE INDEX incidents_start ON incidents (start_day);
CREATE UNIQUE INDEX incidents_external ON incidents (country, external_ref);
CREATE INDEX incidents_status ON incidents (status);

CREATE TABLE incident_locks (
    incident_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    user_label TEXT NOT NULL,
    since TEXT NOT NULL
);

CREATE TABLE acts (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    provision TEXT NOT NULL,
    crime TEXT NOT NULL,
    victim_description TEXT,
    victim_count BIGINT,
    description TEXT,
    PRIMARY KEY (country, id)
);
CREATE INDEX acts_id ON acts (id);
CREATE INDEX acts_incident ON acts (incident_id);

CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    acled_inter BIGINT,
    external_ref TEXT
);
CREATE INDEX parties_external ON parties (organisation_id, external_ref);

CREATE TABLE involvements (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    act_id TEXT,
    party_id TEXT NOT NULL,
    role TEXT NOT NULL,
    degree TEXT,
    PRIMARY KEY (country, id)
);
CREATE INDEX involvements_id ON involvements (id);
CREATE INDEX involvements_incident ON involvements (incident_id);

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    org_slug TEXT NOT NULL,
    visibility TEXT NOT NULL,
    title TEXT NOT NULL,
    outlet TEXT,
    url TEXT,
    published_on TEXT,
    connection TEXT NOT NULL,
    reliability TEXT,
    credibility BIGINT,
    external_ref TEXT
);

CREATE TABLE citations (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    reference TEXT,
    note TEXT,
    PRIMARY KEY (country, id)
);
CREATE INDEX citations_id ON citations (id);
CREATE INDEX citations_incident ON citations (incident_id);
