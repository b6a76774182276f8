/*
name: redshift_queue_wait
title: WLM queue wait per cluster, queue and hour
description: >
  Time queries spent waiting in each WLM queue (service class), per cluster and hour of
  assignment: how many queries, how many waited at all, total, average and worst wait in seconds.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: total_queue_seconds, series: cluster_queue }
*/
SELECT
  cluster,
  service_class,
  coalesce(service_class_name, CAST(service_class AS varchar)) AS queue,
  cluster || ' / ' || coalesce(service_class_name, CAST(service_class AS varchar)) AS cluster_queue,
  date_trunc('hour', service_class_start_time) AS hour,
  count(*) AS queries,
  count_if(total_queue_time > 0) AS queued,
  round(CAST(sum(total_queue_time) AS double) / 1e6, 3) AS total_queue_seconds,
  round(CAST(avg(total_queue_time) AS double) / 1e6, 3) AS avg_queue_seconds,
  round(CAST(max(total_queue_time) AS double) / 1e6, 3) AS max_queue_seconds
FROM stl_wlm_query
WHERE day BETWEEN :from_day AND :to_day
GROUP BY 1, 2, 3, 4, 5
ORDER BY hour, cluster, service_class
