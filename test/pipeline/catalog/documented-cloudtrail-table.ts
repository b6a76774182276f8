import { type HiveType, parseHiveType } from '../../../pipeline/tables/hive-type.js';

/**
 * The CloudTrail tables of the AWS documentation, as their DDL is printed on the two pages (text
 * copied from the pages, read 2026; locations and table properties left out), and what that table
 * returns for a raw record. The view under test owes nothing to this file: the tests hold it
 * against these.
 *
 * https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 */
export const MANUAL_PARTITIONING_DDL = `
CREATE EXTERNAL TABLE cloudtrail_logs (
eventversion STRING,
useridentity STRUCT<
                  type:STRING,
                  principalid:STRING,
                  arn:STRING,
                  accountid:STRING,
                  invokedby:STRING,
                  accesskeyid:STRING,
                  username:STRING,
                  onbehalfof: STRUCT<
                       userid: STRING,
                       identitystorearn: STRING>,
     sessioncontext:STRUCT<
       attributes:STRUCT<
                  mfaauthenticated:STRING,
                  creationdate:STRING>,
       sessionissuer:STRUCT<
                  type:STRING,
                  principalid:STRING,
                  arn:STRING,
                  accountid:STRING,
                  username:STRING>,
       ec2roledelivery:string,
       webidfederationdata: STRUCT<
                  federatedprovider: STRING,
                  attributes: map<string,string>>
     >
>,
eventtime STRING,
eventsource STRING,
eventname STRING,
awsregion STRING,
sourceipaddress STRING,
useragent STRING,
errorcode STRING,
errormessage STRING,
requestparameters STRING,
responseelements STRING,
additionaleventdata STRING,
requestid STRING,
eventid STRING,
resources ARRAY<STRUCT<
                  arn:STRING,
                  accountid:STRING,
                  type:STRING>>,
eventtype STRING,
apiversion STRING,
readonly STRING,
recipientaccountid STRING,
serviceeventdetails STRING,
sharedeventid STRING,
vpcendpointid STRING,
vpcendpointaccountid STRING,
eventcategory STRING,
addendum STRUCT<
     reason:STRING,
     updatedfields:STRING,
     originalrequestid:STRING,
     originaleventid:STRING>,
sessioncredentialfromconsole STRING,
edgedevicedetails STRING,
tlsdetails STRUCT<
     tlsversion:STRING,
     ciphersuite:STRING,
     clientprovidedhostheader:STRING>
)
PARTITIONED BY (region string, year string, month string, day string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'`;

/** https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html */
export const PARTITION_PROJECTION_DDL = `
CREATE EXTERNAL TABLE cloudtrail_logs_pp(
    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        invokedby: STRING,
        accesskeyid: STRING,
        username: STRING,
        onbehalfof: STRUCT<
             userid: STRING,
             identitystorearn: STRING>,
        sessioncontext: STRUCT<
            attributes: STRUCT<
                mfaauthenticated: STRING,
                creationdate: STRING>,
            sessionissuer: STRUCT<
                type: STRING,
                principalid: STRING,
                arn: STRING,
                accountid: STRING,
                username: STRING>,
            ec2roledelivery:string,
            webidfederationdata: STRUCT<
                federatedprovider: STRING,
                attributes: map<string,string>>
        >
    >,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<
        arn: STRING,
        accountid: STRING,
        type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    vpcendpointaccountid STRING,
    eventcategory STRING,
    addendum STRUCT<
      reason:STRING,
      updatedfields:STRING,
      originalrequestid:STRING,
      originaleventid:STRING>,
    sessioncredentialfromconsole STRING,
    edgedevicedetails STRING,
    tlsdetails STRUCT<
      tlsversion:STRING,
      ciphersuite:STRING,
      clientprovidedhostheader:STRING>
  )
PARTITIONED BY (
   \`timestamp\` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'`;

export interface DocumentedTable {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: HiveType }>;
  readonly partitions: readonly string[];
}

/** Columns and partition keys of a CREATE EXTERNAL TABLE, split at the commas outside `<...>`. */
export function documentedTable(ddl: string): DocumentedTable {
  const open = ddl.indexOf('(');
  const partitioned = ddl.indexOf('PARTITIONED BY');
  const body = ddl.slice(open + 1, ddl.lastIndexOf(')', partitioned));
  const partitionText = ddl.slice(ddl.indexOf('(', partitioned) + 1, ddl.indexOf(')', partitioned));
  return {
    columns: splitTopLevel(body).map((definition) => {
      const [, name = '', type = ''] = /^\s*(\w+)\s+([\s\S]+?)\s*$/.exec(definition) ?? [];
      return { name, type: parseHiveType(type) };
    }),
    partitions: splitTopLevel(partitionText).map((definition) => definition.trim().split(/\s+/)[0]?.replaceAll('`', '') ?? ''),
  };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '<') depth += 1;
    else if (char === '>') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((part) => part.trim().length > 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member of a JSON object found as the SerDe finds it: the name compared regardless of case. */
function member(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : object[key];
}

/**
 * What `org.apache.hive.hcatalog.data.JsonSerDe` gives for a JSON value read as `type`: absent or
 * null is NULL; a string column takes a string as it is and anything else as its JSON text (here
 * the delivered text, which is compact); a struct takes an object's members by name regardless
 * of case, the others NULL; an array its elements; a map its members, values as text.
 */
export function serdeValue(type: HiveType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'struct':
      if (!isObject(value)) return null;
      return Object.fromEntries(type.fields.map((field) => [field.name, serdeValue(field.type, member(value, field.name))]));
    case 'array':
      return Array.isArray(value) ? value.map((element) => serdeValue(type.element, element)) : null;
    case 'map':
      return isObject(value) ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, serdeValue(type.value, inner)])) : null;
  }
}

/** The row of the documentation's table for a raw record (record columns only; partitions come from folders). */
export function documentedRow(table: DocumentedTable, record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(table.columns.map((column) => [column.name, serdeValue(column.type, member(record, column.name))]));
}
