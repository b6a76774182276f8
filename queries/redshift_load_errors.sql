/*
name: redshift_load_errors
title: COPY load errors by table
description: >
  Records that COPY could not load, per source and target table (stl_load_errors on STL sources,
  the table named by the COPY statement; sys_load_error_detail on SYS sources, the table of
  sys_load_history): how many records, in how many COPY statements and files, the most frequent
  error and the last time it happened.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: bar, x: table_name, y: errors, series: cluster }
*/
WITH stl_errors AS (
  SELECT
    e.cluster,
    coalesce(
      nullif(lower(regexp_extract(t.text, '^\s*[Cc][Oo][Pp][Yy]\s+([A-Za-z0-9_."]+)', 1)), ''),
      CAST(e.tbl AS varchar)
    ) AS table_name,
    CAST(e.query AS bigint) AS query_id,
    e.filename AS file_name,
    e.colname AS column_name,
    e.err_reason AS reason,
    e.starttime AS start_time
  FROM stl_load_errors e
  LEFT JOIN query_text t
    ON t.cluster = e.cluster AND t.day = e.day AND t.statement_kind = 'query' AND t.query = e.query
  WHERE e.day BETWEEN :from_day AND :to_day
),
sys_errors AS (
  SELECT
    e.cluster,
    coalesce(h.table_name, CAST(e.table_id AS varchar)) AS table_name,
    e.query_id,
    e.file_name,
    e.column_name,
    e.error_message AS reason,
    e.start_time
  FROM sys_load_error_detail e
  LEFT JOIN sys_load_history h
    ON h.cluster = e.cluster AND h.query_id = e.query_id AND h.transaction_id = e.transaction_id AND h.day BETWEEN :from_day AND :to_day
  WHERE e.day BETWEEN :from_day AND :to_day
),
errors AS (
  SELECT * FROM stl_errors
  UNION ALL
  SELECT * FROM sys_errors
)
SELECT
  cluster,
  table_name,
  count(*) AS errors,
  count(DISTINCT query_id) AS copies,
  count(DISTINCT file_name) AS files,
  count(DISTINCT column_name) AS columns,
  max_by(reason, start_time) AS last_reason,
  max(start_time) AS last_seen
FROM errors
GROUP BY cluster, table_name
ORDER BY errors DESC, cluster, table_name
