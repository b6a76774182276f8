/*
name: redshift_missing_statistics
title: Tables with missing statistics
description: >
  Tables the planner reported without statistics, per cluster: named in the EXPLAIN plan
  ("Tables missing statistics: ...") or found through the "Missing query planner statistics"
  alert and the scan step it points at. Run ANALYZE on them.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: bar, x: table_name, y: queries, series: cluster }
*/
WITH planned AS (
  SELECT
    cluster,
    query,
    regexp_extract(plannode, 'missing statistics: *([^-]*[^- ])', 1) AS tables
  FROM stl_explain
  WHERE day BETWEEN :from_day AND :to_day AND lower(plannode) LIKE '%missing statistics%'
),
named AS (
  SELECT p.cluster, p.query, trim(t.table_name) AS table_name
  FROM planned p
  CROSS JOIN UNNEST(split(p.tables, ',')) AS t (table_name)
  WHERE p.tables IS NOT NULL
),
alerted AS (
  SELECT DISTINCT a.cluster, a.query, s.perm_table_name AS table_name
  FROM stl_alert_event_log a
  JOIN stl_scan s
    ON s.cluster = a.cluster AND s.query = a.query AND s.slice = a.slice AND s.segment = a.segment AND s.step = a.step
  WHERE a.day BETWEEN :from_day AND :to_day
    AND s.day BETWEEN :from_day AND :to_day
    AND a.event LIKE 'Missing query planner statistics%'
    AND s.perm_table_name IS NOT NULL
),
found AS (
  SELECT cluster, query, table_name FROM named
  UNION
  SELECT cluster, query, table_name FROM alerted
)
SELECT
  f.cluster,
  f.table_name,
  count(DISTINCT f.query) AS queries,
  max(q.endtime) AS last_seen
FROM found f
LEFT JOIN stl_query q ON q.cluster = f.cluster AND q.query = f.query AND q.day BETWEEN :from_day AND :to_day
WHERE f.table_name <> ''
GROUP BY f.cluster, f.table_name
ORDER BY queries DESC, f.cluster, f.table_name
