-- Dead shards of the last 7 days and why, most recent first: what `coordinator retry` would redo.
SELECT s.job_id, j.kind, s.idx, s.attempt, s.finished_at, s.error
FROM shards s JOIN jobs j ON j.id = s.job_id
WHERE s.state = 'dead' AND s.finished_at > now() - interval '7 days'
ORDER BY s.finished_at DESC, s.job_id, s.idx
LIMIT 200;
