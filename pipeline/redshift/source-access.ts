import { SqlStatementError } from '../errors.js';
import type { SqlRunner } from '../ports/sql-runner.js';
import type { SourceAccess } from '../ports/state-store.js';

/**
 * What the export user of a source may see of the system views. A regular user sees only the
 * rows of its own statements in the views open to all users, and nothing of the superuser-only
 * ones, unless it has `SYSLOG ACCESS UNRESTRICTED` or a role such as `sys:monitor`: without
 * them an export would silently hold a fraction of the rows. One cheap statement per run tells
 * (`svv_user_info` and `svv_user_grants` show every user its own row), the outcome is recorded
 * in the state store and said by `opslake export` and `opslake status`.
 */

/** Redshift's predefined roles that let a user read every row of the system views. */
export const MONITOR_ROLES = ['sys:monitor', 'sys:operator', 'sys:dba', 'sys:superuser'] as const;

/** Views only a superuser (or a user granted SELECT on them) can read; UNRESTRICTED does not open them. */
export const SUPERUSER_ONLY_VIEWS: readonly string[] = [
  'stl_connection_log',
  'stl_userlog',
  'sys_connection_log',
  'sys_userlog',
  'sys_serverless_usage',
];

export const ACCESS_PROBE_SQL = [
  'SELECT CAST(current_user AS varchar) AS "user_name", u."superuser" AS "superuser", u."syslog_access" AS "syslog_access",',
  '  (SELECT count(*) FROM svv_user_grants g',
  `   WHERE g."user_name" = current_user AND g."role_name" IN (${MONITOR_ROLES.map((role) => `'${role}'`).join(', ')})) AS "monitor_roles"`,
  'FROM svv_user_info u',
  'WHERE u."user_name" = current_user',
].join('\n');

/**
 * Runs the probe. A probe the source refuses (an older release without these views) is an
 * `unknown` outcome, not a failed export; a connection or throttling failure is the caller's.
 */
export async function checkSourceAccess(runner: SqlRunner, cluster: string, now: Date): Promise<SourceAccess> {
  let row: Readonly<Record<string, unknown>> | undefined;
  try {
    for await (const page of runner.pages({ text: ACCESS_PROBE_SQL, parameters: {} })) row ??= page[0];
  } catch (error) {
    if (!(error instanceof SqlStatementError) || error.retryable) throw error;
    const said = printable(error.databaseMessage ?? error.message);
    return { cluster, level: 'unknown', user: '', reason: `svv_user_info could not be read (${said})`, checkedAt: now };
  }
  if (row === undefined) {
    return { cluster, level: 'unknown', user: '', reason: 'svv_user_info has no row for the current user', checkedAt: now };
  }
  const user = printable(String(row.user_name ?? ''));
  if (row.superuser === true) return { cluster, level: 'superuser', user, reason: `${user} is a superuser`, checkedAt: now };
  const roles = Number(row.monitor_roles ?? 0);
  if (roles > 0)
    return { cluster, level: 'unrestricted', user, reason: `${user} has a role of ${MONITOR_ROLES.join(', ')}`, checkedAt: now };
  if (
    String(row.syslog_access ?? '')
      .trim()
      .toUpperCase() === 'UNRESTRICTED'
  ) {
    return { cluster, level: 'unrestricted', user, reason: `${user} has SYSLOG ACCESS UNRESTRICTED`, checkedAt: now };
  }
  const reason = `${user} is not a superuser, has SYSLOG ACCESS RESTRICTED and no role of ${MONITOR_ROLES.join(', ')}`;
  return { cluster, level: 'own-rows', user, reason, checkedAt: now };
}

/**
 * The warning for a source whose user cannot see every row it is asked to export, naming the
 * grant it needs; null when it can. `tables` are those the source exports.
 */
export function accessWarning(access: SourceAccess, tables: readonly string[]): string | null {
  const user = sqlUser(access.user);
  const superuserOnly = tables.filter((table) => SUPERUSER_ONLY_VIEWS.includes(table));
  const grantSelect = superuserOnly.length > 0 ? `; ${superuserOnly.join(', ')} need a superuser or GRANT SELECT ON <view> TO ${user}` : '';
  switch (access.level) {
    case 'superuser':
      return null;
    case 'unrestricted':
      return superuserOnly.length > 0 ? `${access.cluster}: ${access.reason}${grantSelect}` : null;
    case 'own-rows':
      return (
        `${access.cluster}: the export sees only ${access.user}'s own statements (${access.reason}), a fraction of the rows; ` +
        `grant ALTER USER ${user} SYSLOG ACCESS UNRESTRICTED; or GRANT ROLE sys:monitor TO ${user};${grantSelect}`
      );
    case 'unknown':
      return (
        `${access.cluster}: could not tell whether the export user sees every row (${access.reason}); ` +
        'make sure it is a superuser, has SYSLOG ACCESS UNRESTRICTED or the role sys:monitor'
      );
  }
}

/** A user name as SQL would need it in a grant: quoted unless it is a plain lower-case name. */
function sqlUser(user: string): string {
  if (user === '') return '<user>';
  return /^[a-z_][a-z0-9_$]*$/.test(user) ? user : `"${user.replaceAll('"', '""')}"`;
}

/** One line of at most 200 printable characters: it is stored in the state and shown by `opslake status`. */
function printable(text: string): string {
  let flat = '';
  for (const character of text) flat += character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f ? ' ' : character;
  flat = flat.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
