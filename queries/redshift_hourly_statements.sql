/*
name: redshift_hourly_statements
title: Statements per hour and cluster
description: >
  How many statements each cluster completed per hour (stl_query, child-query level), and how
  many of them were aborted. Reads only the endtime and aborted columns of the days asked for.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: statements, series: cluster }
*/
SELECT
  cluster,
  date_trunc('hour', endtime) AS hour,
  count(*) AS statements,
  count_if(aborted = 1) AS aborted
FROM stl_query
WHERE day BETWEEN :from_day AND :to_day
GROUP BY cluster, date_trunc('hour', endtime)
ORDER BY hour, cluster
