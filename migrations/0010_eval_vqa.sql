-- eval-vqa: the recorded question subset (written in the enqueue transaction, so a report always
-- says exactly what was scored) and per-question results (written by the worker in the shard's
-- completing transaction). Scores are in 0..1: `score` on normalised answers (the official VQA
-- normalisation), `exact_score` by MiniGPT-v2's literal rule (docs/eval-vqa.md).
CREATE TABLE vqa_questions (
  job_id       bigint  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  -- The question's number in the job (file order of the chosen subset).
  ordinal      integer NOT NULL CHECK (ordinal >= 0),
  question_id  text    NOT NULL,
  image        text    NOT NULL,
  -- The benchmark's text (question, VSR caption, meme text) and the prompt the model saw.
  question     text    NOT NULL,
  prompt       text    NOT NULL,
  -- Ground truth: the answer(s) (VizWiz: every annotator's), IconQA's choices and correct index.
  answers      jsonb   NOT NULL,
  choices      jsonb   NOT NULL,
  answer_index integer,
  answer_type  text    NOT NULL,
  -- The shard that carries it.
  idx          integer NOT NULL,
  PRIMARY KEY (job_id, ordinal)
);

CREATE TABLE vqa_question_results (
  job_id      bigint  NOT NULL,
  ordinal     integer NOT NULL,
  idx         integer NOT NULL,
  -- The raw answer, MiniGPT-v2's clean-up of it (<unk> removed, trimmed), and its normal form
  -- (IconQA: the letter of the matched choice, or '').
  answer      text    NOT NULL,
  prediction  text    NOT NULL,
  normalized  text    NOT NULL,
  score       float8  NOT NULL CHECK (score >= 0 AND score <= 1),
  exact_score float8  NOT NULL CHECK (exact_score >= 0 AND exact_score <= 1),
  unparsable  boolean NOT NULL,
  PRIMARY KEY (job_id, ordinal),
  FOREIGN KEY (job_id, ordinal) REFERENCES vqa_questions (job_id, ordinal) ON DELETE CASCADE,
  FOREIGN KEY (job_id, idx) REFERENCES shards (job_id, idx) ON DELETE CASCADE
);

SELECT queue_allow_results('vqa_question_results');

-- Per question, with its identity and ground truth.
CREATE VIEW vqa_question_report AS
SELECT q.job_id, q.ordinal, q.question_id, q.image, q.question, q.prompt, q.answers, q.choices,
       q.answer_index, q.answer_type, r.answer, r.prediction, r.normalized, r.score,
       r.exact_score, r.unparsable
FROM vqa_questions q JOIN vqa_question_results r USING (job_id, ordinal);

-- Per job: the benchmark and model, planned and scored questions, accuracies in 0..1 (over the
-- scored questions), unparsable and empty answers.
CREATE VIEW vqa_job_report AS
SELECT j.id AS job_id, j.spec->>'benchmark' AS benchmark, j.spec->>'model' AS model,
       (SELECT count(*) FROM vqa_questions q WHERE q.job_id = j.id) AS planned,
       count(r.ordinal) AS questions,
       avg(r.score) AS accuracy, avg(r.exact_score) AS exact_accuracy,
       count(*) FILTER (WHERE r.unparsable) AS unparsable,
       count(*) FILTER (WHERE r.prediction = '') AS empty
FROM jobs j LEFT JOIN vqa_question_results r ON r.job_id = j.id
WHERE j.kind = 'eval-vqa'
GROUP BY j.id;

-- Per job and answer type (GQA structural type, VizWiz answer_type, VSR relation, ...).
CREATE VIEW vqa_type_report AS
SELECT q.job_id, q.answer_type, count(*) AS planned, count(r.ordinal) AS questions,
       avg(r.score) AS accuracy, avg(r.exact_score) AS exact_accuracy,
       count(*) FILTER (WHERE r.unparsable) AS unparsable
FROM vqa_questions q LEFT JOIN vqa_question_results r USING (job_id, ordinal)
GROUP BY q.job_id, q.answer_type;
