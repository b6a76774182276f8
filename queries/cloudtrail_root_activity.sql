/*
name: cloudtrail_root_activity
title: Root user activity
description: >
  Calls made with the root user's credentials (not by AWS services on its behalf), newest first.
  The root user should hardly ever be used: every row deserves a look.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
SELECT
  eventtime,
  account,
  awsregion,
  eventsource,
  eventname,
  eventtype,
  sourceipaddress,
  useragent,
  errorcode,
  eventid
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
  AND useridentity_type = 'Root'
  AND useridentity_invokedby IS NULL
  AND coalesce(eventtype, '') <> 'AwsServiceEvent'
ORDER BY eventtime DESC, eventid
LIMIT 1000
