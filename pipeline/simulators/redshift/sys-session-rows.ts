import { SeededRandom } from '../seeded-random.js';
import { formatMicros } from './format-micros.js';
import { hex, officeLoad } from './profile-helpers.js';
import { orderedValues, type RowSink } from './row-sink.js';
import { type GeneratorSettings, MINUTE_US, minuteContext } from './workload-generator.js';
import type { SimUser, WorkloadProfile } from './workload-profile.js';

/**
 * What a source logs besides statements, minute by minute: connections (authenticated, a
 * session opened, and closed later) in `sys_connection_log`, a scanner that keeps failing to
 * authenticate, and user changes in `sys_userlog` (a service user's password rotated every two
 * hours, a temporary user now and then). Seeded by (seed, profile, minute) like the statements.
 * A provisioned cluster logs the same events in `stl_connection_log` and `stl_userlog` (the
 * columns under their STL names), and its failed logins come from a few remote hosts.
 */

export type SessionLog = 'sys' | 'stl';

/** Hosts outside the network that guess passwords on a provisioned cluster, and the user each tries. */
const STL_SCANNERS = [
  { host: '198.51.100.23', user: 'admin' },
  { host: '203.0.113.45', user: 'admin' },
  { host: '192.0.2.77', user: 'etl_svc' },
] as const;

/** The SYS connection columns under their STL names; global_session_id has no STL twin. */
const STL_CONNECTION_NAMES: Readonly<Record<string, string>> = {
  record_time: 'recordtime',
  remote_host: 'remotehost',
  remote_port: 'remoteport',
  session_id: 'pid',
  database_name: 'dbname',
  user_name: 'username',
  auth_method: 'authmethod',
  ssl_version: 'sslversion',
  ssl_cipher: 'sslcipher',
  ssl_compression: 'sslcompression',
  ssl_expansion: 'sslexpansion',
  iam_auth_guid: 'iamauthguid',
};

const STL_USERLOG_NAMES: Readonly<Record<string, string>> = {
  user_id: 'userid',
  user_name: 'username',
  original_user_name: 'oldusername',
  has_create_db_privs: 'usecreatedb',
  is_superuser: 'usesuper',
  has_update_catalog_privs: 'usecatupd',
  password_expiration: 'valuntil',
  session_id: 'pid',
  transaction_id: 'xid',
  record_time: 'recordtime',
};

function renamed(row: Readonly<Record<string, string | number>>, names: Readonly<Record<string, string>>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [names[name] ?? name, value]));
}

/** `integer` microseconds: Redshift's connection duration column tops out here (about 35.8 minutes). */
const MAX_DURATION_US = 2_147_483_647;

/** How each kind of client connects. */
function client(user: SimUser, rng: SeededRandom) {
  if (user.name.endsWith('_svc') || user.name.startsWith('etl') || user.name.startsWith('dbt')) {
    return { host: `10.0.8.${10 + (user.userid % 40)}`, application: 'Redshift Data API', driver: '2.1.0.30', auth: 'IAM', plugin: 'Iam' };
  }
  const tool = rng.pick(['DBeaver 24.3.0', 'psql', 'JupyterLab', 'Redshift query editor v2']);
  return { host: `10.0.3.${20 + (user.userid % 60)}`, application: tool, driver: '2.1.0.30', auth: 'password', plugin: '' };
}

export function emitSessionEvents(
  profile: WorkloadProfile,
  settings: GeneratorSettings,
  minute: number,
  sink: RowSink,
  log: SessionLog = 'sys',
): void {
  const context = minuteContext(profile, settings, minute);
  const rng = SeededRandom.of(settings.seed, profile.name, 'sessions', minute);
  const users = profile.users.filter((user) => user.userid > 1);
  const maxDelayUs = settings.maxVisibilityDelayMinutes * MINUTE_US;
  const event = (name: string, atUs: number, fields: Record<string, string | number>) => {
    const row = {
      event: name,
      record_time: formatMicros(atUs),
      remote_host: '',
      remote_port: '',
      session_id: 0,
      database_name: profile.databases[0] ?? 'dev',
      user_name: '',
      auth_method: '',
      duration: 0,
      ssl_version: 'TLSv1.3',
      ssl_cipher: 'TLS_AES_256_GCM_SHA384',
      mtu: 9001,
      ssl_compression: '',
      ssl_expansion: '',
      iam_auth_guid: '',
      application_name: '',
      driver_version: '',
      os_version: '',
      plugin_name: '',
      protocol_version: 2,
      global_session_id: '',
      ...fields,
    };
    const visibleUs = atUs + Math.floor(rng.next() * maxDelayUs);
    if (log === 'sys') sink.add('sys_connection_log', orderedValues('sys_connection_log', row), atUs, visibleUs);
    else sink.add('stl_connection_log', orderedValues('stl_connection_log', renamed(row, STL_CONNECTION_NAMES)), atUs, visibleUs);
  };

  const sessions = rng.poisson(1.2 * officeLoad(context) + 0.15);
  for (let index = 0; index < sessions; index += 1) {
    const user = rng.pick(users);
    const how = client(user, rng);
    const atUs = minute * MINUTE_US + rng.int(0, 59_999_999);
    const durationUs = Math.min(MAX_DURATION_US, Math.round(rng.logNormal(240_000, 1.2) * 1000));
    const common = {
      remote_host: how.host,
      remote_port: String(rng.int(32_768, 60_999)),
      session_id: 1_073_741_824 + rng.int(10_000, 999_999),
      user_name: how.auth === 'IAM' ? `IAMR:${user.name}` : user.name,
      auth_method: how.auth,
      iam_auth_guid: how.auth === 'IAM' ? `${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}` : '',
      application_name: how.application,
      driver_version: how.driver,
      os_version: 'Linux 6.1.0-amzn2023 amd64',
      plugin_name: how.plugin,
      global_session_id: `${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}`,
    };
    event('authenticated', atUs, common);
    event('initiating session', atUs + 2_000, common);
    event('disconnecting session', atUs + 2_000 + durationUs, { ...common, duration: durationUs });
  }
  // A host outside the network tries the admin account with guessed passwords.
  if (rng.chance(0.04)) {
    const atUs = minute * MINUTE_US + rng.int(0, 59_999_999);
    const scanner = log === 'sys' ? STL_SCANNERS[0] : rng.pick(STL_SCANNERS);
    event('authentication failure', atUs, {
      remote_host: scanner.host,
      remote_port: String(rng.int(32_768, 60_999)),
      session_id: 1_073_741_824 + rng.int(10_000, 999_999),
      user_name: scanner.user,
      auth_method: 'password',
      application_name: 'psql',
    });
  }
  emitUserChanges(profile, context.minuteStartMs, minute, rng, sink, maxDelayUs, log);
}

function emitUserChanges(
  profile: WorkloadProfile,
  minuteStartMs: number,
  minute: number,
  rng: SeededRandom,
  sink: RowSink,
  maxDelayUs: number,
  log: SessionLog,
) {
  const changes: Array<{ user_id: number; user_name: string; original_user_name: string; action: string; expires: number }> = [];
  const service = profile.users.find((user) => user.name.endsWith('_svc') || user.name.startsWith('etl'));
  if (service && minute % 120 === 7) {
    changes.push({ user_id: service.userid, user_name: service.name, original_user_name: '', action: 'alter', expires: 90 });
  }
  if (rng.chance(0.003)) {
    const id = 500 + rng.int(0, 99);
    const name = `tmp_audit_${hex(rng, 4)}`;
    changes.push({ user_id: id, user_name: name, original_user_name: '', action: rng.chance(0.5) ? 'create' : 'drop', expires: 7 });
  }
  for (const change of changes) {
    const atUs = minuteStartMs * 1000 + rng.int(0, 59_999_999);
    const row = {
      user_id: change.user_id,
      user_name: change.user_name,
      original_user_name: change.original_user_name,
      action: change.action,
      has_create_db_privs: 0,
      is_superuser: 0,
      has_update_catalog_privs: 0,
      password_expiration: formatMicros(atUs + change.expires * 86_400_000_000),
      session_id: 1_073_741_824 + rng.int(10_000, 999_999),
      transaction_id: 90_000_000 + minute,
      record_time: formatMicros(atUs),
    };
    const visibleUs = atUs + Math.floor(rng.next() * maxDelayUs);
    if (log === 'sys') sink.add('sys_userlog', orderedValues('sys_userlog', row), atUs, visibleUs);
    else {
      // STL spells the action with a capital: Alter, Create, Drop, Rename.
      const stl = { ...renamed(row, STL_USERLOG_NAMES), action: change.action.charAt(0).toUpperCase() + change.action.slice(1) };
      sink.add('stl_userlog', orderedValues('stl_userlog', stl), atUs, visibleUs);
    }
  }
}
