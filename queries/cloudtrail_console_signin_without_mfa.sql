/*
name: cloudtrail_console_signin_without_mfa
title: Console sign-ins without MFA
description: >
  Successful AWS console sign-ins of IAM users and the root user that did not use MFA
  (additionalEventData.MFAUsed is not "Yes"). Federated sign-ins are left out: their MFA is the
  identity provider's.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
SELECT
  eventtime,
  account,
  useridentity_type AS identity_type,
  coalesce(useridentity_arn, useridentity_username, useridentity_principalid) AS principal,
  sourceipaddress,
  useragent,
  json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used,
  json_extract_scalar(additionaleventdata, '$.LoginTo') AS login_to,
  eventid
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
  AND eventname = 'ConsoleLogin'
  AND useridentity_type IN ('IAMUser', 'Root')
  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'
  AND coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'No') <> 'Yes'
ORDER BY eventtime DESC, eventid
