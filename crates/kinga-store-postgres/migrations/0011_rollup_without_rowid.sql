-- SQLite's migration 0011 stores the roll-up in its key's order (WITHOUT ROWID); PostgreSQL has
-- no such layout to choose, so the table is rebuilt as it was, which keeps both drivers' schemas
-- and versions in step. Same columns, same key, same rows.
CREATE TABLE event_rollup_by_key (
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
INSERT INTO event_rollup_by_key (country, dataset, owner, admin1, day, violence_type, week, month, events, fatalities, civilian_fatalities, civilian_targeting)
SELECT country, dataset, owner, admin1, day, violence_type, week, month, events, fatalities, civilian_fatalities, civilian_targeting
FROM event_rollup;
DROP TABLE event_rollup;
ALTER TABLE event_rollup_by_key RENAME TO event_rollup;
