/*
name: cloudtrail_completeness
title: CloudTrail completeness against the digests
description: >
  What `opslake cloudtrail verify` found per delivery hour, account and region: log files the
  digests name that are missing from the lake or whose content changed, ingested files no
  digest names, and digests whose signature or chain does not hold, beside the files that
  verified. Findings come first.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First delivery day (YYYY-MM-DD, UTC) }
  - { name: to_day, type: day, default: today, description: Last delivery day (YYYY-MM-DD, UTC) }
chart: { type: stacked-bar, x: hour, y: files, series: status }
*/
SELECT
  hour,
  account,
  region,
  kind,
  status,
  finding,
  count(*) AS files,
  min(file_key) AS example_key,
  min(detail) AS example_detail
FROM cloudtrail_completeness
WHERE day BETWEEN :from_day AND :to_day
GROUP BY hour, account, region, kind, status, finding
ORDER BY finding DESC, hour, account, region, kind, status
