-- gen-pvp: one row per finished shard, written in the shard's completing transaction.
-- The questions and answers themselves live in the shard's output blob (shards.output_digest).
CREATE TABLE pvp_shard_stats (
  job_id    bigint  NOT NULL,
  idx       integer NOT NULL,
  questions integer NOT NULL CHECK (questions >= 0),
  images    integer NOT NULL CHECK (images >= 0),
  PRIMARY KEY (job_id, idx),
  FOREIGN KEY (job_id, idx) REFERENCES shards (job_id, idx) ON DELETE CASCADE
);

-- Per-job totals of gen-pvp, as `coordinator status` and reports read them.
CREATE VIEW pvp_job_totals AS
SELECT j.id AS job_id, j.state, j.total_questions,
       coalesce(sum(s.questions), 0) AS questions_done,
       coalesce(sum(s.images), 0) AS image_decodes,
       count(s.idx) AS shards_done
FROM jobs j LEFT JOIN pvp_shard_stats s ON s.job_id = j.id
WHERE j.kind = 'gen-pvp'
GROUP BY j.id, j.state, j.total_questions;
