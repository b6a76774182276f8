/*
name: cloudtrail_events_by_identity_type
title: CloudTrail events per hour by identity type
description: >
  Events per hour, split by the identity type of the caller (IAMUser, AssumedRole, Root,
  AWSService, ...): a change in the mix is often the first sign of something new.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: stacked-bar, x: hour, y: events, series: identity_type }
*/
SELECT
  date_trunc('hour', eventtime) AS hour,
  coalesce(useridentity_type, 'Unknown') AS identity_type,
  count(*) AS events
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
GROUP BY 1, 2
ORDER BY hour, identity_type
