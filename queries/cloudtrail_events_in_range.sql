/*
name: cloudtrail_events_in_range
title: CloudTrail events in a time range
description: >
  Every event (duplicates removed) between two instants, oldest first, with who made the call,
  from where, and its error if any. At most 10,000 rows: narrow the range for more.
parameters:
  - { name: from_time, type: timestamp, default: now-1h, description: Start (UTC) of the range, included }
  - { name: to_time, type: timestamp, default: now, description: End (UTC) of the range, excluded }
chart: { type: table }
*/
SELECT
  eventtime,
  account,
  awsregion,
  eventsource,
  eventname,
  useridentity_type,
  coalesce(useridentity_arn, useridentity_principalid) AS principal,
  sourceipaddress,
  errorcode,
  eventid
FROM cloudtrail_events_unique
WHERE day BETWEEN substr(:from_time, 1, 10) AND substr(:to_time, 1, 10)
  AND eventtime >= CAST(:from_time AS timestamp)
  AND eventtime < CAST(:to_time AS timestamp)
ORDER BY eventtime, eventid
LIMIT 10000
