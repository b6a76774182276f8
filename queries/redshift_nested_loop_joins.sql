/*
name: redshift_nested_loop_joins
title: Statements with nested-loop joins
description: >
  Statements of every source whose plan holds a Nested Loop node (stl_explain, sys_query_explain)
  or that raised the "Nested Loop Join in the query plan" alert (stl_alert_event_log,
  sys_query_detail), usually a join without a join condition, with their elapsed time and text.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
WITH planned AS (
  SELECT cluster, 'stl' AS dialect, CAST(query AS bigint) AS query_id, max(plannode) AS plannode
  FROM stl_explain
  WHERE day BETWEEN :from_day AND :to_day AND plannode LIKE '%Nested Loop%'
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT cluster, 'sys' AS dialect, query_id, max(plan_node) AS plannode
  FROM sys_query_explain
  WHERE day BETWEEN :from_day AND :to_day AND plan_node LIKE '%Nested Loop%'
  GROUP BY 1, 2, 3
),
alerted AS (
  SELECT cluster, 'stl' AS dialect, CAST(query AS bigint) AS query_id, count(*) AS alerts
  FROM stl_alert_event_log
  WHERE day BETWEEN :from_day AND :to_day AND event LIKE 'Nested Loop Join%'
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT cluster, 'sys' AS dialect, query_id, count(*) AS alerts
  FROM sys_query_detail
  WHERE day BETWEEN :from_day AND :to_day AND alert LIKE 'Nested Loop Join%'
  GROUP BY 1, 2, 3
),
found AS (
  SELECT cluster, dialect, query_id FROM planned
  UNION
  SELECT cluster, dialect, query_id FROM alerted
)
SELECT
  f.cluster,
  f.dialect,
  f.query_id,
  s.start_time,
  s.end_time,
  round(CAST(s.elapsed_time AS double) / 1e6, 3) AS seconds,
  s.user_id,
  coalesce(a.alerts, 0) AS alerts,
  p.plannode,
  s.fingerprint,
  s.text
FROM found f
LEFT JOIN redshift_statements s
  ON s.cluster = f.cluster AND s.dialect = f.dialect AND s.query_id = f.query_id AND s.day BETWEEN :from_day AND :to_day
LEFT JOIN planned p ON p.cluster = f.cluster AND p.dialect = f.dialect AND p.query_id = f.query_id
LEFT JOIN alerted a ON a.cluster = f.cluster AND a.dialect = f.dialect AND a.query_id = f.query_id
ORDER BY seconds DESC, f.cluster, f.query_id
