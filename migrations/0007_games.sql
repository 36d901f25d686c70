-- gen-game and play-game (the paper's Table 4): one row per played episode, written by the
-- worker in the shard's completing transaction. A play-game shard is one episode; a gen-game
-- shard one expert game (its observations live in the output shard, this row summarises it).
CREATE TABLE game_episode_metrics (
  job_id        bigint  NOT NULL,
  idx           integer NOT NULL,
  -- The episode's number in the job and the seed its environment was reset with.
  episode       integer NOT NULL CHECK (episode >= 0),
  env_seed      bigint  NOT NULL CHECK (env_seed >= 0),
  game          text    NOT NULL CHECK (game IN ('carracing', 'spaceinvaders')),
  model         text    NOT NULL,
  -- The sum of the environment's rewards over the episode (unclipped).
  reward        float8  NOT NULL,
  steps         integer NOT NULL CHECK (steps >= 0),
  -- Answers that did not parse as an action (NOOP was played instead).
  unparsable    integer NOT NULL CHECK (unparsable >= 0 AND unparsable <= steps),
  -- How the episode ended: the game ended (terminated), the environment's time limit
  -- (truncated), or the job's --max-steps (max_steps).
  ended         text    NOT NULL CHECK (ended IN ('terminated', 'truncated', 'max_steps')),
  wall_seconds  float8  NOT NULL CHECK (wall_seconds >= 0),
  -- Seconds spent inside the environment server (reset and steps, protocol included).
  env_seconds   float8  NOT NULL CHECK (env_seconds >= 0),
  PRIMARY KEY (job_id, episode),
  FOREIGN KEY (job_id, idx) REFERENCES shards (job_id, idx) ON DELETE CASCADE
);

SELECT queue_allow_results('game_episode_metrics');

-- Table 4: per job, game and model, the mean and (sample) standard deviation of the episode
-- rewards, and how many episodes were played.
CREATE VIEW game_job_report AS
SELECT j.id AS job_id, j.kind, m.game, m.model, count(*) AS episodes,
       avg(m.reward) AS mean_reward, coalesce(stddev_samp(m.reward), 0) AS std_reward,
       min(m.reward) AS min_reward, max(m.reward) AS max_reward,
       sum(m.steps) AS steps, sum(m.unparsable) AS unparsable,
       sum(m.steps)::float8 / nullif(sum(m.wall_seconds), 0) AS steps_per_second,
       sum(m.steps)::float8 / nullif(sum(m.env_seconds), 0) AS env_steps_per_second
FROM jobs j JOIN game_episode_metrics m ON m.job_id = j.id
GROUP BY j.id, j.kind, m.game, m.model;
