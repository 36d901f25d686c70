-- Least privilege for workers: the queue protocol's worker operations become SECURITY DEFINER
-- functions, and the group role `pixelprobe_worker` may call them and nothing else that matters.
--
-- A worker connected as a login member of pixelprobe_worker can:
-- * claim shards (queue_claim): it sees the specs and inputs of the shards it claimed, no others;
-- * heartbeat, complete, fail and release its claims (queue_heartbeat, queue_complete,
--   queue_fail, queue_release), all fenced on (state = running, attempt, owner);
-- * read the input blob of a shard it holds (queue_shard_input);
-- * insert output blobs (INSERT on blobs, no SELECT);
-- * insert result rows into the tables that reference shards (pvp_shard_stats, re_image_metrics,
--   and any later result table: SELECT queue_allow_results('table')), and only in the
--   transaction that completes their shard (the queue_result_guard trigger, which holds for every
--   writer: results are never written outside the completing transaction);
-- * count the claimable shards (queue_backlog, for autoscalers).
-- It cannot read jobs, shards, attempts or blobs, and cannot update, delete, truncate or alter
-- anything. Create a login for a machine (in psql, as the schema owner; never put the password
-- on a command line):
--   CREATE ROLE worker_a LOGIN IN ROLE pixelprobe_worker;
--   \password worker_a
-- The coordinator connects as the owner of the schema (the role that runs `coordinator migrate`).
--
-- The statements that used to live in Sources/Queue/WorkQueue*.swift are here now; the protocol
-- summary at the top of 0001_queue.sql still describes what each operation does. Roles belong to
-- the cluster: creating pixelprobe_worker needs CREATEROLE the first time (or create it by hand).

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pixelprobe_worker') THEN
    CREATE ROLE pixelprobe_worker NOLOGIN;
  END IF;
EXCEPTION
  -- Another database of the cluster created it at the same moment.
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- claim: see 0001. Output rows: killed flag, job, index, attempt, input digest, input size,
-- questions, kind, spec, lease seconds. `lapsed`, `retryable` and `fresh` lock candidates of the
-- three kinds, job by job (oldest first) through a partial index made for each, together at most
-- p_limit: the scans are pulled lazily, so only the rows used are locked. Every later step reaches
-- rows by primary key.
CREATE FUNCTION queue_claim(p_owner text, p_limit integer, p_kinds text[] DEFAULT NULL)
RETURNS TABLE (killed boolean, job_id bigint, idx integer, attempt integer, input_digest text,
               input_size bigint, questions integer, kind text, spec text,
               lease_seconds integer)
LANGUAGE plpgsql SECURITY DEFINER AS $$
#variable_conflict use_column
BEGIN
  IF p_owner IS NULL OR p_owner = '' THEN
    RAISE EXCEPTION 'queue_claim: the owner must not be empty' USING ERRCODE = '22023';
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
      lease_expires_at = now() + make_interval(secs => p.lease_seconds), retry_at = NULL,
      claimed_at = now(), finished_at = NULL
    FROM picked p
    WHERE s.job_id = p.job_id AND s.idx = p.idx AND NOT p.doomed
    RETURNING s.job_id, s.idx, s.attempt, s.input_digest, s.input_size, s.questions,
      p.lease_seconds
  ),
  history AS (
    INSERT INTO shard_attempts (job_id, idx, attempt, owner)
    SELECT job_id, idx, attempt, p_owner FROM claimed
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

-- heartbeat: extends the leases still held, by the job's lease length (not the caller's);
-- returns the keys still held.
CREATE FUNCTION queue_heartbeat(p_job_ids bigint[], p_idxs integer[], p_attempts integer[],
                                p_owners text[])
RETURNS TABLE (job_id bigint, idx integer)
LANGUAGE plpgsql SECURITY DEFINER SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  UPDATE shards s SET lease_expires_at = now() + make_interval(secs => j.lease_seconds)
  FROM unnest(p_job_ids, p_idxs, p_attempts, p_owners) AS i(job_id, idx, attempt, owner),
    jobs j
  WHERE s.job_id = i.job_id AND s.idx = i.idx AND s.state = 'running'
    AND s.attempt = i.attempt AND s.lease_owner = i.owner AND j.id = s.job_id
  RETURNING s.job_id, s.idx;
END
$$;

-- complete: `done` is fenced; `history` marks every attempt of the batch (an upsert: its
-- conflict check goes through the primary key whatever the statistics say); `jobs_updated` adds
-- the batch to the counters once per job and finishes jobs with nothing left. Returns the
-- accepted keys; the caller writes their result rows in the same transaction.
CREATE FUNCTION queue_complete(p_job_ids bigint[], p_idxs integer[], p_attempts integer[],
                               p_owners text[], p_output_digests text[],
                               p_output_sizes bigint[], p_questions integer[])
RETURNS TABLE (job_id bigint, idx integer)
LANGUAGE plpgsql SECURITY DEFINER SET enable_seqscan = off AS $$
#variable_conflict use_column
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
      AND s.attempt = i.attempt AND s.lease_owner = i.owner
    RETURNING s.job_id, s.idx, s.attempt, greatest(i.questions, 0) AS questions
  ),
  history AS (
    INSERT INTO shard_attempts AS a (job_id, idx, attempt, owner, outcome, ended_at, error)
    SELECT i.job_id, i.idx, i.attempt, i.owner,
      CASE WHEN d.idx IS NOT NULL THEN 'completed' ELSE 'rejected' END, now(),
      CASE WHEN d.idx IS NULL THEN 'completion rejected: the lease was lost' END
    FROM input i LEFT JOIN done d
      ON d.job_id = i.job_id AND d.idx = i.idx AND d.attempt = i.attempt
    -- Only attempts that exist: a caller cannot add history rows for attempts never claimed.
    WHERE i.attempt >= 1 AND EXISTS (
      SELECT 1 FROM shard_attempts e
      WHERE e.job_id = i.job_id AND e.idx = i.idx AND e.attempt = i.attempt)
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
END
$$;

-- Adds p_dead dead shards to a job and finishes it when nothing is left; runs after the shards
-- were marked dead in the same transaction, so queue_job_error sees them.
CREATE FUNCTION queue_count_dead(p_job_id bigint, p_dead integer) RETURNS void
LANGUAGE sql AS $$
  UPDATE jobs j SET shards_dead = j.shards_dead + p_dead,
    state = CASE WHEN j.state = 'running' AND j.shards_done + j.shards_dead + p_dead >= j.total_shards
                 THEN 'failed' ELSE j.state END,
    finished_at = CASE WHEN j.state = 'running'
                        AND j.shards_done + j.shards_dead + p_dead >= j.total_shards
                       THEN now() ELSE j.finished_at END,
    error = CASE WHEN j.state = 'running' AND j.shards_done + j.shards_dead + p_dead >= j.total_shards
                 THEN queue_job_error(j.id, j.shards_dead + p_dead, j.total_shards)
                 ELSE j.error END
  WHERE j.id = p_job_id
$$;

-- fail: fenced. Retryable with attempts left: 'failed', claimable after p_delay seconds (at most
-- a day); otherwise 'dead' with the error. Returns the new state, or NULL when the lease was no
-- longer the caller's (nothing changed).
CREATE FUNCTION queue_fail(p_job_id bigint, p_idx integer, p_attempt integer, p_owner text,
                           p_retryable boolean, p_delay double precision, p_error text)
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
    AND s.lease_owner = p_owner
  RETURNING s.state INTO new_state;
  IF new_state IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE shard_attempts SET outcome = 'failed', ended_at = now(), error = p_error
  WHERE job_id = p_job_id AND idx = p_idx AND attempt = p_attempt AND owner = p_owner;
  IF new_state = 'dead' THEN
    PERFORM queue_count_dead(p_job_id, 1);
  END IF;
  RETURN new_state;
END
$$;

-- release: fenced; back to 'available' at once, the attempt recorded 'released', and the
-- attempt budget raised by one so that handing back costs nothing. Returns the keys released.
CREATE FUNCTION queue_release(p_job_ids bigint[], p_idxs integer[], p_attempts integer[],
                              p_owners text[])
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
      AND s.attempt = i.attempt AND s.lease_owner = i.owner
    RETURNING s.job_id, s.idx, s.attempt
  ),
  a AS (
    UPDATE shard_attempts a SET outcome = 'released', ended_at = now()
    FROM r WHERE a.job_id = r.job_id AND a.idx = r.idx AND a.attempt = r.attempt
  )
  SELECT r.job_id, r.idx FROM r;
END
$$;

-- The input blob of a shard the caller holds (fenced like completion). No row: the lease is not
-- held; a row with NULL data: the blob is missing.
CREATE FUNCTION queue_shard_input(p_job_id bigint, p_idx integer, p_attempt integer,
                                  p_owner text)
RETURNS TABLE (digest text, data bytea)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT s.input_digest, b.data
  FROM shards s LEFT JOIN blobs b ON b.digest = s.input_digest
  WHERE s.job_id = p_job_id AND s.idx = p_idx AND s.state = 'running'
    AND s.attempt = p_attempt AND s.lease_owner = p_owner
$$;

-- Shards a worker could claim now (available, failed and due, running with an expired lease) of
-- running jobs: what an autoscaler (KEDA's postgresql trigger) scales on.
CREATE FUNCTION queue_backlog() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT coalesce(sum(c.n), 0)::bigint FROM jobs j CROSS JOIN LATERAL (
    SELECT (SELECT count(*) FROM shards WHERE job_id = j.id AND state = 'available')
      + (SELECT count(*) FROM shards
         WHERE job_id = j.id AND state = 'failed' AND retry_at <= now())
      + (SELECT count(*) FROM shards
         WHERE job_id = j.id AND lease_expires_at < now() AND state = 'running') AS n
  ) AS c
  WHERE j.state = 'running'
$$;

-- Result rows are written only by the transaction that completes their shard: the shard must be
-- 'done' and last written by this very transaction. Holds for every writer, workers or not.
CREATE FUNCTION queue_result_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM shards s
    WHERE s.job_id = NEW.job_id AND s.idx = NEW.idx AND s.state = 'done'
      AND s.xmin = pg_current_xact_id()::xid
  ) THEN
    RAISE EXCEPTION 'results of job % shard % can only be written by the transaction that completes it',
      NEW.job_id, NEW.idx USING ERRCODE = '42501', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END
$$;

-- Makes `result_table` (with job_id and idx columns referencing shards) a result table: workers
-- may insert into it, through the guard. Later migrations call it for the tables they add.
CREATE FUNCTION queue_allow_results(result_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT INSERT ON %s TO pixelprobe_worker', result_table);
  IF EXISTS (SELECT FROM pg_trigger WHERE tgrelid = result_table AND tgname = 'queue_result_guard')
  THEN
    RETURN;
  END IF;
  EXECUTE format(
    'CREATE TRIGGER queue_result_guard BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION queue_result_guard()',
    result_table);
END
$$;

-- Every table of this schema with a foreign key to shards holds results.
SELECT queue_allow_results(c.conrelid::regclass)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.confrelid = 'shards'::regclass
  AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema());

-- The functions run as their owner, with this schema first on the search path (never the
-- caller's), and only the roles granted below may call them.
DO $$
DECLARE
  f regprocedure;
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO pixelprobe_worker', current_schema());
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
GRANT EXECUTE ON FUNCTION queue_claim(text, integer, text[]),
  queue_heartbeat(bigint[], integer[], integer[], text[]),
  queue_complete(bigint[], integer[], integer[], text[], text[], bigint[], integer[]),
  queue_fail(bigint, integer, integer, text, boolean, double precision, text),
  queue_release(bigint[], integer[], integer[], text[]),
  queue_shard_input(bigint, integer, integer, text),
  queue_backlog()
  TO pixelprobe_worker;
GRANT INSERT ON blobs TO pixelprobe_worker;
