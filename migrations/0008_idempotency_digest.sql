-- Idempotency keys as digests.
--
-- A job's idempotency key used to be the key text itself (by default the kind and the whole
-- canonical spec) on a unique btree column, and a btree entry holds at most about 2,700 bytes:
-- an eval-re job over 100 UUID-named images, or a 10,000-character --idempotency-key, could not
-- be enqueued. The column now holds the SHA-256 of the key text (64 hex digits), so its size no
-- longer depends on the spec; the full spec stays in jobs.spec.
--
-- job_key_digest is the one definition of the digest: enqueue inserts job_key_digest($key) and
-- looks jobs up by it, and a person finds the job of a key they chose with
--   SELECT id FROM jobs WHERE idempotency_key = job_key_digest('my-key');

CREATE FUNCTION job_key_digest(key text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT encode(sha256(convert_to(key, 'UTF8')), 'hex') $$;

-- Rows enqueued before this migration keep their identity: the same spec (or key) enqueued again
-- finds them.
UPDATE jobs SET idempotency_key = job_key_digest(idempotency_key) WHERE idempotency_key IS NOT NULL;

ALTER TABLE jobs ADD CONSTRAINT jobs_idempotency_key_is_digest
  CHECK (idempotency_key ~ '^[0-9a-f]{64}$');

COMMENT ON COLUMN jobs.idempotency_key IS
  'job_key_digest(key): SHA-256 (hex) of --idempotency-key, or of kind || '':'' || canonical spec';
