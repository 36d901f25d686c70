-- eval-re: per-image error sums, one row per (job, image, model), written by the worker in the
-- shard's completing transaction. The model under test has is_reference = false; the reference
-- baselines (baseline:mean, thumbnails) scored on the same cells have is_reference = true.
CREATE TABLE re_image_metrics (
  job_id       bigint  NOT NULL,
  idx          integer NOT NULL,
  image        text    NOT NULL,
  model        text    NOT NULL,
  is_reference boolean NOT NULL,
  questions    integer NOT NULL CHECK (questions >= 0),
  unparsable   integer NOT NULL CHECK (unparsable >= 0),
  scored       integer NOT NULL CHECK (scored >= 0),
  sum_abs_r    bigint  NOT NULL,
  sum_abs_g    bigint  NOT NULL,
  sum_abs_b    bigint  NOT NULL,
  PRIMARY KEY (job_id, image, model),
  FOREIGN KEY (job_id, idx) REFERENCES shards (job_id, idx) ON DELETE CASCADE
);

-- Per image: RE = 100 x mean over scored pixels and channels of |pred - gt| / 255 (the headline),
-- the channel-summed variant (the paper's Eq. 1-2 with |.| summed over R, G, B), and the mean
-- absolute error in levels.
CREATE VIEW re_image_report AS
SELECT job_id, idx, image, model, is_reference, questions, unparsable, scored,
       100.0 * (sum_abs_r + sum_abs_g + sum_abs_b) / nullif(scored * 3 * 255.0, 0) AS re_percent,
       100.0 * (sum_abs_r + sum_abs_g + sum_abs_b) / nullif(scored * 255.0, 0) AS re_channel_sum_percent,
       (sum_abs_r + sum_abs_g + sum_abs_b) / nullif(scored * 3.0, 0) AS mae_levels
FROM re_image_metrics;

-- Per job and model: the mean over images of the per-image figures (the paper's "mean RE").
CREATE VIEW re_job_report AS
SELECT job_id, model, is_reference, count(*) AS images, sum(questions) AS questions,
       sum(unparsable) AS unparsable,
       sum(unparsable)::float8 / nullif(sum(questions), 0) AS unparsable_rate,
       avg(re_percent) AS re_percent, avg(re_channel_sum_percent) AS re_channel_sum_percent,
       avg(mae_levels) AS mae_levels
FROM re_image_report
GROUP BY job_id, model, is_reference;
