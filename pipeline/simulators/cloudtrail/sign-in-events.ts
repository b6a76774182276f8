import { AGENTS } from './demo-vocabulary.js';
import { type DemoAccount, type DemoContext, type DemoRecord, baseRecord, finishRecord, publicIp } from './demo-record.js';

/** Console sign-ins (failed, unknown users, with and without MFA), SAML and web-identity federation, console actions. */

export function signinEvent(context: DemoContext, account: DemoAccount, region: string, time: Date): DemoRecord {
  const r = context.random;
  const principals = context.principalsOf(account).filter((principal) => principal.console);
  const principal = r.pick(principals);
  const failed = r.chance(0.15);
  const unknownUser = failed && r.chance(0.4);
  const mfa = r.chance(0.6);
  const identity = unknownUser
    ? { type: 'IAMUser', principalId: '', accountId: account.id, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' }
    : principal.identity.type === 'Root'
      ? principal.identity
      : { ...principal.identity, sessionContext: undefined, accessKeyId: '' };
  return finishRecord(
    r,
    {
      ...baseRecord(r, account, region, time, principal),
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

export function federationEvent(context: DemoContext, account: DemoAccount, region: string, time: Date): DemoRecord {
  const r = context.random;
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
  const base = baseRecord(r, account, region, time, {
    identity,
    agent: AGENTS[0],
    ip: publicIp(r),
  });
  return finishRecord(
    r,
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

export function consoleActionEvent(context: DemoContext, account: DemoAccount, region: string, time: Date): DemoRecord {
  const r = context.random;
  const unknown = r.chance(0.3);
  const principal = r.pick(context.principalsOf(account));
  return {
    ...baseRecord(r, account, region, time, principal),
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
