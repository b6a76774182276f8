/*
name: redshift_hourly_statements
title: Statements per hour and cluster
description: >
  How many statements each source of the fleet completed per hour (redshift_statements: the
  queries of stl_query on sources read through STL, every statement of sys_query_history on
  Serverless workgroups and Multi-AZ clusters), and how many of them did not succeed (aborted on
  STL; failed or canceled on SYS). Reads only the end time and status of the days asked for.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: statements, series: cluster }
*/
SELECT
  cluster,
  kind,
  dialect,
  date_trunc('hour', end_time) AS hour,
  count(*) AS statements,
  count_if(status <> 'success') AS failed
FROM redshift_statements
WHERE day BETWEEN :from_day AND :to_day
GROUP BY cluster, kind, dialect, date_trunc('hour', end_time)
ORDER BY hour, cluster
