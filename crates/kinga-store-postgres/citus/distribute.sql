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

-- Small or per-organisation: replicated to every worker.
SELECT create_reference_table('organisations');
SELECT create_reference_table('network_members');
SELECT create_reference_table('users');
SELECT create_reference_table('api_tokens');
SELECT create_reference_table('sessions');
SELECT create_reference_table('incident_counters');
SELECT create_reference_table('incident_locks');
SELECT create_reference_table('parties');
SELECT create_reference_table('sources');

-- The audit chain: kept on the coordinator, but known to Citus so that it may take part in the
-- same transactions as the distributed tables.
SELECT citus_add_local_table_to_metadata('audit_head');
SELECT citus_add_local_table_to_metadata('audit_log');
