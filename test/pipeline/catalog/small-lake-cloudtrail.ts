import { type Row, SMALL_LAKE, ts } from './small-lake-facts.js';

/** The rows of the two CloudTrail tables, by table name. Partition values are fields of each row. */
export function cloudTrailRows(): Map<string, Row[]> {
  const { account, region } = SMALL_LAKE;
  /** The key of a log file delivered on `day`, named `<account>_<folder>_<region>_<name>.json.gz`. */
  const logKey = (folder: string, day: string, name: string): string =>
    `AWSLogs/${account}/${folder}/${region}/${day.replaceAll('-', '/')}/${account}_${folder}_${region}_${name}.json.gz`;
  const events: Row[] = [];
  let n = 0;
  const event = (day: string, hour: number, fields: Row): void => {
    n += 1;
    events.push({
      account,
      region,
      day,
      eventversion: '1.08',
      eventtime: ts(day, hour, n % 60),
      eventsource: 'ec2.amazonaws.com',
      eventname: 'DescribeInstances',
      awsregion: region,
      sourceipaddress: '198.51.100.10',
      useragent: 'aws-cli/2.15.0',
      eventid: `evt-${String(n).padStart(6, '0')}`,
      eventtype: 'AwsApiCall',
      managementevent: true,
      readonly: true,
      recipientaccountid: account,
      eventcategory: 'Management',
      useridentity_type: 'AssumedRole',
      useridentity_arn: `arn:aws:sts::${account}:assumed-role/app/i-0abc`,
      useridentity_principalid: 'AROAEXAMPLE:i-0abc',
      useridentity_accountid: account,
      source_key: logKey('CloudTrail', day, `${day.replaceAll('-', '')}T${String(hour).padStart(2, '0')}00Z_a`),
      ...fields,
    });
  };
  for (const day of SMALL_LAKE.days) {
    for (let hour = 0; hour < 24; hour += 3) {
      event(day, hour, {});
      event(day, hour, {
        useridentity_type: 'AWSService',
        useridentity_arn: null,
        useridentity_invokedby: 'ec2.amazonaws.com',
        sourceipaddress: 'ec2.amazonaws.com',
        eventtype: 'AwsServiceEvent',
      });
    }
  }
  const [day1, day2] = SMALL_LAKE.days;
  const mallory = SMALL_LAKE.consoleWithoutMfa;
  event(day1, 9, {
    eventsource: 'signin.amazonaws.com',
    eventname: 'ConsoleLogin',
    eventtype: 'AwsConsoleSignIn',
    readonly: false,
    useridentity_type: 'IAMUser',
    useridentity_arn: mallory.user,
    useridentity_username: 'mallory',
    sourceipaddress: mallory.ip,
    responseelements: '{"ConsoleLogin":"Success"}',
    additionaleventdata: '{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}',
  });
  event(day1, 10, {
    eventsource: 'signin.amazonaws.com',
    eventname: 'ConsoleLogin',
    eventtype: 'AwsConsoleSignIn',
    readonly: false,
    useridentity_type: 'IAMUser',
    useridentity_arn: `arn:aws:iam::${account}:user/alice`,
    useridentity_username: 'alice',
    responseelements: '{"ConsoleLogin":"Success"}',
    additionaleventdata: '{"MFAUsed":"Yes"}',
  });
  event(day1, 11, {
    eventsource: 'cloudtrail.amazonaws.com',
    eventname: SMALL_LAKE.rootEventName,
    readonly: false,
    useridentity_type: 'Root',
    useridentity_arn: `arn:aws:iam::${account}:root`,
    sourceipaddress: '192.0.2.44',
  });
  for (let i = 0; i < 4; i += 1) {
    event(day2, 2, {
      eventsource: 's3.amazonaws.com',
      eventname: 'GetObject',
      useridentity_type: 'IAMUser',
      useridentity_arn: SMALL_LAKE.deniedPrincipal,
      sourceipaddress: '203.0.113.99',
      errorcode: 'AccessDenied',
      errormessage: 'Access Denied',
    });
  }
  event(day2, 3, {
    eventsource: 'iam.amazonaws.com',
    eventname: 'ListRoles',
    useridentity_type: 'IAMUser',
    useridentity_arn: SMALL_LAKE.deniedPrincipal,
    errorcode: 'AccessDeniedException',
  });
  event(day2, 13, {
    eventsource: 'redshift.amazonaws.com',
    eventname: SMALL_LAKE.redshiftChange.eventName,
    readonly: false,
    useridentity_arn: `arn:aws:iam::${account}:user/dba`,
    useridentity_type: 'IAMUser',
    requestparameters: '{"clusterIdentifier":"alpha","nodeType":"ra3.xlplus"}',
  });
  event(day2, 13, {
    eventsource: 'redshift-data.amazonaws.com',
    eventname: 'ExecuteStatement',
    readonly: false,
    requestparameters: '{"clusterIdentifier":"alpha","database":"dev","sql":"select 1"}',
  });
  event(day2, 14, {
    eventsource: 'iam.amazonaws.com',
    eventname: 'PutRolePolicy',
    readonly: false,
    useridentity_type: 'IAMUser',
    useridentity_arn: `arn:aws:iam::${account}:user/dba`,
    requestparameters: '{"roleName":"app","policyName":"inline","policyDocument":"{}"}',
  });
  event(day2, 14, {
    eventsource: 's3.amazonaws.com',
    eventname: 'PutBucketPolicy',
    readonly: false,
    requestparameters: '{"bucketName":"lake-bucket","policy":"{}"}',
  });
  // The same event delivered twice, in two files.
  event(day2, 20, { eventid: SMALL_LAKE.duplicateEventId, eventname: 'RunInstances', readonly: false });
  const delivered = events.at(-1);
  if (delivered) events.push({ ...delivered, source_key: logKey('CloudTrail', day2, '20240305T2105Z_b') });
  const insightBase = {
    account,
    region,
    day: day2,
    eventversion: '1.08',
    awsregion: region,
    eventtype: 'AwsCloudTrailInsight',
    recipientaccountid: account,
    sharedeventid: 'insight-0001',
    eventcategory: 'Insight',
    insightdetails_eventsource: 's3.amazonaws.com',
    insightdetails_eventname: 'GetObject',
    insightdetails_insighttype: 'ApiErrorRateInsight',
    insightdetails_errorcode: 'AccessDenied',
    insightdetails_insightcontext_statistics_baseline_average: 0.0001,
    insightdetails_insightcontext_statistics_insight_average: 2.5,
    insightdetails_insightcontext_statistics_insightduration: 1,
    insightdetails_insightcontext_statistics_baselineduration: 10_080,
    insightdetails_insightcontext_attributions:
      '[{"attribute":"errorCode","insight":[{"value":"AccessDenied","average":2.5}],"baseline":[]}]',
    source_key: logKey('CloudTrail-Insight', day2, '20240305T0310Z_c'),
  };
  const insights: Row[] = [
    { ...insightBase, eventid: 'insight-start', eventtime: ts(day2, 2, 30), insightdetails_state: 'Start' },
    { ...insightBase, eventid: 'insight-end', eventtime: ts(day2, 2, 40), insightdetails_state: 'End' },
  ];
  return new Map([
    ['cloudtrail_events', events],
    ['cloudtrail_insights', insights],
  ]);
}
