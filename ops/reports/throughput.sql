-- Shards completed per minute over the last hour, with the attempts that did not complete.
SELECT date_trunc('minute', a.ended_at) AS minute,
  count(*) FILTER (WHERE a.outcome = 'completed') AS completed,
  count(*) FILTER (WHERE a.outcome = 'failed') AS failed,
  count(*) FILTER (WHERE a.outcome = 'expired') AS expired,
  count(*) FILTER (WHERE a.outcome IN ('released', 'rejected', 'cancelled')) AS other,
  round(avg(extract(epoch FROM a.ended_at - a.claimed_at)) FILTER (WHERE a.outcome = 'completed')::numeric, 3)
    AS mean_seconds_per_shard
FROM shard_attempts a
WHERE a.ended_at > now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;
