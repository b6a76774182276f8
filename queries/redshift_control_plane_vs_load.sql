/*
name: redshift_control_plane_vs_load
title: Redshift control-plane changes beside the cluster's statement load
description: >
  Each change made to a cluster through the Redshift API (CloudTrail: ModifyCluster,
  ResizeCluster, RebootCluster, PauseCluster, parameter group changes, ...) beside the statements
  that cluster completed in the hour before, the hour of, and the hour after the change
  (redshift_statements, whichever system views the cluster is read through), and those that did
  not succeed after it. A cluster is matched by its identifier, which is the name the lake uses
  for it.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
WITH changes AS (
  SELECT
    eventtime,
    eventname,
    coalesce(useridentity_arn, useridentity_principalid, useridentity_type) AS principal,
    errorcode,
    lower(json_extract_scalar(requestparameters, '$.clusterIdentifier')) AS cluster
  FROM cloudtrail_events
  WHERE day BETWEEN :from_day AND :to_day
    AND eventsource = 'redshift.amazonaws.com'
    AND coalesce(readonly, false) = false
    AND json_extract_scalar(requestparameters, '$.clusterIdentifier') IS NOT NULL
),
hourly_load AS (
  SELECT
    cluster,
    date_trunc('hour', end_time) AS hour,
    count(*) AS statements,
    count_if(status <> 'success') AS aborted
  FROM redshift_statements
  WHERE day BETWEEN :from_day AND :to_day
  GROUP BY 1, 2
)
SELECT
  c.eventtime,
  c.cluster,
  c.eventname,
  c.principal,
  c.errorcode,
  coalesce(lb.statements, 0) AS statements_hour_before,
  coalesce(lc.statements, 0) AS statements_hour_of,
  coalesce(la.statements, 0) AS statements_hour_after,
  coalesce(la.aborted, 0) AS aborted_hour_after
FROM changes c
LEFT JOIN hourly_load lb ON lb.cluster = c.cluster AND lb.hour = date_trunc('hour', c.eventtime) - INTERVAL '1' HOUR
LEFT JOIN hourly_load lc ON lc.cluster = c.cluster AND lc.hour = date_trunc('hour', c.eventtime)
LEFT JOIN hourly_load la ON la.cluster = c.cluster AND la.hour = date_trunc('hour', c.eventtime) + INTERVAL '1' HOUR
ORDER BY c.eventtime, c.cluster
