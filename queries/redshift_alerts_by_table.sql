/*
name: redshift_alerts_by_table
title: Optimizer alerts by table and kind
description: >
  Alert events of stl_alert_event_log grouped by the table of the scan step they point at and by
  kind (the text before the first colon: missing statistics, nested loop, very selective filter,
  deleted rows, large distribution or broadcast), with the suggested fix. Alerts on steps that
  are not table scans (a nested-loop join, say) have no table.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: stacked-bar, x: table_name, y: events, series: alert }
*/
WITH scans AS (
  SELECT DISTINCT cluster, query, slice, segment, step, perm_table_name
  FROM stl_scan
  WHERE day BETWEEN :from_day AND :to_day
)
SELECT
  coalesce(s.perm_table_name, '(no table)') AS table_name,
  trim(split_part(a.event, ':', 1)) AS alert,
  count(*) AS events,
  count(DISTINCT a.cluster || '/' || CAST(a.query AS varchar)) AS queries,
  count(DISTINCT a.cluster) AS clusters,
  max(a.solution) AS solution
FROM stl_alert_event_log a
LEFT JOIN scans s
  ON s.cluster = a.cluster AND s.query = a.query AND s.slice = a.slice AND s.segment = a.segment AND s.step = a.step
WHERE a.day BETWEEN :from_day AND :to_day
GROUP BY 1, 2
ORDER BY events DESC, table_name, alert
LIMIT 50
