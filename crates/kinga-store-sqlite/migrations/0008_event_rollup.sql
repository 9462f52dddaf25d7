-- Events keyed by what they are idempotent by. Until now a row carried two unique keys, the
-- primary key (country first) and events_key (dataset, owner, external id); every imported row
-- paid for both. The key now leads with dataset, owner and external id, so the importer's
-- lookups use it, and ends with `country` so the table can still be distributed by country
-- (Citus needs the distribution column in every unique key). That an event id is stored once
-- per dataset and owner, whatever its country, is kept by the importer: it reads the stored
-- row first and moves it when a newer version names another country.
CREATE TABLE events_by_key (
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
    PRIMARY KEY (dataset, owner, external_id, country)
);
INSERT INTO events_by_key (country, dataset, owner, external_id, version, date_start, date_end, day, end_day, week, month, date_precision, admin1, admin2, place_name, latitude, longitude, place_precision, violence_type, event_type, sub_event_type, civilian_targeting, actor1, actor2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilians, source, source_count, notes, digest, batch_id)
SELECT country, dataset, owner, external_id, version, date_start, date_end, day, end_day, week, month, date_precision, admin1, admin2, place_name, latitude, longitude, place_precision, violence_type, event_type, sub_event_type, civilian_targeting, actor1, actor2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilians, source, source_count, notes, digest, batch_id
FROM events;
DROP TABLE events;
ALTER TABLE events_by_key RENAME TO events;
-- The events behind a signal: one region over a date range.
CREATE INDEX events_region_day ON events (country, admin1, day);
-- Verification and superseded batches read a batch's rows.
CREATE INDEX events_batch ON events (batch_id);

-- The region time series, rolled up by day as events are written: the importer adds each new
-- row and moves each updated one (minus the old values, plus the new) in the same transaction
-- as the rows, so weekly and monthly counts read this table (one row per region, day, dataset
-- and violence type) instead of every event. `owner` scopes it exactly as it scopes events.
-- An unknown admin1 or violence type is stored as '' (key columns cannot be NULL everywhere).
-- `kinga verify` recounts the events and names the first cell that differs.
CREATE TABLE event_rollup (
    country TEXT NOT NULL,
    dataset TEXT NOT NULL,
    owner TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    day BIGINT NOT NULL,
    violence_type TEXT NOT NULL,
    week BIGINT NOT NULL,
    month BIGINT NOT NULL,
    events BIGINT NOT NULL,
    fatalities BIGINT NOT NULL,
    civilian_fatalities BIGINT NOT NULL,
    civilian_targeting BIGINT NOT NULL,
    PRIMARY KEY (country, dataset, owner, admin1, day, violence_type)
);
INSERT INTO event_rollup (country, dataset, owner, admin1, day, violence_type, week, month, events, fatalities, civilian_fatalities, civilian_targeting)
SELECT country, dataset, owner, COALESCE(admin1, ''), day, COALESCE(violence_type, ''), MIN(week), MIN(month), COUNT(*), CAST(SUM(COALESCE(fatalities_best, 0)) AS BIGINT), CAST(SUM(COALESCE(fatalities_civilians, 0)) AS BIGINT), CAST(SUM(civilian_targeting) AS BIGINT)
FROM events
GROUP BY country, dataset, owner, COALESCE(admin1, ''), day, COALESCE(violence_type, '');
