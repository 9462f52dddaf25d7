-- Escalation signals. A detect run for one owner, level and period replaces the earlier run
-- of that owner, level and period with all its signals: the signals table always holds what the
-- latest run said. Each run is one audited row; its signals carry its id, and the audit digest
-- covers the run and every signal (verify recomputes it). `owner` is empty for runs over
-- shared data and holds an organisation's id for a run that read its licensed rows.
CREATE TABLE signal_runs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    level TEXT NOT NULL,
    period TEXT NOT NULL,
    measure TEXT NOT NULL,
    dataset TEXT,
    first_bucket BIGINT NOT NULL,
    last_bucket BIGINT NOT NULL,
    settings TEXT NOT NULL,
    signal_count BIGINT NOT NULL,
    ran_at TEXT NOT NULL,
    actor TEXT NOT NULL
);
-- One live run per owner, level and period.
CREATE UNIQUE INDEX signal_runs_scope ON signal_runs (owner, level, period);

CREATE TABLE signals (
    country TEXT NOT NULL,
    id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    level TEXT NOT NULL,
    period TEXT NOT NULL,
    admin1 TEXT,
    bucket BIGINT NOT NULL,
    period_start TEXT NOT NULL,
    day BIGINT NOT NULL,
    measure TEXT NOT NULL,
    method TEXT NOT NULL,
    observed DOUBLE PRECISION NOT NULL,
    expected DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (country, id)
);
-- Replacing a run deletes by run; verification reads a run's signals.
CREATE INDEX signals_run ON signals (run_id);
-- The list: newest first within a level and period.
CREATE INDEX signals_list ON signals (level, period, day);
-- A region's signals, for its trend chart and the country page.
CREATE INDEX signals_region ON signals (country, admin1, day);
