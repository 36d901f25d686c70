-- Autovacuum for the hot queue tables. The defaults (vacuum after 20% of a table is dead rows)
-- suit tables that change slowly; a queue rewrites its rows all day.
--
-- shards: every claim, heartbeat and completion writes a new row version, and the claim scans
-- the partial indexes over the claimable rows, so dead versions slow the very statement that
-- matters. Vacuum after 2% (at least 500 rows), unthrottled, and keep statistics as fresh.
ALTER TABLE shards SET (
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_threshold = 500,
  autovacuum_vacuum_cost_delay = 0,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_analyze_threshold = 500
);

-- jobs: a few rows, each updated by every completing transaction (the counters). Room on each
-- page lets those updates stay HOT (no indexed column changes); vacuum every few hundred
-- versions so the table never spreads over more pages than it needs.
ALTER TABLE jobs SET (
  fillfactor = 50,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 200,
  autovacuum_vacuum_cost_delay = 0
);

-- shard_attempts: one insert per claim and one update when the attempt ends; vacuum (and
-- freeze, and set the visibility map) as it grows rather than at 20% of a large table.
ALTER TABLE shard_attempts SET (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.05
);
