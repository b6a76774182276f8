/*
name: cloudtrail_top_source_ips
title: Top source IPs by identity type
description: >
  The addresses that made the most calls, split by the identity type of the caller (IAMUser,
  AssumedRole, Root, AWSService, ...), with their errors and how many principals used them.
  sourceIPAddress is not always an IP: AWS services appear by name.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: stacked-bar, x: sourceipaddress, y: events, series: identity_type }
*/
SELECT
  sourceipaddress,
  coalesce(useridentity_type, 'Unknown') AS identity_type,
  count(*) AS events,
  count_if(errorcode IS NOT NULL) AS errors,
  count(DISTINCT useridentity_arn) AS principals,
  min(eventtime) AS first_seen,
  max(eventtime) AS last_seen
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
GROUP BY 1, 2
ORDER BY events DESC, sourceipaddress, identity_type
LIMIT 50
