-- The roll-up stored in its key's order (WITHOUT ROWID): an import upserts about one cell per
-- event, and each upsert then searches and changes one B-tree instead of the key's index and
-- the table behind it. Same columns, same key, same rows.
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
) WITHOUT ROWID;
INSERT INTO event_rollup_by_key (country, dataset, owner, admin1, day, violence_type, week, month, events, fatalities, civilian_fatalities, civilian_targeting)
SELECT country, dataset, owner, admin1, day, violence_type, week, month, events, fatalities, civilian_fatalities, civilian_targeting
FROM event_rollup;
DROP TABLE event_rollup;
ALTER TABLE event_rollup_by_key RENAME TO event_rollup;
