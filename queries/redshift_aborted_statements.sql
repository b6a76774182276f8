/*
name: redshift_aborted_statements
title: Aborted, failed and canceled statements
description: >
  Statements of every source that did not succeed (redshift_statements: stl_query.aborted = 1 on
  STL sources, status failed or canceled on SYS sources), newest first, with how long they ran,
  who ran them and their full text.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
SELECT
  cluster,
  kind,
  query_id,
  status,
  start_time,
  end_time,
  round(CAST(elapsed_time AS double) / 1e6, 3) AS seconds,
  user_id,
  user_name,
  database_name,
  fingerprint,
  text
FROM redshift_statements
WHERE day BETWEEN :from_day AND :to_day AND status <> 'success'
ORDER BY end_time DESC, cluster, query_id
LIMIT 500
