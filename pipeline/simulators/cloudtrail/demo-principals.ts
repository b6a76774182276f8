import type { SeededRandom } from '../seeded-random.js';
import { type DemoAccount, type Principal, publicIp } from './demo-record.js';
import { AGENTS, CONSOLE_AGENT } from './demo-vocabulary.js';

/**
 * The callers of one account: roles assumed by instances and by SSO users, IAM users on the CLI
 * and in the console, the root user, a federated user, another account, an Identity Center user.
 * Some of them appear twice so that they call more often.
 */
export function createPrincipals(r: SeededRandom, account: DemoAccount, accounts: readonly DemoAccount[]): readonly Principal[] {
  const id = account.id;
  const ip = () => publicIp(r);
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
  const other = accounts.find((candidate) => candidate.id !== id) ?? account;
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
