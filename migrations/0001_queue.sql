-- The work queue: jobs, their shards, each shard's attempt history, and blobs.
--
-- The protocol, for anyone implementing a worker in another language (the statements themselves
-- are in Sources/Queue/WorkQueue*.swift):
-- * enqueue: one transaction inserts the job (ON CONFLICT (idempotency_key) DO NOTHING: a second
--   enqueue returns the first job), its blobs and shard rows (state 'available', attempt 0,
--   attempt_limit = max_attempts), sets total_shards/total_questions, and
--   NOTIFY pixelprobe_queue (a hint only: workers also poll).
-- * claim: one statement locks claimable shards of running jobs with FOR UPDATE SKIP LOCKED
--   ('available'; 'failed' with retry_at <= now(); 'running' with lease_expires_at < now()),
--   sets state 'running', attempt + 1, lease_owner, lease_expires_at = now() + lease_seconds, and
--   inserts the shard_attempts row (outcome 'running'). An expired attempt is recorded 'expired';
--   if it was the last allowed (attempt >= attempt_limit) the shard becomes 'dead' instead.
-- * heartbeat: lease_expires_at = now() + lease_seconds WHERE state = 'running' AND attempt = A
--   AND lease_owner = O; a claim whose row did not match has lost its lease.
-- * complete: one transaction: the same fence marks the shard 'done' (output digest and size),
--   the worker's result rows are written only for shards that matched, attempts become
--   'completed' (late ones 'rejected'), jobs.shards_done/questions_done grow, and the job becomes
--   'succeeded' (or 'failed', with the dead shards' errors) when done + dead = total.
-- * fail: fenced; with attempts left and a retryable error the shard becomes 'failed' with a
--   retry_at, otherwise 'dead' with its error (counted in jobs.shards_dead).
-- * release: fenced; back to 'available' with attempt_limit + 1 (handing back costs no attempt).
-- Files in migrations/ run inside one transaction: they must not contain BEGIN or COMMIT.

-- A job: its kind, its full spec, and counters kept up to date by the completing transactions
-- (so progress and "is the job finished?" never need to count the shards).
CREATE TABLE jobs (
  id              bigserial PRIMARY KEY,
  kind            text        NOT NULL,
  spec            jsonb       NOT NULL,
  idempotency_key text        UNIQUE,
  state           text        NOT NULL DEFAULT 'running'
                  CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled')),
  max_attempts    integer     NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  lease_seconds   integer     NOT NULL DEFAULT 60 CHECK (lease_seconds >= 1),
  total_shards    integer     NOT NULL DEFAULT 0 CHECK (total_shards >= 0),
  total_questions bigint      NOT NULL DEFAULT 0 CHECK (total_questions >= 0),
  shards_done     integer     NOT NULL DEFAULT 0 CHECK (shards_done >= 0),
  shards_dead     integer     NOT NULL DEFAULT 0 CHECK (shards_dead >= 0),
  questions_done  bigint      NOT NULL DEFAULT 0 CHECK (questions_done >= 0),
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  CHECK (shards_done + shards_dead <= total_shards)
);

-- Claims look up the running jobs (optionally of some kinds) first.
CREATE INDEX jobs_running_kind ON jobs (kind, id) WHERE state = 'running';

-- A shard: one unit of work with a lease. `attempt` counts claims; a claim is allowed while
-- attempt < attempt_limit (release and retry raise the limit instead of resetting the count, so
-- attempt numbers stay unique in shard_attempts).
CREATE TABLE shards (
  job_id           bigint      NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx              integer     NOT NULL CHECK (idx >= 0),
  state            text        NOT NULL DEFAULT 'available'
                   CHECK (state IN ('available', 'running', 'done', 'failed', 'dead', 'cancelled')),
  attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  attempt_limit    integer     NOT NULL CHECK (attempt_limit >= 1),
  questions        integer     NOT NULL DEFAULT 0 CHECK (questions >= 0),
  input_digest     text,
  input_size       bigint,
  output_digest    text,
  output_size      bigint,
  lease_owner      text,
  lease_expires_at timestamptz,
  retry_at         timestamptz,
  error            text,
  claimed_at       timestamptz,
  finished_at      timestamptz,
  PRIMARY KEY (job_id, idx),
  -- A lease exists exactly while the shard runs (the lease index relies on it).
  CHECK ((state = 'running') = (lease_expires_at IS NOT NULL)),
  CHECK (state <> 'running' OR lease_owner IS NOT NULL),
  CHECK (state <> 'failed' OR retry_at IS NOT NULL)
);

-- The claimable rows, each kind with its own small index, per job: available in order, failed by
-- the time they may be retried, running by lease expiry (expired leases are claimable again).
-- Each matches its claim scan exactly, so plans stay right however stale the statistics of this
-- fast-changing table are. The lease index is keyed on the lease, not on state = 'running', so
-- that the fenced updates (by primary key) are never tempted to use it.
CREATE INDEX shards_available ON shards (job_id, idx) WHERE state = 'available';
CREATE INDEX shards_retry ON shards (job_id, retry_at) WHERE state = 'failed';
CREATE INDEX shards_leases ON shards (job_id, lease_expires_at) WHERE lease_expires_at IS NOT NULL;

-- One row per claim: who held the shard and how the attempt ended. A shard has at most one
-- 'completed' attempt; tests and audits check it here. No foreign key to shards: its check
-- would cost a lookup and a row lock for every claimed shard, and rows are only ever written by
-- the statements that change the shard itself.
CREATE TABLE shard_attempts (
  job_id     bigint      NOT NULL,
  idx        integer     NOT NULL,
  attempt    integer     NOT NULL CHECK (attempt >= 1),
  owner      text        NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  ended_at   timestamptz,
  outcome    text        NOT NULL DEFAULT 'running'
             CHECK (outcome IN ('running', 'completed', 'failed', 'expired', 'released',
                                'rejected', 'cancelled')),
  error      text,
  PRIMARY KEY (job_id, idx, attempt)
);

-- Content-addressed bytes (shard inputs and outputs), keyed by the digest the writer computed.
CREATE TABLE blobs (
  digest     text        PRIMARY KEY,
  data       bytea       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Shard blobs are zstd-compressed already: store them out of line without trying to compress.
ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;

-- The error text of a job that ended with dead shards: how many, then the first few shards'
-- errors. `extra` carries errors of shards killed by the calling statement itself, which its
-- snapshot cannot see yet.
CREATE FUNCTION queue_job_error(job bigint, dead integer, total integer, extra text[] DEFAULT '{}')
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT format('%s of %s shard(s) dead; %s', dead, total,
                coalesce(string_agg(first_errors.e, '; '), 'no error recorded'))
  FROM (
    SELECT e FROM (
      SELECT 0 AS rank, e FROM unnest(extra) AS e
      UNION ALL
      SELECT 1, format('shard %s: %s', idx, coalesce(error, 'no error recorded'))
      FROM (SELECT idx, error FROM shards
            WHERE job_id = job AND state = 'dead' ORDER BY idx LIMIT 3) AS d
    ) AS candidates
    ORDER BY rank
    LIMIT 3
  ) AS first_errors
$$;
