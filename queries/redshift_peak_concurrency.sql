/*
name: redshift_peak_concurrency
title: Peak concurrency per cluster and hour
description: >
  The most statements each source ran at the same time in each hour (redshift_statements, from
  the start to the end of each statement, queue time included), beside how many started in the
  hour: for sizing, how close a cluster comes to its WLM slots, or how far a workgroup scales.
  Statements that started before :from_day are not counted.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: peak_concurrency, series: cluster }
*/
WITH statements AS (
  SELECT cluster, start_time, end_time
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day AND start_time >= CAST(:from_day AS timestamp)
),
changes AS (
  SELECT cluster, start_time AS event_time, 1 AS delta FROM statements
  UNION ALL
  SELECT cluster, end_time AS event_time, -1 AS delta FROM statements
),
running AS (
  -- Ends before starts at the same instant: a statement that ends as another begins does not overlap it.
  SELECT
    cluster,
    event_time,
    delta,
    sum(delta) OVER (PARTITION BY cluster ORDER BY event_time, delta ROWS UNBOUNDED PRECEDING) AS concurrent
  FROM changes
)
SELECT
  cluster,
  date_trunc('hour', event_time) AS hour,
  max(concurrent) AS peak_concurrency,
  count_if(delta = 1) AS started
FROM running
GROUP BY cluster, date_trunc('hour', event_time)
ORDER BY hour, cluster
