/*
name: redshift_ddl_history
title: DDL history
description: >
  Every CREATE, ALTER and DROP the clusters ran (stl_ddltext, stitched into whole statements),
  newest first, with the user, transaction and session.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
SELECT
  cluster,
  starttime,
  endtime,
  userid,
  xid,
  pid,
  regexp_extract(upper(ltrim(text)), '^[A-Z]+( +[A-Z]+)?', 0) AS command,
  text
FROM query_text
WHERE day BETWEEN :from_day AND :to_day AND statement_kind = 'ddl'
ORDER BY starttime DESC, cluster, xid
LIMIT 1000
