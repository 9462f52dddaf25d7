-- Roll-up changes that an import committed with its batches but has not yet added to
-- event_rollup. Adding each batch's changes in place cost a large import a quarter of its
-- time: a batch of events spread over many days touches nearly one cell per event, and the
-- same cells again in the next batch. An import now writes its batches' changes here, in the
-- same transaction as the rows, and adds them all at its end, each cell once. Whoever adds
-- pending changes deletes them in the same transaction, so they count once: the import's end,
-- the next import's start (after an interrupted one), and a count of the region time series,
-- which adds them first so that it never reads a stale roll-up. `cells` is JSON written by the
-- store (see event_rollup.rs), one row per batch.
CREATE TABLE event_rollup_pending (
    batch_id TEXT PRIMARY KEY,
    cells TEXT NOT NULL
);
