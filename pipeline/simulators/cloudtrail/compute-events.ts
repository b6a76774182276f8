import { type DemoAccount, type DemoContext, type DemoRecord, finishRecord, maybeError } from './demo-record.js';

/** EC2 (a RunInstances with its whole response among the Describes), Lambda and CloudWatch Logs calls. */

export function ec2Event(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const name = r.weighted<string>([
    [6, 'DescribeInstances'],
    [3, 'DescribeSecurityGroups'],
    [1, 'RunInstances'],
    [1, 'CreateTags'],
    [2, 'DescribeVolumes'],
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
  return finishRecord(r, event, `ec2.${region}.amazonaws.com`, {
    error: r.chance(0.03)
      ? [
          'Client.UnauthorizedOperation',
          'You are not authorized to perform this operation. ' +
            'User: arn:aws:iam::000000000000:user/x is not authorized to perform: ec2:RunInstances',
        ]
      : undefined,
    vpce: true,
  });
}

export function lambdaEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const fn = r.pick(['opslake-cloudtrail-ingest', 'nightly-report', 'image-resizer', 'etl-trigger']);
  const arn = `arn:aws:lambda:${region}:${account.id}:function:${fn}`;
  const invoke = r.chance(0.8);
  return finishRecord(
    r,
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
    { error: maybeError(r, 'User is not authorized to perform: lambda:InvokeFunction') },
  );
}

export function logsEvent(context: DemoContext, base: DemoRecord, region: string): DemoRecord {
  const r = context.random;
  const group = r.pick(['/aws/lambda/opslake-cloudtrail-ingest', '/aws/redshift/cluster/analytics/userlog', '/ecs/api']);
  const name = r.weighted<string>([
    [2, 'DescribeLogGroups'],
    [2, 'FilterLogEvents'],
    [1, 'CreateLogStream'],
  ]);
  return finishRecord(
    r,
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
    { error: maybeError(r, 'The security token included in the request is expired') },
  );
}
