/*
name: cloudtrail_access_denied
title: Access-denied errors by principal
description: >
  Calls refused for lack of permission (AccessDenied, AccessDeniedException,
  UnauthorizedOperation, VpceAccessDenied, ...) per principal and service, with the last action
  refused. Many refusals from one principal point at a missing permission or at probing.
parameters:
  - { name: from_day, type: day, default: today-1d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: stacked-bar, x: principal, y: errors, series: eventsource }
*/
SELECT
  coalesce(useridentity_arn, useridentity_principalid, useridentity_type, 'unknown') AS principal,
  useridentity_type AS identity_type,
  eventsource,
  count(*) AS errors,
  count(DISTINCT eventname) AS actions,
  max_by(eventname, eventtime) AS last_action,
  min(eventtime) AS first_seen,
  max(eventtime) AS last_seen
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
  AND (errorcode LIKE '%AccessDenied%' OR errorcode LIKE '%Unauthorized%' OR errorcode = 'Forbidden')
GROUP BY 1, 2, 3
ORDER BY errors DESC, principal, eventsource
