/*
name: cloudtrail_policy_changes
title: IAM and S3 policy changes
description: >
  Changes to IAM policies (inline, managed, attachments, trust policies) and to S3 bucket
  policies, ACLs and public access blocks, newest first, with who made them and on what.
  Refused attempts are listed too, with their error.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First UTC day (YYYY-MM-DD) }
  - { name: to_day, type: day, default: today, description: Last UTC day (YYYY-MM-DD) }
chart: { type: table }
*/
SELECT
  eventtime,
  account,
  CASE WHEN eventsource = 'iam.amazonaws.com' THEN 'IAM' ELSE 'S3' END AS service,
  eventname,
  coalesce(useridentity_arn, useridentity_principalid, useridentity_type) AS principal,
  coalesce(
    json_extract_scalar(requestparameters, '$.policyArn'),
    json_extract_scalar(requestparameters, '$.bucketName'),
    json_extract_scalar(requestparameters, '$.roleName'),
    json_extract_scalar(requestparameters, '$.userName'),
    json_extract_scalar(requestparameters, '$.groupName'),
    json_extract_scalar(requestparameters, '$.policyName')
  ) AS target,
  sourceipaddress,
  errorcode,
  eventid
FROM cloudtrail_events
WHERE day BETWEEN :from_day AND :to_day
  AND (
    (eventsource = 'iam.amazonaws.com' AND eventname IN (
      'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy',
      'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
      'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy',
      'DetachGroupPolicy', 'UpdateAssumeRolePolicy', 'PutRolePermissionsBoundary', 'PutUserPermissionsBoundary'))
    OR (eventsource = 's3.amazonaws.com' AND eventname IN (
      'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketPublicAccessBlock',
      'DeleteBucketPublicAccessBlock', 'PutBucketOwnershipControls', 'PutBucketCors', 'PutBucketReplication'))
  )
ORDER BY eventtime DESC, eventid
