/*
name: redshift_nested_loop_joins
title: Queries with nested-loop joins
description: >
  Queries whose plan holds a Nested Loop node or that raised the "Nested Loop Join in the query
  plan" alert (usually a join without a join condition), with their elapsed time and text.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
WITH planned AS (
  SELECT cluster, query, max(plannode) AS plannode
  FROM stl_explain
  WHERE day BETWEEN :from_day AND :to_day AND plannode LIKE '%Nested Loop%'
  GROUP BY cluster, query
),
alerted AS (
  SELECT cluster, query, count(*) AS alerts
  FROM stl_alert_event_log
  WHERE day BETWEEN :from_day AND :to_day AND event LIKE 'Nested Loop Join%'
  GROUP BY cluster, query
),
found AS (
  SELECT cluster, query FROM planned
  UNION
  SELECT cluster, query FROM alerted
)
SELECT
  f.cluster,
  f.query,
  q.starttime,
  q.endtime,
  round(CAST(date_diff('millisecond', q.starttime, q.endtime) AS double) / 1000, 3) AS seconds,
  q.userid,
  coalesce(a.alerts, 0) AS alerts,
  p.plannode,
  t.fingerprint,
  coalesce(t.text, q.querytxt) AS text
FROM found f
LEFT JOIN stl_query q ON q.cluster = f.cluster AND q.query = f.query AND q.day BETWEEN :from_day AND :to_day
LEFT JOIN planned p ON p.cluster = f.cluster AND p.query = f.query
LEFT JOIN alerted a ON a.cluster = f.cluster AND a.query = f.query
LEFT JOIN query_text t
  ON t.cluster = f.cluster AND t.query = f.query AND t.statement_kind = 'query' AND t.day BETWEEN :from_day AND :to_day
ORDER BY seconds DESC, f.cluster, f.query
