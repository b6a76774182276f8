/*
name: cloudtrail_redshift_api_calls
title: Redshift control-plane and Data API calls by principal
description: >
  Calls to the Redshift APIs (redshift, redshift-data, redshift-serverless) per principal and
  action: how many, how many failed, first and last. Shows who changes clusters and who runs SQL
  through the Data API.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: stacked-bar, x: principal, y: calls, series: eventsource }
*/
SELECT
  coalesce(useridentity_arn, useridentity_principalid, useridentity_type, 'unknown') AS principal,
  eventsource,
  eventname,
  count(*) AS calls,
  count_if(errorcode IS NOT NULL) AS errors,
  min(eventtime) AS first_call,
  max(eventtime) AS last_call
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
  AND eventsource IN ('redshift.amazonaws.com', 'redshift-data.amazonaws.com', 'redshift-serverless.amazonaws.com')
GROUP BY 1, 2, 3
ORDER BY calls DESC, principal, eventname
