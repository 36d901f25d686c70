-- The queue at a glance: claimable shards (what autoscaling follows), leases that ran out
-- unclaimed, the oldest waiting shard, and the hot tables' size and dead rows.
SELECT 'claimable shards' AS what, queue_backlog()::text AS value
UNION ALL
SELECT 'expired leases not yet reclaimed', count(*)::text
  FROM shards WHERE state = 'running' AND lease_expires_at < now()
UNION ALL
SELECT 'oldest waiting shard (age)', coalesce(max(now() - j.started_at)::text, '-')
  FROM shards s JOIN jobs j ON j.id = s.job_id
  WHERE j.state = 'running' AND s.state = 'available'
UNION ALL
SELECT 'table ' || relname || ' (size, live, dead, last autovacuum)',
  pg_size_pretty(pg_total_relation_size(relid)) || ', ' || n_live_tup || ', ' || n_dead_tup
    || ', ' || coalesce(last_autovacuum::text, 'never')
  FROM pg_stat_user_tables
  WHERE relname IN ('jobs', 'shards', 'shard_attempts', 'blobs')
    AND schemaname = current_schema();
