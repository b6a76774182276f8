/*
name: redshift_failed_logins
title: Failed logins and connections by user and remote host
description: >
  Authentication attempts and connections of every source (stl_connection_log on STL sources,
  sys_connection_log on SYS sources; both are superuser-only views), per source, user and remote
  host: failed authentications, successful ones, sessions opened, and when the host was first and
  last seen. Hosts with failures come first: a host that keeps failing is guessing passwords.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: bar, x: remote_host, y: failed_logins, series: user_name }
*/
WITH events AS (
  SELECT cluster, 'stl' AS dialect, event, recordtime AS record_time, remotehost AS remote_host, username AS user_name
  FROM stl_connection_log
  WHERE day BETWEEN :from_day AND :to_day
  UNION ALL
  SELECT cluster, 'sys' AS dialect, event, record_time, remote_host, user_name
  FROM sys_connection_log
  WHERE day BETWEEN :from_day AND :to_day
)
SELECT
  cluster,
  dialect,
  user_name,
  remote_host,
  count_if(event = 'authentication failure') AS failed_logins,
  count_if(event = 'authenticated') AS logins,
  count_if(event = 'initiating session') AS sessions,
  min(record_time) AS first_seen,
  max(record_time) AS last_seen
FROM events
GROUP BY cluster, dialect, user_name, remote_host
ORDER BY failed_logins DESC, sessions DESC, cluster, user_name, remote_host
LIMIT 200
