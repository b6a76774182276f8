/*
name: redshift_aborted_statements
title: Aborted statements
description: >
  Statements stopped by the system or cancelled (stl_query.aborted = 1), newest first, with how
  long they ran, who ran them and their full text.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
SELECT
  q.cluster,
  q.query,
  q.starttime,
  q.endtime,
  round(CAST(date_diff('millisecond', q.starttime, q.endtime) AS double) / 1000, 3) AS seconds,
  q.userid,
  q.database,
  q.label,
  t.fingerprint,
  coalesce(t.text, q.querytxt) AS text
FROM stl_query q
LEFT JOIN query_text t
  ON t.cluster = q.cluster AND t.query = q.query AND t.statement_kind = 'query' AND t.day BETWEEN :from_day AND :to_day
WHERE q.day BETWEEN :from_day AND :to_day AND q.aborted = 1
ORDER BY q.endtime DESC, q.cluster, q.query
LIMIT 500
