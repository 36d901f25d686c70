-- score-refcoco: the recorded sentence subset (written in the enqueue transaction, so a report can
-- always say exactly which sentences were scored) and per-sentence results (written by the worker
-- in the shard's completing transaction).
CREATE TABLE refcoco_subsets (
  job_id    bigint  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  -- The sentence's number in the job: splits in the job's order, each sorted by (ref_id, sent_id).
  ordinal   integer NOT NULL CHECK (ordinal >= 0),
  dataset   text    NOT NULL,
  split_by  text    NOT NULL,
  split     text    NOT NULL,
  -- The split's position in the job (the report's column order).
  split_no  integer NOT NULL CHECK (split_no >= 0),
  ref_id    integer NOT NULL,
  sent_id   integer NOT NULL,
  ann_id    integer NOT NULL,
  image_id  bigint  NOT NULL,
  image     text    NOT NULL,
  sentence  text    NOT NULL,
  -- The shard that carries it.
  idx       integer NOT NULL,
  PRIMARY KEY (job_id, ordinal),
  UNIQUE (job_id, dataset, split, ref_id, sent_id)
);

-- One row per scored sentence. Pixel counts are of the full-resolution masks; boxes are corners
-- [x1, y1, x2, y2] in pixels. pred_* is the REC answer's box (null when it did not parse);
-- mask_* the box whose cells were asked (null: the whole image).
CREATE TABLE refcoco_sentence_metrics (
  job_id          bigint  NOT NULL,
  ordinal         integer NOT NULL,
  idx             integer NOT NULL,
  intersection_px bigint  NOT NULL CHECK (intersection_px >= 0),
  union_px        bigint  NOT NULL CHECK (union_px >= intersection_px),
  gt_x1 float8 NOT NULL, gt_y1 float8 NOT NULL, gt_x2 float8 NOT NULL, gt_y2 float8 NOT NULL,
  pred_x1 float8, pred_y1 float8, pred_x2 float8, pred_y2 float8,
  -- MiniGPT-v2's IoU (+1-pixel convention); null when the answer did not parse or Python would
  -- divide by zero.
  box_iou         float8,
  rec_hit         boolean NOT NULL,
  box_source      text    NOT NULL CHECK (box_source IN ('model', 'gt', 'full', 'fallback')),
  mask_x1 float8, mask_y1 float8, mask_x2 float8, mask_y2 float8,
  -- Every question asked about the sentence: the REC question plus the mask questions.
  questions       integer NOT NULL CHECK (questions >= 1),
  mask_questions  integer NOT NULL CHECK (mask_questions >= 0),
  -- Unparsable answers: the REC answer (rec_unparsable) plus the mask answers (counted as 0).
  unparsable      integer NOT NULL CHECK (unparsable >= 0),
  rec_unparsable  boolean NOT NULL,
  PRIMARY KEY (job_id, ordinal),
  FOREIGN KEY (job_id, ordinal) REFERENCES refcoco_subsets (job_id, ordinal) ON DELETE CASCADE,
  FOREIGN KEY (job_id, idx) REFERENCES shards (job_id, idx) ON DELETE CASCADE
);

-- Per sentence, with its identity and IoU (an empty union counts 1, LISA's gIoU convention).
CREATE VIEW refcoco_sentence_report AS
SELECT s.job_id, s.ordinal, s.dataset, s.split_by, s.split, s.split_no, s.ref_id, s.sent_id,
       s.ann_id, s.image, s.sentence, m.intersection_px, m.union_px,
       CASE WHEN m.union_px = 0 THEN 1.0::float8 ELSE m.intersection_px::float8 / m.union_px END AS iou,
       m.gt_x1, m.gt_y1, m.gt_x2, m.gt_y2, m.pred_x1, m.pred_y1, m.pred_x2, m.pred_y2,
       m.box_iou, m.rec_hit, m.box_source, m.mask_x1, m.mask_y1, m.mask_x2, m.mask_y2,
       m.questions, m.mask_questions, m.unparsable, m.rec_unparsable
FROM refcoco_subsets s JOIN refcoco_sentence_metrics m USING (job_id, ordinal);

-- Per split: cIoU = sum of intersections / sum of unions (LISA), gIoU = mean per-sentence IoU,
-- REC accuracy = fraction of REC answers with IoU > 0.5 (unparsable answers are misses). All
-- fractions in 0..1, over the scored sentences (`sentences`; `planned` is the recorded subset).
-- cIoU is null when every union is empty.
CREATE VIEW refcoco_split_report AS
SELECT s.job_id, s.dataset, s.split, s.split_no, count(*) AS planned,
       count(m.ordinal) AS sentences,
       coalesce(sum(m.intersection_px), 0) AS intersection_px,
       coalesce(sum(m.union_px), 0) AS union_px,
       sum(m.intersection_px)::float8 / nullif(sum(m.union_px), 0)::float8 AS ciou,
       avg(CASE WHEN m.union_px = 0 THEN 1.0::float8 ELSE m.intersection_px::float8 / m.union_px END)
         AS giou,
       avg(m.rec_hit::int::float8) AS rec_acc,
       coalesce(sum(m.questions), 0) AS questions,
       coalesce(sum(m.mask_questions), 0) AS mask_questions,
       coalesce(sum(m.unparsable), 0) AS unparsable,
       count(*) FILTER (WHERE m.rec_unparsable) AS rec_unparsable
FROM refcoco_subsets s LEFT JOIN refcoco_sentence_metrics m USING (job_id, ordinal)
GROUP BY s.job_id, s.dataset, s.split, s.split_no;

-- Per job: the paper's "avg" column is the mean of the splits' cIoUs (Table 3; splits without a
-- cIoU are left out); the same for gIoU and REC accuracy (Table 6's "Average").
CREATE VIEW refcoco_job_report AS
SELECT job_id, count(*) AS splits, sum(planned) AS planned, sum(sentences) AS sentences,
       avg(ciou) AS avg_ciou, avg(giou) AS avg_giou, avg(rec_acc) AS avg_rec_acc,
       sum(questions) AS questions, sum(mask_questions) AS mask_questions,
       sum(unparsable) AS unparsable, sum(rec_unparsable) AS rec_unparsable
FROM refcoco_split_report
GROUP BY job_id;
