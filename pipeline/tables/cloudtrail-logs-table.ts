import { type HiveType, parseHiveType } from './hive-type.js';

/**
 * The CloudTrail table of the AWS documentation, which security teams' Athena queries are written
 * against, declared once: the `cloudtrail_logs` view (pipeline/catalog/cloudtrail-logs-view.ts)
 * gives these columns, names, types and nesting over `cloudtrail_events`.
 *
 * Pure data table, copied from the documentation's DDL (current pages, read 2026):
 * - manual partitioning, `CREATE EXTERNAL TABLE cloudtrail_logs`:
 *   https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 * - partition projection, `CREATE EXTERNAL TABLE cloudtrail_logs_pp`:
 *   https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html
 * Both declare the same record columns with the same types; only `readonly` sits elsewhere in the
 * projection version (before `resources`). The order here is the manual page's. Both read the raw
 * files with `org.apache.hive.hcatalog.data.JsonSerDe`, which matches JSON members to these names
 * regardless of case and gives free-form objects as their JSON text.
 */
export interface CloudTrailLogsColumn {
  readonly name: string;
  readonly type: HiveType;
}

const DOCUMENTED_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['eventversion', 'string'],
  [
    'useridentity',
    'struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,' +
      'onbehalfof:struct<userid:string,identitystorearn:string>,' +
      'sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,' +
      'sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,' +
      'ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>',
  ],
  ['eventtime', 'string'],
  ['eventsource', 'string'],
  ['eventname', 'string'],
  ['awsregion', 'string'],
  ['sourceipaddress', 'string'],
  ['useragent', 'string'],
  ['errorcode', 'string'],
  ['errormessage', 'string'],
  ['requestparameters', 'string'],
  ['responseelements', 'string'],
  ['additionaleventdata', 'string'],
  ['requestid', 'string'],
  ['eventid', 'string'],
  ['resources', 'array<struct<arn:string,accountid:string,type:string>>'],
  ['eventtype', 'string'],
  ['apiversion', 'string'],
  ['readonly', 'string'],
  ['recipientaccountid', 'string'],
  ['serviceeventdetails', 'string'],
  ['sharedeventid', 'string'],
  ['vpcendpointid', 'string'],
  ['vpcendpointaccountid', 'string'],
  ['eventcategory', 'string'],
  ['addendum', 'struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>'],
  ['sessioncredentialfromconsole', 'string'],
  ['edgedevicedetails', 'string'],
  ['tlsdetails', 'struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>'],
];

export const CLOUDTRAIL_LOGS_VIEW = 'cloudtrail_logs';

export const CLOUDTRAIL_LOGS_COLUMNS: readonly CloudTrailLogsColumn[] = DOCUMENTED_COLUMNS.map(([name, type]) => ({
  name,
  type: parseHiveType(type),
}));

/**
 * Partition columns, all strings, as the documentation's versions name them (manual: `region`,
 * `year`, `month`, `day`; organization trail: `account` first; projection: `timestamp`), computed
 * from our `account`, `region` and `day` so that filters on them still prune our partitions. Ours
 * come from each event's own account, region and day; the documentation's from the folder a file
 * was delivered to, which is a few minutes later and sometimes the next day.
 */
export type CloudTrailLogsPartition = 'account' | 'region' | 'year' | 'month' | 'day' | 'timestamp';

export const CLOUDTRAIL_LOGS_PARTITIONS: ReadonlyArray<{ readonly name: CloudTrailLogsPartition; readonly description: string }> = [
  { name: 'account', description: 'Account of the event (our account partition), as the organization-trail table names it.' },
  { name: 'region', description: 'Region of the event (our region partition).' },
  { name: 'year', description: 'YYYY of the UTC day of eventTime.' },
  { name: 'month', description: 'MM of the UTC day of eventTime.' },
  {
    name: 'day',
    description: "DD, the day of the month, as the documentation's table has it (our YYYY-MM-DD day is `timestamp` here).",
  },
  { name: 'timestamp', description: 'YYYY/MM/DD: the UTC day of eventTime, in the form of the partition-projection table.' },
];
