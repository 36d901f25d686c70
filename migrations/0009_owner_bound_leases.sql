-- Owner-bound leases, lost claim replies, and what an idle worker of a fleet needs to know.
--
-- * A lease belongs to the database login that claimed it (session_user: a SECURITY DEFINER
--   function still sees the caller's login there) and to a secret token that the claiming worker
--   process made and passes with every call; the shard keeps the login and a SHA-256 of the
--   token. Every fenced operation (heartbeat, complete, fail, release, shard input) now also
--   requires both, so one worker login cannot touch another's shard whatever owner name it
--   passes, and two processes of one login cannot touch each other's. The owner name stays as
--   the human-readable holder (status, attempt history).
-- * queue_owned: the shards leased to the caller (login, name, token), their leases renewed,
--   for a worker that reconnects after an error: a claim whose reply was lost committed shards
--   the worker never heard of; it resumes or releases them instead of letting them expire.
-- * queue_outlook: for `worker --exit-when-idle`: whether anything of the given kinds is
--   claimable now, is failed and waiting for its retry time, or is running under a live lease
--   (and when the next retry and the next lease expiry come), so the worker exits only when
--   nothing is left for it.
-- * Completing the last shard of a job (or killing it) notifies pixelprobe_queue, so idle
--   workers waiting on that job's leases hear at once that it ended.
-- The functions' old signatures (owner names only) are dropped. Leases taken before this
-- migration have no login or token: they can no longer be completed, expire, and are claimed
-- again (stop or drain the workers before migrating).

ALTER TABLE shards ADD COLUMN lease_role text, ADD COLUMN lease_token bytea;
ALTER TABLE shard_attempts ADD COLUMN owner_role text, ADD COLUMN owner_token bytea;

DROP FUNCTION queue_claim(text, integer, text[]);
DROP FUNCTION queue_heartbeat(bigint[], integer[], integer[], text[]);
DROP FUNCTION queue_complete(bigint[], integer[], integer[], text[], text[], bigint[], integer[]);
DROP FUNCTION queue_fail(bigint, integer, integer, text, boolean, double precision, text);
DROP FUNCTION queue_release(bigint[], integer[], integer[], text[]);
DROP FUNCTION queue_shard_input(bigint, integer, integer, text);

-- The stored form of a worker's token; NULL (which matches nothing) for an empty one.
CREATE FUNCTION queue_token_digest(p_token text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN coalesce(p_token, '') = '' THEN NULL ELSE sha256(convert_to(p_token, 'UTF8')) END
$$;

-- claim: as in 0005, and the lease records the caller's login and token digest.
CREATE FUNCTION queue_claim(p_owner text, p_token text, p_limit integer, p_kinds text[] DEFAULT NULL)
RETURNS TABLE (killed boolean, job_id bigint, idx integer, attempt integer, input_digest text,
               input_size bigint, questions integer, kind text, spec text,
               lease_seconds integer)
LANGUAGE plpgsql SECURITY DEFINER AS $$
#variable_conflict use_column
DECLARE
  token bytea := queue_token_digest(p_token);
BEGIN
  IF p_owner IS NULL OR p_owner = '' THEN
    RAISE EXCEPTION 'queue_claim: the owner must not be empty' USING ERRCODE = '22023';
  END IF;
  IF token IS NULL THEN
    RAISE EXCEPTION 'queue_claim: the token must not be empty' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY
  WITH eligible AS MATERIALIZED (
    SELECT id, lease_seconds FROM jobs
    WHERE state = 'running' AND (p_kinds IS NULL OR kind = ANY (p_kinds))
    ORDER BY id
  ),
  lapsed AS MATERIALIZED (
    SELECT s.* FROM eligible e CROSS JOIN LATERAL (
      SELECT job_id, idx, attempt, attempt_limit, lease_owner FROM shards
      WHERE job_id = e.id AND lease_expires_at < now() AND state = 'running'
      ORDER BY lease_expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED
    ) AS s
    LIMIT p_limit
  ),
  retryable AS MATERIALIZED (
    SELECT s.* FROM eligible e CROSS JOIN LATERAL (
      SELECT job_id, idx FROM shards
      WHERE job_id = e.id AND state = 'failed' AND retry_at <= now()
      ORDER BY retry_at LIMIT p_limit FOR UPDATE SKIP LOCKED
    ) AS s
    LIMIT greatest(0, p_limit - (SELECT count(*) FROM lapsed))
  ),
  fresh AS MATERIALIZED (
    SELECT s.* FROM eligible e CROSS JOIN LATERAL (
      SELECT job_id, idx FROM shards
      WHERE job_id = e.id AND state = 'available'
      ORDER BY idx LIMIT p_limit FOR UPDATE SKIP LOCKED
    ) AS s
    LIMIT greatest(0, p_limit - (SELECT count(*) FROM lapsed) - (SELECT count(*) FROM retryable))
  ),
  picked AS MATERIALIZED (
    SELECT c.job_id, c.idx, c.doomed, e.lease_seconds FROM (
      SELECT job_id, idx, attempt >= attempt_limit AS doomed FROM lapsed
      UNION ALL SELECT job_id, idx, false FROM retryable
      UNION ALL SELECT job_id, idx, false FROM fresh
    ) AS c JOIN eligible e ON e.id = c.job_id
  ),
  expired AS (
    INSERT INTO shard_attempts AS a (job_id, idx, attempt, owner, outcome, ended_at, error)
    SELECT job_id, idx, attempt, lease_owner, 'expired', now(), 'lease expired' FROM lapsed
    ON CONFLICT (job_id, idx, attempt) DO UPDATE
    SET outcome = 'expired', ended_at = now(), error = 'lease expired'
  ),
  killed AS (
    UPDATE shards s SET state = 'dead', lease_expires_at = NULL, finished_at = now(),
      error = format('lease expired %s times',
        (SELECT count(*) + 1 FROM shard_attempts a
         WHERE a.job_id = s.job_id AND a.idx = s.idx AND a.outcome = 'expired'))
    FROM picked p
    WHERE s.job_id = p.job_id AND s.idx = p.idx AND p.doomed
    RETURNING s.job_id, s.idx, s.error
  ),
  claimed AS (
    UPDATE shards s SET state = 'running', attempt = s.attempt + 1, lease_owner = p_owner,
      lease_role = session_user, lease_token = token,
      lease_expires_at = now() + make_interval(secs => p.lease_seconds), retry_at = NULL,
      claimed_at = now(), finished_at = NULL
    FROM picked p
    WHERE s.job_id = p.job_id AND s.idx = p.idx AND NOT p.doomed
    RETURNING s.job_id, s.idx, s.attempt, s.input_digest, s.input_size, s.questions,
      p.lease_seconds
  ),
  history AS (
    INSERT INTO shard_attempts (job_id, idx, attempt, owner, owner_role, owner_token)
    SELECT job_id, idx, attempt, p_owner, session_user, token FROM claimed
  ),
  touched AS (
    SELECT t.job_id, count(k.idx)::int AS dead,
      array_remove(array_agg(format('shard %s: %s', k.idx, k.error) ORDER BY k.idx), NULL)
        AS errors
    FROM (SELECT job_id FROM claimed UNION SELECT job_id FROM killed) AS t
    LEFT JOIN killed k ON k.job_id = t.job_id
    GROUP BY t.job_id
  ),
  job_updates AS (
    UPDATE jobs j SET started_at = coalesce(j.started_at, now()),
      shards_dead = j.shards_dead + t.dead,
      state = CASE WHEN j.state = 'running' AND t.dead > 0
                    AND j.shards_done + j.shards_dead + t.dead >= j.total_shards
                   THEN 'failed' ELSE j.state END,
      finished_at = CASE WHEN j.state = 'running' AND t.dead > 0
                          AND j.shards_done + j.shards_dead + t.dead >= j.total_shards
                         THEN now() ELSE j.finished_at END,
      error = CASE WHEN j.state = 'running' AND t.dead > 0
                    AND j.shards_done + j.shards_dead + t.dead >= j.total_shards
                   THEN queue_job_error(j.id, j.shards_dead + t.dead, j.total_shards,
                                        t.errors[1:3])
                   ELSE j.error END
    FROM touched t
    WHERE j.id = t.job_id AND (j.started_at IS NULL OR t.dead > 0)
  )
  SELECT false, c.job_id, c.idx, c.attempt, c.input_digest, c.input_size, c.questions, j.kind,
    j.spec::text, c.lease_seconds
  FROM claimed c JOIN jobs j ON j.id = c.job_id
  UNION ALL
  SELECT true, k.job_id, k.idx, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM killed k;
END
$$;

-- The shards leased to the caller (login, owner name and token), still running, their leases
-- renewed by the job's lease length: what a worker may have claimed without hearing the reply.
CREATE FUNCTION queue_owned(p_owner text, p_token text)
RETURNS TABLE (job_id bigint, idx integer, attempt integer, input_digest text,
               input_size bigint, questions integer, kind text, spec text,
               lease_seconds integer)
LANGUAGE plpgsql SECURITY DEFINER AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH renewed AS (
    UPDATE shards s SET lease_expires_at = now() + make_interval(secs => j.lease_seconds)
    FROM jobs j
    WHERE j.id = s.job_id AND j.state = 'running' AND s.state = 'running'
      AND s.lease_owner = p_owner AND s.lease_role = session_user
      AND s.lease_token = queue_token_digest(p_token)
    RETURNING s.job_id, s.idx, s.attempt, s.input_digest, s.input_size, s.questions, j.kind,
      j.spec::text AS spec, j.lease_seconds
  )
  SELECT * FROM renewed ORDER BY job_id, idx;
END
$$;

-- What is left of running jobs of the given kinds (all kinds: NULL): claimable now (a shard
-- that is available, failed and due, or under an expired lease), failed and waiting for its
-- retry (with the seconds until the first retry time), running under a live lease (with the
-- seconds until the first expiry). Each through the partial index made for its state.
CREATE FUNCTION queue_outlook(p_kinds text[] DEFAULT NULL)
RETURNS TABLE (claimable boolean, retrying bigint, next_retry_seconds double precision,
               leased bigint, next_expiry_seconds double precision)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  WITH eligible AS MATERIALIZED (
    SELECT id FROM jobs
    WHERE state = 'running' AND (p_kinds IS NULL OR kind = ANY (p_kinds))
  ),
  per_job AS (
    SELECT
      EXISTS (SELECT 1 FROM shards WHERE job_id = e.id AND state = 'available')
        OR EXISTS (SELECT 1 FROM shards WHERE job_id = e.id AND state = 'failed'
                   AND retry_at <= now())
        OR EXISTS (SELECT 1 FROM shards WHERE job_id = e.id AND lease_expires_at < now()
                   AND state = 'running') AS claimable,
      r.n AS retrying, r.first AS next_retry, l.n AS leased, l.first AS next_expiry
    FROM eligible e
    CROSS JOIN LATERAL (
      SELECT count(*) AS n, min(retry_at) AS first FROM shards
      WHERE job_id = e.id AND state = 'failed' AND retry_at > now()
    ) AS r
    CROSS JOIN LATERAL (
      SELECT count(*) AS n, min(lease_expires_at) AS first FROM shards
      WHERE job_id = e.id AND lease_expires_at >= now() AND state = 'running'
    ) AS l
  )
  SELECT coalesce(bool_or(claimable), false), coalesce(sum(retrying), 0)::bigint,
    extract(epoch FROM min(next_retry) - now())::float8,
    coalesce(sum(leased), 0)::bigint,
    extract(epoch FROM min(next_expiry) - now())::float8
  FROM per_job
$$;

-- Wakes idle workers when jobs among p_job_ids ended in this transaction.
CREATE FUNCTION queue_notify_finished(p_job_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  SELECT pg_notify('pixelprobe_queue', 'finished ' || id)
  FROM jobs WHERE id = ANY (p_job_ids) AND state <> 'running' AND finished_at = now()
$$;

-- heartbeat: as in 0005, fenced on the caller's login and token too.
CREATE FUNCTION queue_heartbeat(p_token text, p_job_ids bigint[], p_idxs integer[],
                                p_attempts integer[], p_owners text[])
RETURNS TABLE (job_id bigint, idx integer)
LANGUAGE plpgsql SECURITY DEFINER SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  UPDATE shards s SET lease_expires_at = now() + make_interval(secs => j.lease_seconds)
  FROM unnest(p_job_ids, p_idxs, p_attempts, p_owners) AS i(job_id, idx, attempt, owner),
    jobs j
  WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
    AND s.attempt = i.attempt AND s.lease_owner = i.owner AND s.lease_role = session_user
    AND s.lease_token = queue_token_digest(p_token) AND j.id = s.job_id
  RETURNING s.job_id, s.idx;
END
$$;

-- complete: as in 0005, fenced on the caller's login and token too; a rejected completion marks
-- only the caller's own attempts; the jobs it finishes are notified.
CREATE FUNCTION queue_complete(p_token text, p_job_ids bigint[], p_idxs integer[],
                               p_attempts integer[], p_owners text[], p_output_digests text[],
                               p_output_sizes bigint[], p_questions integer[])
RETURNS TABLE (job_id bigint, idx integer)
LANGUAGE plpgsql SECURITY DEFINER SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  token bytea := queue_token_digest(p_token);
BEGIN
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(p_job_ids, p_idxs, p_attempts, p_owners, p_output_digests,
                         p_output_sizes, p_questions)
      AS i(job_id, idx, attempt, owner, output_digest, output_size, questions)
  ),
  done AS (
    UPDATE shards s SET state = 'done', output_digest = i.output_digest,
      output_size = nullif(i.output_size, -1), lease_expires_at = NULL, retry_at = NULL,
      finished_at = now(), error = NULL
    FROM input i
    WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
      AND s.attempt = i.attempt AND s.lease_owner = i.owner AND s.lease_role = session_user
      AND s.lease_token = token
    RETURNING s.job_id, s.idx, s.attempt, greatest(i.questions, 0) AS questions
  ),
  history AS (
    INSERT INTO shard_attempts AS a (job_id, idx, attempt, owner, outcome, ended_at, error)
    SELECT i.job_id, i.idx, i.attempt, i.owner,
      CASE WHEN d.idx IS NOT NULL THEN 'completed' ELSE 'rejected' END, now(),
      CASE WHEN d.idx IS NULL THEN 'completion rejected: the lease was lost' END
    FROM input i LEFT JOIN done d
      ON d.job_id = i.job_id AND d.idx = i.idx AND d.attempt = i.attempt
    -- Only attempts that exist and are the caller's own.
    WHERE i.attempt >= 1 AND EXISTS (
      SELECT 1 FROM shard_attempts e
      WHERE e.job_id = i.job_id AND e.idx = i.idx AND e.attempt = i.attempt
        AND e.owner_role = session_user AND e.owner_token = token)
    ON CONFLICT (job_id, idx, attempt) DO UPDATE
    SET outcome = EXCLUDED.outcome, ended_at = EXCLUDED.ended_at, error = EXCLUDED.error
    WHERE a.owner = EXCLUDED.owner AND a.outcome IN ('running', 'expired')
  ),
  totals AS (
    SELECT job_id, count(*)::int AS n, sum(questions)::bigint AS q FROM done GROUP BY job_id
  ),
  jobs_updated AS (
    UPDATE jobs j SET shards_done = j.shards_done + t.n, questions_done = j.questions_done + t.q,
      state = CASE WHEN j.state = 'running' AND j.shards_done + t.n + j.shards_dead >= j.total_shards
                   THEN CASE WHEN j.shards_dead > 0 THEN 'failed' ELSE 'succeeded' END
                   ELSE j.state END,
      finished_at = CASE WHEN j.state = 'running'
                          AND j.shards_done + t.n + j.shards_dead >= j.total_shards
                         THEN now() ELSE j.finished_at END,
      error = CASE WHEN j.state = 'running' AND j.shards_dead > 0
                    AND j.shards_done + t.n + j.shards_dead >= j.total_shards
                   THEN queue_job_error(j.id, j.shards_dead, j.total_shards)
                   ELSE j.error END
    FROM totals t
    WHERE j.id = t.job_id
  )
  SELECT d.job_id, d.idx FROM done d;
  PERFORM queue_notify_finished(p_job_ids);
END
$$;

-- fail: as in 0005, fenced on the caller's login and token too.
CREATE FUNCTION queue_fail(p_token text, p_job_id bigint, p_idx integer, p_attempt integer,
                           p_owner text, p_retryable boolean, p_delay double precision,
                           p_error text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  new_state text;
  delay double precision := least(greatest(coalesce(p_delay, 0), 0), 86400);
BEGIN
  UPDATE shards s SET
    state = CASE WHEN p_retryable AND s.attempt < s.attempt_limit THEN 'failed' ELSE 'dead' END,
    retry_at = CASE WHEN p_retryable AND s.attempt < s.attempt_limit
                    THEN now() + make_interval(secs => delay) END,
    finished_at = CASE WHEN p_retryable AND s.attempt < s.attempt_limit THEN NULL ELSE now() END,
    lease_expires_at = NULL, error = p_error
  WHERE s.job_id = p_job_id AND s.idx = p_idx AND s.state = 'running' AND s.attempt = p_attempt
    AND s.lease_owner = p_owner AND s.lease_role = session_user
    AND s.lease_token = queue_token_digest(p_token)
  RETURNING s.state INTO new_state;
  IF new_state IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE shard_attempts SET outcome = 'failed', ended_at = now(), error = p_error
  WHERE job_id = p_job_id AND idx = p_idx AND attempt = p_attempt AND owner = p_owner;
  IF new_state = 'dead' THEN
    PERFORM queue_count_dead(p_job_id, 1);
    PERFORM queue_notify_finished(ARRAY[p_job_id]);
  END IF;
  RETURN new_state;
END
$$;

-- release: as in 0005, fenced on the caller's login and token too.
CREATE FUNCTION queue_release(p_token text, p_job_ids bigint[], p_idxs integer[],
                              p_attempts integer[], p_owners text[])
RETURNS TABLE (job_id bigint, idx integer)
LANGUAGE plpgsql SECURITY DEFINER SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH r AS (
    UPDATE shards s SET state = 'available', attempt_limit = s.attempt_limit + 1,
      lease_expires_at = NULL, retry_at = NULL
    FROM unnest(p_job_ids, p_idxs, p_attempts, p_owners) AS i(job_id, idx, attempt, owner)
    WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
      AND s.attempt = i.attempt AND s.lease_owner = i.owner AND s.lease_role = session_user
      AND s.lease_token = queue_token_digest(p_token)
    RETURNING s.job_id, s.idx, s.attempt
  ),
  a AS (
    UPDATE shard_attempts a SET outcome = 'released', ended_at = now()
    FROM r WHERE a.job_id = r.job_id AND a.idx = r.idx AND a.attempt = r.attempt
  )
  SELECT r.job_id, r.idx FROM r;
END
$$;

-- The input blob of a shard the caller holds (fenced like completion).
CREATE FUNCTION queue_shard_input(p_token text, p_job_id bigint, p_idx integer,
                                  p_attempt integer, p_owner text)
RETURNS TABLE (digest text, data bytea)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT s.input_digest, b.data
  FROM shards s LEFT JOIN blobs b ON b.digest = s.input_digest
  WHERE s.job_id = p_job_id AND s.idx = p_idx AND s.state = 'running'
    AND s.attempt = p_attempt AND s.lease_owner = p_owner AND s.lease_role = session_user
    AND s.lease_token = queue_token_digest(p_token)
$$;

-- As in 0005: own search path, no PUBLIC execute, then the worker's grants.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
      AND p.proname LIKE 'queue\_%'
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION queue_claim(text, text, integer, text[]),
  queue_owned(text, text),
  queue_outlook(text[]),
  queue_heartbeat(text, bigint[], integer[], integer[], text[]),
  queue_complete(text, bigint[], integer[], integer[], text[], text[], bigint[], integer[]),
  queue_fail(text, bigint, integer, integer, text, boolean, double precision, text),
  queue_release(text, bigint[], integer[], integer[], text[]),
  queue_shard_input(text, bigint, integer, integer, text)
  TO pixelprobe_worker;
