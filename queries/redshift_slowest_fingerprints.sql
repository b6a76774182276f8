/*
name: redshift_slowest_fingerprints
title: Slowest statements by fingerprint
description: >
  Statements grouped by fingerprint (the statement with its literals replaced), across clusters:
  how often each ran, its total, average and worst elapsed time (queue time included), how many
  optimizer alerts its runs raised, and the full text of its slowest run.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: bar, x: fingerprint, y: total_seconds }
*/
WITH runs AS (
  SELECT
    cluster,
    query,
    CAST(date_diff('millisecond', starttime, endtime) AS double) / 1000 AS seconds
  FROM stl_query
  WHERE day BETWEEN :from_day AND :to_day
),
texts AS (
  SELECT cluster, query, fingerprint, text
  FROM query_text
  WHERE day BETWEEN :from_day AND :to_day AND statement_kind = 'query'
),
alerts AS (
  SELECT cluster, query, count(*) AS alerts
  FROM stl_alert_event_log
  WHERE day BETWEEN :from_day AND :to_day
  GROUP BY cluster, query
)
SELECT
  t.fingerprint,
  count(*) AS runs,
  count(DISTINCT r.cluster) AS clusters,
  round(sum(r.seconds), 3) AS total_seconds,
  round(avg(r.seconds), 3) AS avg_seconds,
  round(max(r.seconds), 3) AS max_seconds,
  coalesce(sum(a.alerts), 0) AS alerts,
  max_by(t.text, r.seconds) AS slowest_text
FROM runs r
JOIN texts t ON t.cluster = r.cluster AND t.query = r.query
LEFT JOIN alerts a ON a.cluster = r.cluster AND a.query = r.query
GROUP BY t.fingerprint
ORDER BY total_seconds DESC, t.fingerprint
LIMIT 25
