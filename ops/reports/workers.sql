-- Workers seen in the last hour: shards held now, completed, failed and lost (lease expired),
-- and their last claim. A worker with many expired leases is dying or too slow for its lease.
SELECT a.owner,
  count(*) FILTER (WHERE a.outcome = 'running') AS holding,
  count(*) FILTER (WHERE a.outcome = 'completed') AS completed,
  count(*) FILTER (WHERE a.outcome = 'failed') AS failed,
  count(*) FILTER (WHERE a.outcome = 'expired') AS expired,
  max(a.claimed_at) AS last_claim
FROM shard_attempts a
WHERE a.claimed_at > now() - interval '1 hour'
GROUP BY a.owner
ORDER BY last_claim DESC;
