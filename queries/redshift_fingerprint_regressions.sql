/*
name: redshift_fingerprint_regressions
title: Statements that got slower (regressions by fingerprint)
description: >
  Each fingerprint's average elapsed time since :since ("this week", by default the last seven
  days) against its average over the runs before, from :from_day on (the previous weeks), across
  every source of the fleet: the fingerprints that now take at least :min_increase_percent
  percent longer, with enough runs on both sides to compare, slowest increase first. Pass an
  earlier or later :since to compare other periods.
parameters:
  - { name: from_day, type: day, default: today-28d, description: First UTC day of the baseline (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
  - { name: since, type: timestamp, default: now-7d, description: Start of the recent period (UTC) }
  - { name: min_runs, type: integer, default: '3', description: Fewest runs in each period for a fingerprint to be compared }
  - { name: min_increase_percent, type: integer, default: '50', description: Smallest slowdown reported, in percent }
chart: { type: bar, x: fingerprint, y: increase_percent }
*/
WITH runs AS (
  SELECT
    fingerprint,
    cluster,
    text,
    CAST(elapsed_time AS double) / 1e6 AS seconds,
    start_time >= CAST(:since AS timestamp) AS recent
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day AND fingerprint IS NOT NULL
),
compared AS (
  SELECT
    fingerprint,
    count(DISTINCT cluster) AS clusters,
    count_if(NOT recent) AS baseline_runs,
    count_if(recent) AS recent_runs,
    avg(CASE WHEN NOT recent THEN seconds END) AS baseline_avg,
    avg(CASE WHEN recent THEN seconds END) AS recent_avg,
    max_by(text, seconds) AS slowest_text
  FROM runs
  GROUP BY fingerprint
)
SELECT
  fingerprint,
  clusters,
  baseline_runs,
  recent_runs,
  round(baseline_avg, 3) AS baseline_avg_seconds,
  round(recent_avg, 3) AS recent_avg_seconds,
  round(100 * (recent_avg / baseline_avg - 1), 1) AS increase_percent,
  slowest_text
FROM compared
WHERE baseline_runs >= CAST(:min_runs AS integer)
  AND recent_runs >= CAST(:min_runs AS integer)
  AND baseline_avg > 0
  AND recent_avg >= baseline_avg * (1 + CAST(:min_increase_percent AS double) / 100)
ORDER BY increase_percent DESC, fingerprint
LIMIT 50
