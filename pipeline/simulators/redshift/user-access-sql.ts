import { SIMULATOR_SCHEMA } from './stl-schema-sql.js';

/**
 * What the export user of a simulated cluster may see, as Redshift tells it: `svv_user_info`
 * (superuser, syslog_access) and `svv_user_grants` (roles), each showing the current user its own
 * row, backed by one settings row. A new cluster's user is a superuser, as PGlite's is; a test
 * makes it a regular user with `exportUserSql` to prove the export notices. The rows themselves
 * stay visible: the simulation is of what the user is told, which is what the export checks.
 */

/** A function, not a constant: this module and stl-schema-sql.ts import each other. */
function userTable(): string {
  return `"${SIMULATOR_SCHEMA}"."export_user"`;
}

export function userAccessSql(): string[] {
  const USER_TABLE = userTable();
  return [
    `CREATE TABLE ${USER_TABLE} (
  "singleton" boolean PRIMARY KEY DEFAULT true CHECK ("singleton"),
  "superuser" boolean NOT NULL,
  "syslog_access" text NOT NULL,
  "roles" text[] NOT NULL
)`,
    `INSERT INTO ${USER_TABLE} ("superuser", "syslog_access", "roles") VALUES (true, 'RESTRICTED', '{}')`,
    `CREATE VIEW public."svv_user_info" AS
SELECT CAST(current_user AS text) AS "user_name", 100 AS "user_id", false AS "createdb", u."superuser",
  false AS "catalog_update", 'UNLIMITED' AS "connection_limit", u."syslog_access"
FROM ${USER_TABLE} u`,
    `CREATE VIEW public."svv_user_grants" AS
SELECT 100 AS "user_id", CAST(current_user AS text) AS "user_name", 0 AS "role_id", r."role_name", false AS "admin_option"
FROM ${USER_TABLE} u CROSS JOIN unnest(u."roles") AS r("role_name")`,
  ];
}

/** What the simulated export user is: a superuser, or a regular user with SYSLOG ACCESS and roles. */
export interface SimulatedExportUser {
  readonly superuser: boolean;
  readonly syslogAccess?: 'RESTRICTED' | 'UNRESTRICTED';
  readonly roles?: readonly string[];
}

/** The statement that makes the simulated export user what `user` says. */
export function exportUserSql(user: SimulatedExportUser): string {
  const roles = user.roles ?? [];
  for (const role of roles) if (!/^[a-z:]+$/.test(role)) throw new RangeError(`not a role name: ${role}`);
  const syslog = user.syslogAccess ?? 'RESTRICTED';
  return `UPDATE ${userTable()} SET "superuser" = ${user.superuser}, "syslog_access" = '${syslog}', "roles" = '{${roles.join(',')}}'`;
}
