/*
name: cloudtrail_errors_over_time
title: CloudTrail errors per hour
description: >
  Failed calls per hour and error code (AccessDenied, ThrottlingException, NoSuchEntity, ...).
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: line, x: hour, y: errors, series: errorcode }
*/
SELECT
  date_trunc('hour', eventtime) AS hour,
  errorcode,
  count(*) AS errors
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day AND errorcode IS NOT NULL
GROUP BY 1, 2
ORDER BY hour, errorcode
