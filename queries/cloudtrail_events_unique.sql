/*
name: cloudtrail_events_unique
title: CloudTrail events without duplicates
description: >
  The view cloudtrail_events_unique: cloudtrail_events with each eventID kept once. CloudTrail
  may deliver an event twice (same eventID, in the same or another file); the copy from the
  first file by key is kept. A copy always falls in the same account, region and day partition,
  so the window is partitioned by them too, and filters on those columns still prune. Use this
  view where duplicates would mislead (listings, exact counts).
chart: { type: table }
view: cloudtrail_events_unique
*/
SELECT *
FROM (
  SELECT
    e.*,
    row_number() OVER (PARTITION BY e.account, e.region, e.day, e.eventid ORDER BY e.source_key) AS delivery_rank
  FROM cloudtrail_events e
) ranked
WHERE delivery_rank = 1 OR eventid IS NULL
