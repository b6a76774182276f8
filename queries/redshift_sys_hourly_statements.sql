/*
name: redshift_sys_hourly_statements
title: Statements per hour on Serverless and Multi-AZ sources
description: >
  How many statements each source read through its SYS views (Serverless workgroups, Multi-AZ
  clusters) completed per hour (sys_query_history, one row per statement once it is over), and
  how many of them failed or were canceled. Reads only the end_time and status columns of the
  days asked for.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: statements, series: cluster }
*/
SELECT
  cluster,
  date_trunc('hour', end_time) AS hour,
  count(*) AS statements,
  count_if(status <> 'success') AS failed
FROM sys_query_history
WHERE day BETWEEN :from_day AND :to_day
GROUP BY cluster, date_trunc('hour', end_time)
ORDER BY hour, cluster
