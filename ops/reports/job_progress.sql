-- Jobs of the last 7 days (and every running one): shards by state, questions, rate and ETA.
-- psql "$DATABASE_URL" -f ops/reports/job_progress.sql
SELECT j.id, j.kind, j.state, j.total_shards,
  count(*) FILTER (WHERE s.state = 'done') AS done,
  count(*) FILTER (WHERE s.state = 'running') AS running,
  count(*) FILTER (WHERE s.state IN ('available', 'failed')) AS waiting,
  count(*) FILTER (WHERE s.state = 'dead') AS dead,
  j.questions_done, j.total_questions,
  round((j.questions_done / greatest(extract(epoch FROM coalesce(j.finished_at, now()) - j.started_at), 1))::numeric, 1)
    AS questions_per_s,
  CASE WHEN j.state = 'running' AND j.questions_done > 0 THEN
    (coalesce(j.finished_at, now()) - j.started_at) * ((j.total_questions - j.questions_done)::float8 / j.questions_done)
  END AS eta,
  j.created_at, j.finished_at, left(j.error, 120) AS error
FROM jobs j LEFT JOIN shards s ON s.job_id = j.id
WHERE j.state = 'running' OR j.created_at > now() - interval '7 days'
GROUP BY j.id
ORDER BY j.id DESC;
