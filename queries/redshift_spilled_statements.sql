/*
name: redshift_spilled_statements
title: Statements that spilled to disk, by fingerprint and cluster
description: >
  Statements whose intermediate results did not fit in memory and were written to disk
  (redshift_statements.spilled_bytes: stl_query_metrics on STL sources, queries in user-defined
  queues; sys_query_detail on SYS sources), per fingerprint and source: how many runs spilled out
  of how many, the total and worst spill in MB, their average elapsed time and the text of the
  run that spilled most. Spill slows a statement down and is a sign to give its queue more memory
  or to rewrite it (a join without a condition, a sort of a large result).
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: bar, x: cluster, y: spilled_mb, series: fingerprint }
*/
WITH runs AS (
  SELECT cluster, kind, fingerprint, text, spilled_bytes, CAST(elapsed_time AS double) / 1e6 AS seconds
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day AND fingerprint IS NOT NULL
)
SELECT
  cluster,
  kind,
  fingerprint,
  count(*) AS runs,
  count_if(spilled_bytes > 0) AS spilled_runs,
  round(CAST(sum(spilled_bytes) AS double) / 1048576, 1) AS spilled_mb,
  round(CAST(max(spilled_bytes) AS double) / 1048576, 1) AS max_spilled_mb,
  round(avg(seconds), 3) AS avg_seconds,
  max_by(text, spilled_bytes) AS example_text
FROM runs
GROUP BY cluster, kind, fingerprint
HAVING count_if(spilled_bytes > 0) > 0
ORDER BY spilled_mb DESC, cluster, fingerprint
LIMIT 100
