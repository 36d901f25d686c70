-- How many attempts shards needed, per job of the last 7 days; and that no shard was completed
-- twice (the `completed_twice` column must be 0).
SELECT a.job_id,
  count(DISTINCT a.idx) AS shards,
  count(*) AS attempts,
  count(DISTINCT a.idx) FILTER (WHERE a.attempt > 1) AS retried_shards,
  max(a.attempt) AS most_attempts,
  (SELECT count(*) FROM (
     SELECT idx FROM shard_attempts c WHERE c.job_id = a.job_id AND c.outcome = 'completed'
     GROUP BY idx HAVING count(*) > 1) AS t) AS completed_twice
FROM shard_attempts a
WHERE a.claimed_at > now() - interval '7 days'
GROUP BY a.job_id
ORDER BY a.job_id DESC;
