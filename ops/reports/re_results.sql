-- eval-re results of the last 30 days: RE per job and model, the model first, then references.
SELECT r.job_id, r.model, r.is_reference, r.images, r.questions,
  round((100 * r.unparsable_rate)::numeric, 2) AS unparsable_percent,
  round(r.re_percent::numeric, 3) AS re_percent,
  round(r.re_channel_sum_percent::numeric, 3) AS re_channel_sum_percent,
  round(r.mae_levels::numeric, 2) AS mae_levels
FROM re_job_report r JOIN jobs j ON j.id = r.job_id
WHERE j.created_at > now() - interval '30 days'
ORDER BY r.job_id DESC, r.is_reference, r.re_percent;
