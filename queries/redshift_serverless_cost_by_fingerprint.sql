/*
name: redshift_serverless_cost_by_fingerprint
title: Serverless compute cost per fingerprint (estimate)
description: >
  Serverless does not record what each statement cost, so each minute's billed RPU-seconds
  (sys_serverless_usage.charged_seconds) are shared among the statements that ran in that minute,
  in proportion to how long each ran in it, and priced at :price_per_rpu_hour (0.375 USD by
  default: read the current price of your Region). Minutes billed with no statement running in
  them (minimum charges) are not shared out; they show as (unallocated). An estimate for ranking
  what costs most, not a bill.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
  - { name: price_per_rpu_hour, type: string, default: '0.375', description: Price of one RPU-hour (USD by default) }
chart: { type: bar, x: fingerprint, y: cost }
*/
WITH usage AS (
  SELECT cluster, start_time, end_time, charged_seconds
  FROM sys_serverless_usage
  WHERE day BETWEEN :from_day AND :to_day AND charged_seconds > 0
),
statements AS (
  SELECT cluster, fingerprint, text, start_time, end_time
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day AND kind = 'serverless'
),
overlapping AS (
  SELECT
    u.cluster,
    u.start_time AS minute,
    u.charged_seconds,
    s.fingerprint,
    s.text,
    CAST(date_diff('millisecond', greatest(s.start_time, u.start_time), least(s.end_time, u.end_time)) AS double) AS overlap_ms
  FROM usage u
  JOIN statements s ON s.cluster = u.cluster AND s.start_time < u.end_time AND s.end_time > u.start_time
),
shares AS (
  SELECT
    cluster,
    coalesce(fingerprint, '(no text)') AS fingerprint,
    text,
    charged_seconds * overlap_ms / sum(overlap_ms) OVER (PARTITION BY cluster, minute) AS rpu_seconds
  FROM overlapping
  WHERE overlap_ms > 0
),
allocated AS (
  SELECT cluster, fingerprint, count(*) AS statement_minutes, sum(rpu_seconds) AS rpu_seconds, max(text) AS example_text
  FROM shares
  GROUP BY cluster, fingerprint
),
unallocated AS (
  SELECT u.cluster, '(unallocated)' AS fingerprint, count(*) AS statement_minutes, CAST(sum(u.charged_seconds) AS double) AS rpu_seconds,
    CAST(NULL AS varchar) AS example_text
  FROM usage u
  WHERE NOT EXISTS (
    SELECT 1 FROM statements s WHERE s.cluster = u.cluster AND s.start_time < u.end_time AND s.end_time > u.start_time
  )
  GROUP BY u.cluster
)
SELECT
  cluster,
  fingerprint,
  statement_minutes,
  round(rpu_seconds, 1) AS rpu_seconds,
  round(rpu_seconds / 3600 * CAST(:price_per_rpu_hour AS double), 4) AS cost,
  example_text
FROM (SELECT * FROM allocated UNION ALL SELECT * FROM unallocated)
ORDER BY cost DESC, cluster, fingerprint
LIMIT 50
