import type { LakeType } from './column-types.js';
import type { LakeColumn, LakeTable, PartitionKey } from './lake-table.js';

/**
 * The CloudTrail lake tables, declared once as a tree that mirrors the CloudTrail record. The
 * flattener walks the same tree, so a field gets its column here and nowhere else. A column's
 * name is its path in the record, lower-cased and joined with `_`
 * (`userIdentity.sessionContext.sessionIssuer.arn` -> `useridentity_sessioncontext_sessionissuer_arn`).
 */

/**
 * How a value is kept. `json`: a free-form object stored as JSON text with its original key
 * case (Athena's `json_extract` works on it); the others are typed scalars.
 */
export type CloudTrailValueKind = 'string' | 'timestamp' | 'boolean' | 'double' | 'json';

export interface CloudTrailLeaf {
  readonly kind: CloudTrailValueKind;
  readonly description: string;
}

/** An object of the record whose members are flattened into columns of their own. */
export interface CloudTrailGroup {
  readonly members: Readonly<Record<string, CloudTrailNode>>;
}

export type CloudTrailNode = CloudTrailLeaf | CloudTrailGroup;

export interface CloudTrailColumn extends LakeColumn {
  readonly kind: CloudTrailValueKind | 'lineage';
  /** Path of the value in the record; empty for the columns that are not record fields. */
  readonly path: readonly string[];
}

export function isGroup(node: CloudTrailNode): node is CloudTrailGroup {
  return 'members' in node;
}

const text = (description: string): CloudTrailLeaf => ({ kind: 'string', description });
const json = (description: string): CloudTrailLeaf => ({ kind: 'json', description });
const group = (members: Record<string, CloudTrailNode>): CloudTrailGroup => ({ members });

const SESSION_ISSUER = group({
  type: text('Source of the temporary credentials: Root, IAMUser or Role.'),
  principalId: text('Internal id of the entity that issued the credentials.'),
  arn: text('ARN of the entity that issued the credentials.'),
  accountId: text('Account that owns the issuing entity (string; leading zeros kept).'),
  userName: text('Friendly name of the issuing user or role.'),
});

const USER_IDENTITY = group({
  type: text(
    'Identity type: Root, IAMUser, AssumedRole, Role, FederatedUser, Directory, AWSAccount, AWSService, ' +
      'IdentityCenterUser, SAMLUser, WebIdentityUser, Unknown (open set).',
  ),
  principalId: text('Unique id of the caller; for temporary credentials it includes the session name.'),
  arn: text('ARN of the caller.'),
  accountId: text('Account that owns the entity granting permissions (string; may be `anonymous`).'),
  accessKeyId: text('Access key used to sign the request; may be empty.'),
  userName: text('Friendly name of the caller (HIDDEN_DUE_TO_SECURITY_REASONS on some failed sign-ins).'),
  invokedBy: text("AWS service that made the request on the caller's behalf."),
  identityProvider: text('SAML name qualifier or OIDC issuer (SAMLUser and WebIdentityUser only).'),
  credentialId: text('Bearer token credential id (for example IAM Identity Center).'),
  invokedByDelegate: group({
    accountId: text('Product-provider account acting through temporary delegated access.'),
  }),
  onBehalfOf: group({
    userId: text('IAM Identity Center user id.'),
    identityStoreArn: text('ARN of the identity store.'),
  }),
  inScopeOf: group({
    sourceArn: text('Resource that invoked the service-to-service request.'),
    sourceAccount: text('Account that owns sourceArn.'),
    issuerType: text('Resource type of credentialsIssuedTo, e.g. AWS::Lambda::Function.'),
    credentialsIssuedTo: text('Resource whose environment received the credentials.'),
    credentialsIssuedToVersion: text('Version of that resource, when the service gives one.'),
  }),
  sessionContext: group({
    sessionIssuer: SESSION_ISSUER,
    webIdFederationData: group({
      federatedProvider: text('OIDC provider principal name.'),
      attributes: json('Application and user id pairs from the identity provider (JSON object).'),
    }),
    attributes: group({
      creationDate: text('When the temporary credentials were issued, as delivered (ISO 8601, basic or extended).'),
      mfaAuthenticated: text('"true" when the root or IAM user that requested the credentials used MFA (string, as delivered).'),
    }),
    sourceIdentity: text('Original identity carried through role assumption and chaining.'),
    ec2RoleDelivery: text('IMDS version that delivered the credentials ("1.0" or "2.0").'),
    assumedRoot: text('Marks an sts:AssumeRoot session (boolean or string as delivered, kept as text).'),
    signInSessionArn: text('Sign-in session ARN (aws:SignInSessionArn).'),
  }),
});

const TLS_DETAILS = group({
  tlsVersion: text('TLS version of the request, e.g. TLSv1.3.'),
  cipherSuite: text('Cipher suite negotiated.'),
  clientProvidedHostHeader: text('Host name the client asked for (the service endpoint).'),
  keyExchange: text('Key exchange algorithm, e.g. X25519MLKEM768.'),
});

/** The record tree of management, data and network-activity events. */
export const CLOUDTRAIL_EVENT_FIELDS: CloudTrailGroup = group({
  eventVersion: text('Record format version, e.g. "1.08" (text: "1.10" is not 1.1).'),
  userIdentity: USER_IDENTITY,
  eventTime: { kind: 'timestamp', description: 'When the request completed (UTC); decides the day partition.' },
  eventSource: text('Service that received the request, usually <service>.amazonaws.com.'),
  eventName: text('API action or console event name.'),
  awsRegion: text('Region the request was made to.'),
  sourceIPAddress: text('Caller address; not always an IP (AWS Internal, service names).'),
  userAgent: text('Client agent, or the calling service for AWS-originated calls.'),
  errorCode: text('AWS error code when the request failed.'),
  errorMessage: text('Error message when the request failed.'),
  requestParameters: json('Request parameters (JSON object, original key case).'),
  responseElements: json('Response elements of mutating calls (JSON object, original key case).'),
  additionalEventData: json('Additional event data, e.g. MFAUsed on console sign-in (JSON object).'),
  requestID: text('Request id generated by the service.'),
  eventID: text('CloudTrail-generated event id (GUID); the natural de-duplication key.'),
  eventType: text('AwsApiCall, AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn, AwsVpceEvent (open set).'),
  apiVersion: text('API version (AwsApiCall only).'),
  managementEvent: { kind: 'boolean', description: 'True for a management event.' },
  readOnly: { kind: 'boolean', description: 'True when the operation is read-only.' },
  resources: json('Resources accessed (JSON array of {ARN, accountId, type}, original key case).'),
  recipientAccountId: text('Account that received this copy of the event (string; leading zeros kept).'),
  serviceEventDetails: json('Details of an AwsServiceEvent (JSON object).'),
  sharedEventID: text('Shared id of one action delivered to several accounts.'),
  vpcEndpointId: text('VPC endpoint the request went through.'),
  vpcEndpointAccountId: text('Account that owns the VPC endpoint.'),
  eventCategory: text('Management, Data or NetworkActivity.'),
  addendum: json('Why the event was delivered late or updated (JSON object).'),
  sessionCredentialFromConsole: text('"true" when the session credentials came from the console (string, as delivered).'),
  edgeDeviceDetails: json('Edge device details, e.g. S3 on Outposts (JSON object).'),
  tlsDetails: TLS_DETAILS,
});

/** The record tree of Insights events (files under `CloudTrail-Insight/`). */
export const CLOUDTRAIL_INSIGHT_FIELDS: CloudTrailGroup = group({
  eventVersion: text('Record format version.'),
  eventTime: { kind: 'timestamp', description: 'Start or end of the unusual activity (UTC); decides the day partition.' },
  awsRegion: text('Region of the unusual activity.'),
  eventID: text('Event id (GUID); the Start and End events of one insight each have their own.'),
  eventType: text('AwsCloudTrailInsight.'),
  recipientAccountId: text('Account that received the insight.'),
  sharedEventID: text('Insight id shared by its Start and End events.'),
  eventCategory: text('Insight.'),
  insightDetails: group({
    state: text('Start or End.'),
    eventSource: text('Service of the unusual activity.'),
    eventName: text('API of the unusual activity.'),
    insightType: text('ApiCallRateInsight or ApiErrorRateInsight.'),
    errorCode: text('Error code the insight is about (ApiErrorRateInsight), when given.'),
    insightContext: group({
      statistics: group({
        baseline: group({ average: { kind: 'double', description: 'Baseline rate per minute.' } }),
        insight: group({ average: { kind: 'double', description: 'Rate per minute during the insight.' } }),
        insightDuration: { kind: 'double', description: 'Duration of the insight, minutes.' },
        baselineDuration: { kind: 'double', description: 'Duration of the baseline, minutes.' },
      }),
      attributions: json('Top contributors by user, user agent and error code (JSON array).'),
    }),
  }),
});

/** Record members that no column holds (unknown or mistyped), as one JSON object mirroring the record. */
export const UNKNOWN_FIELDS_COLUMN = 'unknown_fields';
export const SOURCE_KEY_COLUMN = 'source_key';

const LAKE_TYPE: Record<CloudTrailValueKind, LakeType> = {
  string: 'VARCHAR',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
  double: 'DOUBLE',
  json: 'VARCHAR',
};

/** The column name of a record path. */
export function cloudTrailColumnName(path: readonly string[]): string {
  return path.map((segment) => segment.toLowerCase()).join('_');
}

function columnsOf(tree: CloudTrailGroup, parent: readonly string[] = []): CloudTrailColumn[] {
  return Object.entries(tree.members).flatMap(([member, node]): CloudTrailColumn[] => {
    const path = [...parent, member];
    if (isGroup(node)) return columnsOf(node, path);
    return [{ name: cloudTrailColumnName(path), type: LAKE_TYPE[node.kind], description: node.description, kind: node.kind, path }];
  });
}

function withLineage(columns: CloudTrailColumn[]): readonly CloudTrailColumn[] {
  return [
    ...columns,
    {
      name: UNKNOWN_FIELDS_COLUMN,
      type: 'VARCHAR',
      kind: 'json',
      path: [],
      description:
        'Members of the record that no column holds (new or unexpected fields, values of the wrong type), ' +
        'as a JSON object shaped like the record; null when there are none.',
    },
    {
      name: SOURCE_KEY_COLUMN,
      type: 'VARCHAR',
      kind: 'lineage',
      path: [],
      description: 'S3 key of the CloudTrail file the row came from.',
    },
  ];
}

export const CLOUDTRAIL_EVENT_COLUMNS: readonly CloudTrailColumn[] = withLineage(columnsOf(CLOUDTRAIL_EVENT_FIELDS));
export const CLOUDTRAIL_INSIGHT_COLUMNS: readonly CloudTrailColumn[] = withLineage(columnsOf(CLOUDTRAIL_INSIGHT_FIELDS));

/** The partition keys of both CloudTrail tables, in folder order. */
export type CloudTrailPartitionKey = 'account' | 'region' | 'day';

export const CLOUDTRAIL_PARTITION_KEYS: readonly PartitionKey<CloudTrailPartitionKey>[] = [
  {
    name: 'account',
    type: 'string',
    description: 'recipientAccountId (else the account in the file key), as delivered, %-escaped where not [A-Za-z0-9._-].',
  },
  { name: 'region', type: 'string', description: 'awsRegion (else the region in the file key), %-escaped like account.' },
  {
    name: 'day',
    type: 'string',
    description: "UTC day (YYYY-MM-DD) of the event's own eventTime (the delivery day of the file when eventTime is missing).",
  },
];

export const CLOUDTRAIL_EVENTS_TABLE = 'cloudtrail_events';
export const CLOUDTRAIL_INSIGHTS_TABLE = 'cloudtrail_insights';

/** CloudTrail delivers some events twice: one row per eventID, the first by time and file; sorted by eventTime. */
const CLOUDTRAIL_IDENTITY = { time: 'eventtime', key: ['eventid'], keepFirst: ['eventtime', SOURCE_KEY_COLUMN] } as const;

export const CLOUDTRAIL_EVENTS: LakeTable<CloudTrailPartitionKey> = {
  name: CLOUDTRAIL_EVENTS_TABLE,
  path: 'cloudtrail/events',
  description: 'CloudTrail management, data and network-activity events, one row per event, flattened and typed.',
  columns: CLOUDTRAIL_EVENT_COLUMNS,
  partitionKeys: CLOUDTRAIL_PARTITION_KEYS,
  identity: CLOUDTRAIL_IDENTITY,
};

export const CLOUDTRAIL_INSIGHTS: LakeTable<CloudTrailPartitionKey> = {
  name: CLOUDTRAIL_INSIGHTS_TABLE,
  path: 'cloudtrail/insights',
  description: 'CloudTrail Insights events (Start and End of unusual API call or error rates).',
  columns: CLOUDTRAIL_INSIGHT_COLUMNS,
  partitionKeys: CLOUDTRAIL_PARTITION_KEYS,
  identity: CLOUDTRAIL_IDENTITY,
};

/** The CloudTrail lake tables (`cloudtrail_events`, `cloudtrail_insights`). */
export const CLOUDTRAIL_TABLES: readonly LakeTable<CloudTrailPartitionKey>[] = [CLOUDTRAIL_EVENTS, CLOUDTRAIL_INSIGHTS];
