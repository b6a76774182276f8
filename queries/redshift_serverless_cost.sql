/*
name: redshift_serverless_cost
title: Serverless compute cost per hour
description: >
  What each Serverless workgroup's compute cost per hour: the RPU-seconds billed in
  sys_serverless_usage (charged_seconds, minimum charges included) times the price of an
  RPU-hour, :price_per_rpu_hour (0.375 USD by default, the US East (N. Virginia) price of the
  AWS worked example: read the current price of your Region), beside the RPU-seconds really used
  and the average capacity. Storage, snapshots and data transfer are not compute and are not in it.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
  - { name: price_per_rpu_hour, type: string, default: '0.375', description: Price of one RPU-hour (USD by default) }
chart: { type: line, x: hour, y: cost, series: cluster }
*/
SELECT
  cluster,
  date_trunc('hour', start_time) AS hour,
  sum(charged_seconds) AS charged_rpu_seconds,
  round(sum(compute_seconds), 1) AS used_rpu_seconds,
  round(avg(compute_capacity), 1) AS avg_rpus,
  round(CAST(sum(charged_seconds) AS double) / 3600 * CAST(:price_per_rpu_hour AS double), 4) AS cost
FROM sys_serverless_usage
WHERE day BETWEEN :from_day AND :to_day
GROUP BY cluster, date_trunc('hour', start_time)
ORDER BY hour, cluster
