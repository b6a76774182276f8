/*
name: redshift_slowest_fingerprints
title: Slowest statements by fingerprint
description: >
  Statements of every source grouped by fingerprint (the statement with its literals replaced),
  across clusters and dialects: how often each ran, its total, average and worst elapsed time
  (queue time included), how many optimizer alerts its runs raised (stl_alert_event_log on STL
  sources, the alerts of sys_query_detail on SYS sources), and the full text of its slowest run.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: bar, x: fingerprint, y: total_seconds }
*/
WITH runs AS (
  SELECT cluster, dialect, query_id, fingerprint, text, CAST(elapsed_time AS double) / 1e6 AS seconds
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day AND fingerprint IS NOT NULL
),
alerts AS (
  SELECT cluster, 'stl' AS dialect, CAST(query AS bigint) AS query_id, count(*) AS alerts
  FROM stl_alert_event_log
  WHERE day BETWEEN :from_day AND :to_day
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT cluster, 'sys' AS dialect, query_id, count(*) AS alerts
  FROM sys_query_detail
  WHERE day BETWEEN :from_day AND :to_day AND alert <> ''
  GROUP BY 1, 2, 3
)
SELECT
  r.fingerprint,
  count(*) AS runs,
  count(DISTINCT r.cluster) AS clusters,
  round(sum(r.seconds), 3) AS total_seconds,
  round(avg(r.seconds), 3) AS avg_seconds,
  round(max(r.seconds), 3) AS max_seconds,
  coalesce(sum(a.alerts), 0) AS alerts,
  max_by(r.text, r.seconds) AS slowest_text
FROM runs r
LEFT JOIN alerts a ON a.cluster = r.cluster AND a.dialect = r.dialect AND a.query_id = r.query_id
GROUP BY r.fingerprint
ORDER BY total_seconds DESC, r.fingerprint
LIMIT 25
