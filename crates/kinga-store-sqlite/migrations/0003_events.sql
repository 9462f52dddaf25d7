-- Published event data (UCDP GED and Candidate, ACLED, GDELT, national datasets), normalised.
-- Events are reference data, apart from incidents. `owner` is empty for datasets anyone may
-- see and holds the importing organisation's id for a licensed dataset (ACLED), whose rows
-- that organisation alone may read. Day, week and month buckets are stored at import so
-- aggregation is integer grouping in either database. Each row carries the id of the import
-- batch that last wrote it; the audit chain has one entry per batch
-- (docs/decisions/0003-event-audit.md).
CREATE TABLE events (
    country TEXT NOT NULL,
    dataset TEXT NOT NULL,
    owner TEXT NOT NULL,
    external_id TEXT NOT NULL,
    version BIGINT,
    date_start TEXT NOT NULL,
    date_end TEXT NOT NULL,
    day BIGINT NOT NULL,
    end_day BIGINT NOT NULL,
    week BIGINT NOT NULL,
    month BIGINT NOT NULL,
    date_precision BIGINT NOT NULL,
    admin1 TEXT,
    admin2 TEXT,
    place_name TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    place_precision BIGINT,
    violence_type TEXT,
    event_type TEXT,
    sub_event_type TEXT,
    civilian_targeting BIGINT NOT NULL,
    actor1 TEXT,
    actor2 TEXT,
    fatalities_best BIGINT,
    fatalities_low BIGINT,
    fatalities_high BIGINT,
    fatalities_civilians BIGINT,
    source TEXT,
    source_count BIGINT,
    notes TEXT,
    digest TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    PRIMARY KEY (country, dataset, owner, external_id)
);
-- Idempotence: one row per dataset, owner and external id, whatever its country.
CREATE UNIQUE INDEX events_key ON events (dataset, owner, external_id);
-- The events behind a signal: one region over a date range.
CREATE INDEX events_region_day ON events (country, admin1, day);
-- Verification and superseded batches read a batch's rows.
CREATE INDEX events_batch ON events (batch_id);
