import type { SeededRandom } from './seeded-random.js';

/** A CloudTrail record as the demo writes it (plain JSON). */
export type DemoRecord = Record<string, unknown>;

export interface DemoAccount {
  readonly id: string;
  readonly alias: string;
  /** Redshift clusters that live in this account (control-plane and Data API calls name them). */
  readonly clusters: readonly string[];
}

interface Principal {
  readonly identity: Record<string, unknown>;
  readonly console?: boolean;
  readonly agent: string;
  readonly ip: string;
}

const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off command/s3.cp',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-java/2.25.11 Linux/5.10.210 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213 lang/js md/nodejs#20.11.1 api/redshift-data#3.540.0',
  'Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.151.1',
] as const;
const CONSOLE_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36';
const TLS = [
  { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' },
  { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' },
  { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', keyExchange: 'X25519MLKEM768' },
] as const;
const BUCKETS = ['analytics-raw-data', 'etl-staging', 'finance-reports', 'ml-features'] as const;
const TABLES = ['sales', 'events', 'customers', 'orders', 'sessions'] as const;

/**
 * Builds realistic CloudTrail records for the demo and the benchmarks: many services, every
 * identity type, errors, console sign-ins with and without MFA, Redshift control-plane and Data
 * API calls against the demo clusters, data events with and without resource account ids.
 */
export class DemoEventFactory {
  readonly #random: SeededRandom;
  readonly #accounts: readonly DemoAccount[];
  readonly #principals = new Map<string, readonly Principal[]>();

  constructor(random: SeededRandom, accounts: readonly DemoAccount[]) {
    this.#random = random;
    this.#accounts = accounts;
  }

  /** One event that happened in `account`/`region` at `time`. */
  event(account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.#random;
    const global = region === 'us-east-1';
    const kind = r.weighted<string>([
      ['s3', 30],
      ['ec2', 14],
      ['kms', 10],
      ['redshift', account.clusters.length > 0 ? 8 : 0],
      ['redshiftData', account.clusters.length > 0 ? 14 : 0],
      ['lambda', 6],
      ['dynamodb', 5],
      ['secrets', 4],
      ['logs', 4],
      ['sts', 4],
      ['iam', global ? 4 : 0],
      ['signin', global ? 2 : 0],
      ['federation', global ? 1 : 0],
      ['serviceEvent', 1],
      ['consoleAction', 1],
    ]);
    const principal = this.#principal(account);
    const base = this.#base(account, region, time, principal);
    switch (kind) {
      case 's3':
        return this.#s3(base, account, region);
      case 'ec2':
        return this.#ec2(base, account, region);
      case 'kms':
        return this.#kms(base, account, region);
      case 'redshift':
        return this.#redshift(base, account, region);
      case 'redshiftData':
        return this.#redshiftData(base, account, region, time);
      case 'lambda':
        return this.#lambda(base, account, region);
      case 'dynamodb':
        return this.#dynamodb(base, account, region);
      case 'secrets':
        return this.#secrets(base, account, region);
      case 'logs':
        return this.#logs(base, account, region);
      case 'sts':
        return this.#sts(base, account, time);
      case 'iam':
        return this.#iam(base, account);
      case 'signin':
        return this.#signin(account, region, time);
      case 'federation':
        return this.#federation(account, region, time);
      case 'serviceEvent':
        return this.#serviceEvent(account, region, time);
      default:
        return this.#consoleAction(account, region, time);
    }
  }

  /** The Start and End events of one Insight (an unusual API call rate). */
  insightPair(account: DemoAccount, region: string, start: Date, minutes: number): DemoRecord[] {
    const shared = this.#random.uuid();
    const end = new Date(start.getTime() + minutes * 60_000);
    const statistics = (state: string) => ({
      baseline: { average: 0.0011458333 },
      insight: { average: state === 'Start' ? 2.6 : 1.7142857143 },
      ...(state === 'End' ? { insightDuration: minutes, baselineDuration: 10080 } : { baselineDuration: 10080 }),
    });
    return (['Start', 'End'] as const).map((state) => ({
      eventVersion: '1.08',
      eventTime: iso(state === 'Start' ? start : end),
      awsRegion: region,
      eventID: this.#random.uuid(),
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: account.id,
      sharedEventID: shared,
      insightDetails: {
        state,
        eventSource: 'redshift-data.amazonaws.com',
        eventName: 'ExecuteStatement',
        insightType: 'ApiCallRateInsight',
        insightContext: {
          statistics: statistics(state),
          attributions: [
            {
              attribute: 'userIdentityArn',
              insight: [{ value: `arn:aws:sts::${account.id}:assumed-role/etl-runner/i-0a1b2c3d4e5f60718`, average: 2.4 }],
              baseline: [{ value: `arn:aws:sts::${account.id}:assumed-role/etl-runner/i-0a1b2c3d4e5f60718`, average: 0.0009 }],
            },
            { attribute: 'errorCode', insight: [{ value: 'null', average: 2.6 }], baseline: [{ value: 'null', average: 9.8e-5 }] },
          ],
        },
      },
      eventCategory: 'Insight',
    }));
  }

  #createPrincipals(account: DemoAccount): readonly Principal[] {
    const r = this.#random;
    const id = account.id;
    const ip = () => `${r.int(3, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
    const creation = '2024-01-01T00:00:00Z';
    const role = (name: string, session: string, extra: Record<string, unknown> = {}) => ({
      type: 'AssumedRole',
      principalId: `AROA${r.chars(17)}:${session}`,
      arn: `arn:aws:sts::${id}:assumed-role/${name}/${session}`,
      accountId: id,
      accessKeyId: `ASIA${r.chars(16)}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: `AROA${r.chars(17)}`,
          arn: `arn:aws:iam::${id}:role/${name}`,
          accountId: id,
          userName: name,
        },
        webIdFederationData: {},
        attributes: { creationDate: creation, mfaAuthenticated: 'false' },
        ...extra,
      },
    });
    const user = (name: string) => ({
      type: 'IAMUser',
      principalId: `AIDA${r.chars(17)}`,
      arn: `arn:aws:iam::${id}:user/${name}`,
      accountId: id,
      accessKeyId: `AKIA${r.chars(16)}`,
      userName: name,
    });
    const other = this.#accounts.find((candidate) => candidate.id !== id) ?? account;
    return [
      { identity: role('etl-runner', 'i-0a1b2c3d4e5f60718', { ec2RoleDelivery: '2.0' }), agent: AGENTS[1], ip: '10.0.12.34' },
      { identity: role('etl-runner', 'i-0a1b2c3d4e5f60718', { ec2RoleDelivery: '2.0' }), agent: AGENTS[1], ip: '10.0.12.34' },
      { identity: role('RedshiftQueryRole', 'analytics-dashboard'), agent: AGENTS[3], ip: ip() },
      {
        identity: role('AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'maria@example.com', { sourceIdentity: 'maria@example.com' }),
        agent: CONSOLE_AGENT,
        ip: ip(),
        console: true,
      },
      { identity: user('ci-deployer'), agent: AGENTS[4], ip: ip() },
      { identity: user('alice'), agent: AGENTS[0], ip: ip() },
      { identity: user('bob'), agent: CONSOLE_AGENT, ip: ip(), console: true },
      {
        identity: {
          type: 'Root',
          principalId: id,
          arn: `arn:aws:iam::${id}:root`,
          accountId: id,
          accessKeyId: '',
          userName: account.alias,
        },
        agent: CONSOLE_AGENT,
        ip: ip(),
        console: true,
      },
      {
        identity: {
          type: 'FederatedUser',
          principalId: `${id}:build-session`,
          arn: `arn:aws:sts::${id}:federated-user/build-session`,
          accountId: id,
          accessKeyId: `ASIA${r.chars(16)}`,
          sessionContext: {
            sessionIssuer: {
              type: 'IAMUser',
              principalId: `AIDA${r.chars(17)}`,
              arn: `arn:aws:iam::${id}:user/ci-deployer`,
              accountId: id,
              userName: 'ci-deployer',
            },
            webIdFederationData: {},
            attributes: { creationDate: creation, mfaAuthenticated: 'false' },
          },
        },
        agent: AGENTS[2],
        ip: ip(),
      },
      { identity: { type: 'AWSAccount', principalId: `AIDA${r.chars(17)}`, accountId: other.id }, agent: AGENTS[2], ip: ip() },
      {
        identity: {
          type: 'IdentityCenterUser',
          accountId: id,
          onBehalfOf: {
            userId: `${r.chars(8, '0123456789abcdef')}-${r.chars(4, '0123456789abcdef')}`,
            identityStoreArn: `arn:aws:identitystore::${id}:identitystore/d-9067642ac7`,
          },
          credentialId: r.chars(40, 'abcdefghijklmnopqrstuvwxyz0123456789'),
        },
        agent: CONSOLE_AGENT,
        ip: ip(),
      },
    ];
  }

  #principalsOf(account: DemoAccount): readonly Principal[] {
    let list = this.#principals.get(account.id);
    if (list === undefined) {
      list = this.#createPrincipals(account);
      this.#principals.set(account.id, list);
    }
    return list;
  }

  #principal(account: DemoAccount): Principal {
    return this.#random.pick(this.#principalsOf(account));
  }

  #base(account: DemoAccount, region: string, time: Date, principal: Principal): DemoRecord {
    const r = this.#random;
    return {
      eventVersion: r.pick(['1.08', '1.09', '1.10', '1.11']),
      userIdentity: principal.identity,
      eventTime: iso(time),
      eventSource: '',
      eventName: '',
      awsRegion: region,
      sourceIPAddress: principal.ip,
      userAgent: principal.agent,
      requestParameters: null,
      responseElements: null,
      requestID: r.uuid(),
      eventID: r.uuid(),
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account.id,
      eventCategory: 'Management',
      ...(principal.console ? { sessionCredentialFromConsole: 'true' } : {}),
    };
  }

  #finish(event: DemoRecord, host: string, options: { error?: readonly [string, string]; vpce?: boolean } = {}): DemoRecord {
    const r = this.#random;
    const out: DemoRecord = { ...event };
    if (options.error) {
      out.errorCode = options.error[0];
      out.errorMessage = options.error[1];
      out.responseElements = null;
    }
    if (options.vpce && r.chance(0.3)) {
      out.vpcEndpointId = `vpce-${r.chars(17, '0123456789abcdef')}`;
      out.vpcEndpointAccountId = event.recipientAccountId;
    }
    if (r.chance(0.002)) out.addendum = { reason: 'DELIVERY_DELAY' };
    out.tlsDetails = { ...r.pick(TLS), clientProvidedHostHeader: host };
    return out;
  }

  #maybeError(denied: string): readonly [string, string] | undefined {
    const r = this.#random;
    if (!r.chance(0.04)) return undefined;
    return r.weighted<readonly [string, string]>([
      [['AccessDenied', denied], 5],
      [['ThrottlingException', 'Rate exceeded'], 2],
      [['ValidationException', "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"], 1],
    ]);
  }

  #s3(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const bucket = r.pick(BUCKETS);
    const key = `${r.pick(['year=2024', 'year=2025', 'exports', 'tmp'])}/${r.pick(TABLES)}/part-${r.chars(5, '0123456789')}-${r.uuid()}.snappy.parquet`;
    const name = r.weighted<string>([
      ['GetObject', 6],
      ['PutObject', 3],
      ['HeadObject', 2],
      ['DeleteObject', 1],
      ['ListObjects', 1],
    ]);
    const bytes = r.int(512, 134_217_728);
    const host = `${bucket}.s3.${region}.amazonaws.com`;
    const objectArn = `arn:aws:s3:::${bucket}/${key}`;
    const resources: Array<Record<string, unknown>> = [
      { type: 'AWS::S3::Object', ARN: objectArn },
      // The bucket owner's account id is left out of the caller's copy of a denied cross-account call.
      r.chance(0.9)
        ? { accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }
        : { type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ];
    const event: DemoRecord = {
      ...base,
      eventSource: 's3.amazonaws.com',
      eventName: name,
      requestParameters:
        name === 'ListObjects'
          ? { bucketName: bucket, Host: host, prefix: key.split('/')[0], 'list-type': '2' }
          : { bucketName: bucket, Host: host, key },
      responseElements:
        name === 'PutObject'
          ? {
              'x-amz-server-side-encryption': 'aws:kms',
              'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}`,
            }
          : null,
      additionalEventData: {
        SignatureVersion: 'SigV4',
        CipherSuite: 'TLS_AES_128_GCM_SHA256',
        bytesTransferredIn: name === 'PutObject' ? bytes : 0,
        AuthenticationMethod: 'AuthHeader',
        'x-amz-id-2': r.chars(76, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'),
        bytesTransferredOut: name === 'GetObject' ? bytes : 0,
      },
      readOnly: name !== 'PutObject' && name !== 'DeleteObject',
      resources: name === 'ListObjects' ? resources.slice(1) : resources,
      managementEvent: false,
      eventCategory: 'Data',
    };
    return this.#finish(event, host, { error: this.#maybeError('Access Denied'), vpce: true });
  }

  #ec2(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const name = r.weighted<string>([
      ['DescribeInstances', 6],
      ['DescribeSecurityGroups', 3],
      ['RunInstances', 1],
      ['CreateTags', 1],
      ['DescribeVolumes', 2],
    ]);
    const instanceId = `i-0${r.chars(16, '0123456789abcdef')}`;
    const event: DemoRecord = {
      ...base,
      eventSource: 'ec2.amazonaws.com',
      eventName: name,
      readOnly: name.startsWith('Describe'),
    };
    if (name === 'RunInstances') {
      event.requestParameters = {
        instancesSet: { items: [{ imageId: `ami-0${r.chars(16, '0123456789abcdef')}`, minCount: 1, maxCount: 1 }] },
        instanceType: r.pick(['m7g.large', 'c7i.xlarge', 'r6i.2xlarge']),
        blockDeviceMapping: {},
        monitoring: { enabled: false },
        disableApiTermination: false,
        disableApiStop: false,
        clientToken: r.uuid(),
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      };
      event.responseElements = {
        requestId: base.requestID,
        reservationId: `r-0${r.chars(16, '0123456789abcdef')}`,
        ownerId: account.id,
        groupSet: {},
        instancesSet: {
          items: [
            {
              instanceId,
              imageId: `ami-0${r.chars(16, '0123456789abcdef')}`,
              currentInstanceBootMode: 'uefi',
              instanceState: { code: 0, name: 'pending' },
              privateDnsName: `ip-10-0-${r.int(0, 255)}-${r.int(1, 254)}.${region}.compute.internal`,
              amiLaunchIndex: 0,
              productCodes: {},
              instanceType: 'm7g.large',
              launchTime: Date.parse(String(base.eventTime)),
              placement: { availabilityZone: `${region}a`, tenancy: 'default' },
              monitoring: { state: 'disabled' },
              subnetId: `subnet-0${r.chars(16, '0123456789abcdef')}`,
              vpcId: `vpc-0${r.chars(16, '0123456789abcdef')}`,
              privateIpAddress: `10.0.${r.int(0, 255)}.${r.int(1, 254)}`,
              sourceDestCheck: true,
              groupSet: { items: [{ groupId: `sg-0${r.chars(16, '0123456789abcdef')}`, groupName: 'default' }] },
              architecture: 'arm64',
              rootDeviceType: 'ebs',
              rootDeviceName: '/dev/xvda',
              blockDeviceMapping: {},
              virtualizationType: 'hvm',
              hypervisor: 'xen',
              networkInterfaceSet: {
                items: [
                  {
                    networkInterfaceId: `eni-0${r.chars(16, '0123456789abcdef')}`,
                    status: 'in-use',
                    attachment: { deviceIndex: 0, networkCardIndex: 0 },
                  },
                ],
              },
              ebsOptimized: true,
              enaSupport: true,
              metadataOptions: { state: 'pending', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
            },
          ],
        },
      };
    } else if (name === 'CreateTags') {
      event.requestParameters = {
        resourcesSet: { items: [{ resourceId: instanceId }] },
        tagSet: {
          items: [
            { key: 'team', value: 'analytics' },
            { key: 'cost-center', value: '0420' },
          ],
        },
      };
      event.responseElements = { requestId: base.requestID, _return: true };
    } else {
      event.requestParameters =
        name === 'DescribeInstances' ? { instancesSet: { items: [{ instanceId }] }, filterSet: {} } : { maxResults: 1000, filterSet: {} };
    }
    return this.#finish(event, `ec2.${region}.amazonaws.com`, {
      error: r.chance(0.03)
        ? [
            'Client.UnauthorizedOperation',
            'You are not authorized to perform this operation. User: arn:aws:iam::000000000000:user/x is not authorized to perform: ec2:RunInstances',
          ]
        : undefined,
      vpce: true,
    });
  }

  #kms(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const keyArn = `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}`;
    const name = r.weighted<string>([
      ['Decrypt', 5],
      ['GenerateDataKey', 3],
      ['Encrypt', 1],
    ]);
    // Most KMS calls are made by a service on the caller's behalf.
    const identity = r.chance(0.6)
      ? { type: 'AWSService', invokedBy: r.pick(['s3.amazonaws.com', 'secretsmanager.amazonaws.com', 'redshift.amazonaws.com']) }
      : base.userIdentity;
    const viaService = (identity as { type: string }).type === 'AWSService';
    const event: DemoRecord = {
      ...base,
      userIdentity: identity,
      eventSource: 'kms.amazonaws.com',
      eventName: name,
      sourceIPAddress: viaService ? (identity as { invokedBy: string }).invokedBy : base.sourceIPAddress,
      userAgent: viaService ? (identity as { invokedBy: string }).invokedBy : base.userAgent,
      requestParameters: {
        encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${r.pick(BUCKETS)}/${r.pick(TABLES)}` },
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        ...(name === 'GenerateDataKey' ? { keySpec: 'AES_256', keyId: keyArn } : {}),
      },
      resources: [{ accountId: account.id, type: 'AWS::KMS::Key', ARN: keyArn }],
      ...(viaService ? { sharedEventID: r.uuid() } : {}),
    };
    const out = this.#finish(event, `kms.${region}.amazonaws.com`, {
      error: this.#maybeError('User is not authorized to perform kms:Decrypt'),
    });
    if (viaService) delete out.tlsDetails;
    return out;
  }

  #redshift(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const cluster = r.pick(account.clusters);
    const name = r.weighted<string>([
      ['DescribeClusters', 8],
      ['DescribeLoggingStatus', 2],
      ['ModifyCluster', 1],
      ['PauseCluster', 1],
      ['ResumeCluster', 1],
      ['RebootCluster', 1],
      ['GetClusterCredentials', 3],
      ['CreateClusterSnapshot', 1],
    ]);
    const event: DemoRecord = {
      ...base,
      eventSource: 'redshift.amazonaws.com',
      eventName: name,
      readOnly: name.startsWith('Describe'),
      requestParameters: { clusterIdentifier: cluster },
      apiVersion: '2012-12-01',
    };
    if (name === 'ModifyCluster') {
      event.requestParameters = { clusterIdentifier: cluster, numberOfNodes: r.int(2, 8), nodeType: 'ra3.xlplus' };
      event.responseElements = {
        clusterIdentifier: cluster,
        nodeType: 'ra3.xlplus',
        clusterStatus: 'available',
        modifyStatus: 'resizing',
        numberOfNodes: r.int(2, 8),
        encrypted: true,
        clusterNamespaceArn: `arn:aws:redshift:${region}:${account.id}:namespace:${r.uuid()}`,
      };
    } else if (name === 'GetClusterCredentials') {
      event.requestParameters = { dbUser: 'etl_user', dbName: 'dev', clusterIdentifier: cluster, durationSeconds: 900, autoCreate: false };
      event.responseElements = { dbUser: 'IAM:etl_user', expiration: 'Mar 5, 2024, 3:12:45 PM' };
    } else if (name === 'CreateClusterSnapshot') {
      const snapshot = `${cluster}-manual-${r.chars(6, '0123456789')}`;
      event.requestParameters = { snapshotIdentifier: snapshot, clusterIdentifier: cluster, manualSnapshotRetentionPeriod: 7 };
      event.responseElements = {
        snapshotIdentifier: snapshot,
        clusterIdentifier: cluster,
        status: 'creating',
        totalBackupSizeInMegaBytes: -1.0,
      };
    } else if (!name.startsWith('Describe')) {
      event.responseElements = {
        clusterIdentifier: cluster,
        clusterStatus: name === 'PauseCluster' ? 'pausing' : name === 'ResumeCluster' ? 'resuming' : 'rebooting',
      };
    }
    return this.#finish(event, `redshift.${region}.amazonaws.com`, {
      error: r.chance(0.05)
        ? ['InvalidClusterState', `There is an operation running on the Cluster ${cluster}. Please try to modify it later.`]
        : undefined,
    });
  }

  #redshiftData(base: DemoRecord, account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.#random;
    const cluster = r.pick(account.clusters);
    const name = r.weighted<string>([
      ['ExecuteStatement', 4],
      ['DescribeStatement', 6],
      ['GetStatementResult', 3],
      ['BatchExecuteStatement', 1],
      ['ListStatements', 1],
    ]);
    const statement = r.uuid();
    const event: DemoRecord = {
      ...base,
      eventSource: 'redshift-data.amazonaws.com',
      eventName: name,
      readOnly: name !== 'ExecuteStatement' && name !== 'BatchExecuteStatement',
      apiVersion: '2019-12-20',
    };
    if (name === 'ExecuteStatement' || name === 'BatchExecuteStatement') {
      const table = r.pick(TABLES);
      const sql = r.pick([
        `SELECT date_trunc('day', event_time) AS day, count(*) FROM ${table} WHERE event_time > dateadd(day, -7, getdate()) GROUP BY 1 ORDER BY 1`,
        `INSERT INTO ${table}_daily SELECT * FROM ${table}_staging WHERE load_id = ${r.int(1000, 99999)}`,
        `COPY ${table} FROM 's3://etl-staging/${table}/' IAM_ROLE default FORMAT AS PARQUET`,
        `VACUUM DELETE ONLY ${table}`,
      ]);
      event.requestParameters = {
        clusterIdentifier: cluster,
        database: 'dev',
        dbUser: 'etl_user',
        ...(name === 'ExecuteStatement' ? { sql } : { sqls: [sql, `ANALYZE ${table}`] }),
        withEvent: false,
        statementName: `${cluster}-job-${r.int(1, 40)}`,
      };
      event.responseElements = {
        id: statement,
        clusterIdentifier: cluster,
        createdAt: `${time.toUTCString().slice(5, 16)}, ${time.toISOString().slice(11, 19)}`,
        database: 'dev',
        dbUser: 'etl_user',
      };
    } else if (name === 'ListStatements') {
      event.requestParameters = { maxResults: 100, status: 'ALL', roleLevel: true };
    } else {
      event.requestParameters = { id: statement };
    }
    return this.#finish(event, `redshift-data.${region}.amazonaws.com`, {
      error: r.chance(0.04) ? ['ValidationException', `Cluster ${cluster} is not available for query (status: paused)`] : undefined,
      vpce: true,
    });
  }

  #lambda(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const fn = r.pick(['opslake-cloudtrail-ingest', 'nightly-report', 'image-resizer', 'etl-trigger']);
    const arn = `arn:aws:lambda:${region}:${account.id}:function:${fn}`;
    const invoke = r.chance(0.8);
    return this.#finish(
      {
        ...base,
        eventSource: 'lambda.amazonaws.com',
        eventName: invoke ? 'Invoke' : 'UpdateFunctionCode20150331v2',
        readOnly: false,
        requestParameters: invoke
          ? { functionName: arn, sourceArn: `arn:aws:sqs:${region}:${account.id}:${fn}-queue` }
          : { functionName: fn, s3Bucket: 'etl-staging', s3Key: `lambda/${fn}.zip`, publish: false, dryRun: false },
        responseElements: invoke
          ? null
          : {
              functionName: fn,
              functionArn: arn,
              runtime: 'nodejs22.x',
              codeSize: r.int(10_000, 50_000_000),
              memorySize: 1024,
              timeout: 60,
              lastModified: base.eventTime,
              architectures: ['arm64'],
            },
        additionalEventData: invoke ? { functionVersion: `${arn}:$LATEST` } : undefined,
        resources: invoke ? [{ accountId: account.id, type: 'AWS::Lambda::Function', ARN: arn }] : undefined,
        managementEvent: !invoke,
        eventCategory: invoke ? 'Data' : 'Management',
        apiVersion: '2015-03-31',
      },
      `lambda.${region}.amazonaws.com`,
      { error: this.#maybeError('User is not authorized to perform: lambda:InvokeFunction') },
    );
  }

  #dynamodb(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const table = r.pick(['opslake-state', 'sessions', 'feature-flags']);
    const name = r.weighted<string>([
      ['GetItem', 5],
      ['PutItem', 2],
      ['Query', 2],
      ['DescribeTable', 1],
    ]);
    const arn = `arn:aws:dynamodb:${region}:${account.id}:table/${table}`;
    return this.#finish(
      {
        ...base,
        eventSource: 'dynamodb.amazonaws.com',
        eventName: name,
        readOnly: name !== 'PutItem',
        requestParameters:
          name === 'DescribeTable'
            ? { tableName: table }
            : { tableName: table, key: { pk: `cluster#${r.pick(['analytics', 'etl'])}#stl_query` }, consistentRead: true },
        resources: name === 'DescribeTable' ? undefined : [{ accountId: account.id, type: 'AWS::DynamoDB::Table', ARN: arn }],
        managementEvent: name === 'DescribeTable',
        eventCategory: name === 'DescribeTable' ? 'Management' : 'Data',
        apiVersion: '2012-08-10',
      },
      `dynamodb.${region}.amazonaws.com`,
      { error: r.chance(0.02) ? ['ConditionalCheckFailedException', 'The conditional request failed'] : undefined, vpce: true },
    );
  }

  #secrets(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const secret = `arn:aws:secretsmanager:${region}:${account.id}:secret:redshift/${r.pick(['analytics', 'etl'])}/admin-${r.chars(6, 'abcdefABCDEF0123456789')}`;
    return this.#finish(
      {
        ...base,
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: 'GetSecretValue',
        requestParameters: { secretId: secret },
        resources: undefined,
      },
      `secretsmanager.${region}.amazonaws.com`,
      { error: this.#maybeError(`User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret}`), vpce: true },
    );
  }

  #logs(base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
    const r = this.#random;
    const group = r.pick(['/aws/lambda/opslake-cloudtrail-ingest', '/aws/redshift/cluster/analytics/userlog', '/ecs/api']);
    const name = r.weighted<string>([
      ['DescribeLogGroups', 2],
      ['FilterLogEvents', 2],
      ['CreateLogStream', 1],
    ]);
    return this.#finish(
      {
        ...base,
        eventSource: 'logs.amazonaws.com',
        eventName: name,
        readOnly: name !== 'CreateLogStream',
        requestParameters:
          name === 'FilterLogEvents'
            ? {
                logGroupName: group,
                startTime: 1709650000000 + r.int(0, 1e9),
                endTime: 1709660000000 + r.int(0, 1e9),
                filterPattern: '?ERROR ?Exception',
                limit: 10000,
                interleaved: true,
              }
            : { logGroupNamePrefix: group.split('/').slice(0, 3).join('/') },
      },
      `logs.${region}.amazonaws.com`,
      { error: this.#maybeError('The security token included in the request is expired') },
    );
  }

  #sts(base: DemoRecord, account: DemoAccount, time: Date): DemoRecord {
    const r = this.#random;
    const byService = r.chance(0.5);
    const roleName = r.pick(['etl-runner', 'RedshiftQueryRole', 'opslake-cloudtrail-ingest-role']);
    const roleArn = `arn:aws:iam::${account.id}:role/${roleName}`;
    const session = byService ? `${r.chars(19, '0123456789')}` : 'botocore-session-1709650000';
    const expiration = new Date(time.getTime() + 3_600_000);
    const event: DemoRecord = {
      ...base,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      requestParameters: { roleArn, roleSessionName: session, durationSeconds: 3600 },
      responseElements: {
        credentials: {
          accessKeyId: `ASIA${r.chars(16)}`,
          sessionToken: r.chars(180, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='),
          expiration: `${expiration.toUTCString().slice(8, 11)} ${expiration.getUTCDate()}, ${expiration.getUTCFullYear()}, ${expiration.getUTCHours() % 12 || 12}:${String(expiration.getUTCMinutes()).padStart(2, '0')}:${String(expiration.getUTCSeconds()).padStart(2, '0')} ${expiration.getUTCHours() < 12 ? 'AM' : 'PM'}`,
        },
        assumedRoleUser: {
          assumedRoleId: `AROA${r.chars(17)}:${session}`,
          arn: `arn:aws:sts::${account.id}:assumed-role/${roleName}/${session}`,
        },
      },
      readOnly: true,
      resources: [{ accountId: account.id, type: 'AWS::IAM::Role', ARN: roleArn }],
      sharedEventID: r.uuid(),
    };
    if (byService) {
      event.userIdentity = {
        type: 'AWSService',
        invokedBy: r.pick(['lambda.amazonaws.com', 'ec2.amazonaws.com', 'redshift.amazonaws.com']),
      };
      event.sourceIPAddress = (event.userIdentity as { invokedBy: string }).invokedBy;
      event.userAgent = event.sourceIPAddress;
      const out = this.#finish(event, 'sts.amazonaws.com');
      delete out.tlsDetails;
      return out;
    }
    return this.#finish(event, 'sts.amazonaws.com', {
      error: this.#maybeError(`User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`),
    });
  }

  #iam(base: DemoRecord, account: DemoAccount): DemoRecord {
    const r = this.#random;
    const name = r.weighted<string>([
      ['ListRoles', 4],
      ['GetRole', 3],
      ['CreateUser', 1],
      ['AttachUserPolicy', 1],
      ['CreateAccessKey', 1],
    ]);
    const user = r.pick(['svc-reporting', 'temp-contractor', 'backup-operator']);
    const event: DemoRecord = {
      ...base,
      eventSource: 'iam.amazonaws.com',
      eventName: name,
      awsRegion: 'us-east-1',
      readOnly: name.startsWith('List') || name.startsWith('Get'),
    };
    if (name === 'CreateUser') {
      event.requestParameters = { userName: user, tags: [{ key: 'owner', value: 'platform' }] };
      event.responseElements = {
        user: {
          path: '/',
          userName: user,
          userId: `AIDA${r.chars(17)}`,
          arn: `arn:aws:iam::${account.id}:user/${user}`,
          createDate: 'Mar 5, 2024, 2:07:31 PM',
          tags: [{ key: 'owner', value: 'platform' }],
        },
      };
    } else if (name === 'AttachUserPolicy') {
      event.requestParameters = { userName: user, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
    } else if (name === 'CreateAccessKey') {
      event.requestParameters = { userName: user };
      event.responseElements = {
        accessKey: { userName: user, accessKeyId: `AKIA${r.chars(16)}`, status: 'Active', createDate: 'Mar 5, 2024, 2:07:31 PM' },
      };
    } else if (name === 'GetRole') {
      event.requestParameters = { roleName: r.pick(['etl-runner', 'RedshiftQueryRole']) };
    } else {
      event.requestParameters = { maxItems: 100 };
    }
    return this.#finish(event, 'iam.amazonaws.com', { error: this.#maybeError('User is not authorized to perform: iam:CreateUser') });
  }

  #signin(account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.#random;
    const principals = this.#principalsOf(account).filter((principal) => principal.console);
    const principal = r.pick(principals);
    const failed = r.chance(0.15);
    const unknownUser = failed && r.chance(0.4);
    const mfa = r.chance(0.6);
    const identity = unknownUser
      ? { type: 'IAMUser', principalId: '', accountId: account.id, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' }
      : principal.identity.type === 'Root'
        ? principal.identity
        : { ...principal.identity, sessionContext: undefined, accessKeyId: '' };
    return this.#finish(
      {
        ...this.#base(account, region, time, principal),
        userIdentity: JSON.parse(JSON.stringify(identity)),
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        readOnly: false,
        eventType: 'AwsConsoleSignIn',
        requestParameters: null,
        responseElements: { ConsoleLogin: failed ? 'Failure' : 'Success' },
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
          MobileVersion: 'No',
          MFAIdentifier: mfa ? `arn:aws:iam::${account.id}:mfa/${r.pick(['yubikey', 'phone'])}` : undefined,
          MFAUsed: mfa ? 'Yes' : 'No',
        },
        ...(failed ? { errorMessage: 'Failed authentication' } : {}),
        sessionCredentialFromConsole: undefined,
      },
      'signin.aws.amazon.com',
    );
  }

  #federation(account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.#random;
    const saml = r.chance(0.5);
    const roleArn = `arn:aws:iam::${account.id}:role/${saml ? 'SAML-Analysts' : 'MobileAppRole'}`;
    const identity = saml
      ? {
          type: 'SAMLUser',
          principalId: 'ExampleIdP:jane.doe@example.com',
          userName: 'jane.doe@example.com',
          identityProvider: 'ExampleIdP',
        }
      : {
          type: 'WebIdentityUser',
          principalId: `accounts.google.com:${r.chars(12, '0123456789')}.apps.googleusercontent.com:${r.chars(21, '0123456789')}`,
          userName: r.chars(21, '0123456789'),
          identityProvider: 'accounts.google.com',
        };
    const base = this.#base(account, region, time, {
      identity,
      agent: AGENTS[0],
      ip: `${r.int(3, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    });
    return this.#finish(
      {
        ...base,
        eventSource: 'sts.amazonaws.com',
        eventName: saml ? 'AssumeRoleWithSAML' : 'AssumeRoleWithWebIdentity',
        requestParameters: saml
          ? {
              sAMLAssertionID: `_${r.uuid()}`,
              roleSessionName: 'jane.doe@example.com',
              principalTags: { team: 'analytics' },
              roleArn,
              principalArn: `arn:aws:iam::${account.id}:saml-provider/ExampleIdP`,
              durationSeconds: 3600,
            }
          : { roleArn, roleSessionName: 'app-session', durationSeconds: 900 },
        responseElements: {
          credentials: { accessKeyId: `ASIA${r.chars(16)}`, expiration: 'Mar 5, 2024, 3:07:31 PM' },
          assumedRoleUser: {
            arn: `${roleArn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/session`,
            assumedRoleId: `AROA${r.chars(17)}:session`,
          },
          audience: saml ? 'https://signin.aws.amazon.com/saml' : `${r.chars(12, '0123456789')}.apps.googleusercontent.com`,
        },
        resources: [{ accountId: account.id, type: 'AWS::IAM::Role', ARN: roleArn }],
      },
      'sts.amazonaws.com',
    );
  }

  #serviceEvent(account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.#random;
    return {
      eventVersion: '1.08',
      userIdentity: { accountId: account.id, invokedBy: 'AWS Internal' },
      eventTime: iso(time),
      eventSource: 'kms.amazonaws.com',
      eventName: 'RotateKey',
      awsRegion: region,
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
      requestParameters: null,
      responseElements: null,
      additionalEventData: { keyId: `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}` },
      eventID: r.uuid(),
      readOnly: false,
      resources: [{ accountId: account.id, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}` }],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: account.id,
      serviceEventDetails: { keyRotationStatus: 'SUCCEEDED', rotationType: 'AUTOMATIC', nextRotationDate: 1767225600 },
      eventCategory: 'Management',
    };
  }

  #consoleAction(account: DemoAccount, region: string, time: Date): DemoRecord {
    const r = this.#random;
    const unknown = r.chance(0.3);
    const principal = this.#principal(account);
    return {
      ...this.#base(account, region, time, principal),
      ...(unknown
        ? {
            userIdentity: {
              type: 'Unknown',
              principalId: account.id,
              arn: '',
              accountId: account.id,
              accessKeyId: '',
              userName: 'unknown-user',
            },
            eventSource: 'signin.amazonaws.com',
            eventName: 'CredentialChallenge',
            eventType: 'AwsServiceEvent',
            serviceEventDetails: { CredentialChallenge: 'Success' },
            additionalEventData: { CredentialType: 'PASSWORD' },
          }
        : {
            userIdentity: { type: 'Directory', principalId: `d-${r.chars(10, '0123456789abcdef')}:user`, accountId: account.id },
            eventSource: 'ds.amazonaws.com',
            eventName: 'DescribeDirectories',
            eventType: 'AwsConsoleAction',
          }),
      readOnly: true,
    };
  }
}

/** CloudTrail's eventTime form: `YYYY-MM-DDTHH:MM:SSZ`. */
export function iso(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
