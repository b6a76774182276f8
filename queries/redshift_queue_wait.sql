/*
name: redshift_queue_wait
title: Queue wait per cluster, queue and hour
description: >
  Time statements spent waiting in each WLM queue (service class), per source and hour of
  start: how many statements, how many waited at all, total, average and worst wait in seconds.
  STL sources give the queue of stl_wlm_query, SYS sources that of sys_query_history; a Serverless
  workgroup has no WLM queues and shows as one queue, (serverless). Statements that never entered a
  queue (leader-node work on STL) are left out.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: total_queue_seconds, series: cluster_queue }
*/
WITH queued AS (
  SELECT
    cluster,
    service_class,
    CASE WHEN kind = 'serverless' THEN '(serverless)' ELSE coalesce(queue, CAST(service_class AS varchar)) END AS queue,
    date_trunc('hour', start_time) AS hour,
    queue_time
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day AND queue_time IS NOT NULL
)
SELECT
  cluster,
  service_class,
  queue,
  cluster || ' / ' || queue AS cluster_queue,
  hour,
  count(*) AS queries,
  count_if(queue_time > 0) AS queued,
  round(CAST(sum(queue_time) AS double) / 1e6, 3) AS total_queue_seconds,
  round(CAST(avg(queue_time) AS double) / 1e6, 3) AS avg_queue_seconds,
  round(CAST(max(queue_time) AS double) / 1e6, 3) AS max_queue_seconds
FROM queued
GROUP BY 1, 2, 3, 4, 5
ORDER BY hour, cluster, service_class
