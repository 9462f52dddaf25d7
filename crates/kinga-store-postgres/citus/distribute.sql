-- Optional: spreads Kinga's schema over a Citus cluster. This is NOT a migration and Kinga never
-- runs it: plain PostgreSQL does not have these functions, and whether (and when) to distribute
-- is the operator's call. One PostgreSQL server holds many millions of reports; reach for this
-- only when a single machine no longer does.
--
-- When: once, on the Citus coordinator, after Kinga has started against the coordinator and
-- applied its migrations (the tables must exist), ideally before bulk imports, since
-- distributing a table copies its existing rows to the workers:
--
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f crates/kinga-store-postgres/citus/distribute.sql
--
-- Why this shape works: the big tables have `country` in their primary key (and in the one
-- unique index, incidents_external), and their ids are UUIDv7 text made by Kinga rather than
-- sequences, so every constraint can be enforced per shard. They are co-located so that one
-- country's incident, acts, involvements, citations and reports live on the same worker.
--
-- Small, frequently joined tables become reference tables (a copy on every worker), because the
-- shared SQL joins involvements to parties and citations to sources.
--
-- The audit chain stays on the coordinator: every write locks audit_head and appends to
-- audit_log in order, so spreading it would only add network round trips to the one step that
-- is serial anyway. Later migrations need nothing extra: Citus propagates ALTER TABLE and
-- CREATE INDEX on distributed and reference tables.

-- Large, growing with the documentation work: distributed by country, co-located.
SELECT create_distributed_table('reports', 'country');
SELECT create_distributed_table('incidents', 'country', colocate_with => 'reports');
SELECT create_distributed_table('acts', 'country', colocate_with => 'reports');
SELECT create_distributed_table('involvements', 'country', colocate_with => 'reports');
SELECT create_distributed_table('citations', 'country', colocate_with => 'reports');

-- Published event data and its daily roll-up, also by country (both keys end with it, see
-- migration 0008). The importer's lookups by dataset, owner and external id then ask every
-- shard; its inserts and roll-up changes go to the row's own shard.
SELECT create_distributed_table('events', 'country', colocate_with => 'reports');
SELECT create_distributed_table('event_rollup', 'country', colocate_with => 'reports');

-- Escalation signals (migration 0006) and the events an incident cites (0009): both keys lead
-- with country, so they live beside the incidents and events of their country, and the
-- incident page's joins (citations to events, citing incidents to incidents) stay on one worker.
SELECT create_distributed_table('signals', 'country', colocate_with => 'reports');
SELECT create_distributed_table('incident_events', 'country', colocate_with => 'reports');

-- Small or per-organisation: replicated to every worker.
SELECT create_reference_table('organisations');
SELECT create_reference_table('network_members');
SELECT create_reference_table('users');
SELECT create_reference_table('api_tokens');
SELECT create_reference_table('sessions');
-- Failed sign-ins per account (migration 0014): small, read on every sign-in.
SELECT create_reference_table('sign_in_failures');
SELECT create_reference_table('incident_counters');
SELECT create_reference_table('incident_locks');
SELECT create_reference_table('parties');
SELECT create_reference_table('sources');
-- Each organisation's key sets (0004): a few rows per organisation, one per rotation.
SELECT create_reference_table('org_keys');
-- Detect runs (0006): one live run per owner, level and period; the signals list reads them
-- beside the distributed signals.
SELECT create_reference_table('signal_runs');
-- Framework of Analysis assessments, scores, evidence links, sign-offs, forecasts and risk
-- classes (0005): hundreds to thousands of rows, written by hand or once a year per model.
-- Their keys could not be distributed anyway: each primary key is a bare `id`, and
-- risk_assessments, risk_forecasts and risk_classes carry `country` outside it (Citus needs the
-- distribution column in every primary and unique key).
SELECT create_reference_table('risk_assessments');
SELECT create_reference_table('risk_indicator_scores');
SELECT create_reference_table('risk_evidence_links');
SELECT create_reference_table('risk_signoffs');
SELECT create_reference_table('risk_forecasts');
SELECT create_reference_table('risk_classes');
-- Alerts and responses (0015): few (alerts are deduplicated per organisation, responses are
-- recorded by hand) and listed across countries by the desk; the dedup key is unique per
-- organisation whatever the country, so country could not lead every unique key anyway.
SELECT create_reference_table('alerts');
SELECT create_reference_table('responses');

-- The audit chain: kept on the coordinator, but known to Citus so that it may take part in the
-- same transactions as the distributed tables.
SELECT citus_add_local_table_to_metadata('audit_head');
SELECT citus_add_local_table_to_metadata('audit_log');
-- Time-stamped checkpoints of that chain (0007) stay beside it.
SELECT citus_add_local_table_to_metadata('audit_checkpoints');

-- The evidence vault's records (0004): kept on the coordinator too, because their keys prevent
-- distribution. Each primary key is a bare `id` with neither organisation nor country in it,
-- custody_events is unique by (evidence_id, seq) and sealed_fields by (record_kind, record_id,
-- field), so no one column is in every unique key of a table. Distributing them by
-- organisation would need a migration that adds `organisation_id` to evidence_copies and
-- custody_events and leads every key with it. Keeping them here costs little: they grow with
-- the files and witnesses a network holds, not with the event datasets; every custody event is
-- appended in the same transaction as its audit entry, which is serial anyway; and their joins
-- are among themselves (the blobs live in the vault, outside the database).
SELECT citus_add_local_table_to_metadata('evidence_items');
SELECT citus_add_local_table_to_metadata('evidence_copies');
SELECT citus_add_local_table_to_metadata('custody_events');
SELECT citus_add_local_table_to_metadata('sealed_fields');

-- Roll-up changes an import has committed but not yet added (0012): one row per batch, alive
-- for the length of an import. Kept beside the audit chain, which every batch writes anyway;
-- adding them writes the distributed roll-up in the same transaction.
SELECT citus_add_local_table_to_metadata('event_rollup_pending');
