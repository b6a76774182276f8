import { describe, expect, it } from 'vitest';
import { SqlStatementError } from '../../../pipeline/errors.js';
import type { SqlRow, SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { SourceAccess } from '../../../pipeline/ports/state-store.js';
import { accessWarning, checkSourceAccess } from '../../../pipeline/redshift/source-access.js';

const NOW = new Date('2026-11-20T12:00:00Z');

function answering(row: SqlRow | Error): SqlRunner {
  return {
    async *pages() {
      if (row instanceof Error) throw row;
      yield [row];
    },
    close: async () => undefined,
  };
}

describe('checkSourceAccess', () => {
  it.each([
    { row: { user_name: 'admin', superuser: true, syslog_access: 'RESTRICTED', monitor_roles: 0 }, level: 'superuser' },
    { row: { user_name: 'opslake', superuser: false, syslog_access: 'UNRESTRICTED', monitor_roles: 0 }, level: 'unrestricted' },
    { row: { user_name: 'IAMR:export', superuser: false, syslog_access: 'RESTRICTED', monitor_roles: 1 }, level: 'unrestricted' },
    { row: { user_name: 'opslake', superuser: false, syslog_access: 'RESTRICTED', monitor_roles: 0 }, level: 'own-rows' },
  ])('finds $level from $row', async ({ row, level }) => {
    await expect(checkSourceAccess(answering(row), 'prod', NOW)).resolves.toMatchObject({ cluster: 'prod', level, user: row.user_name });
  });

  it('is unknown, not a failed export, where the views are refused; a retryable failure is the caller’s', async () => {
    const refused = new SqlStatementError('failed', { databaseMessage: 'relation "svv_user_info" does not exist' });
    await expect(checkSourceAccess(answering(refused), 'prod', NOW)).resolves.toMatchObject({
      level: 'unknown',
      reason: 'svv_user_info could not be read (relation "svv_user_info" does not exist)',
    });
    const throttled = new SqlStatementError('aborted', { retryable: true });
    await expect(checkSourceAccess(answering(throttled), 'prod', NOW)).rejects.toBe(throttled);
  });
});

describe('accessWarning', () => {
  const base: SourceAccess = { cluster: 'prod', level: 'own-rows', user: 'IAMR:export', reason: 'restricted', checkedAt: NOW };

  it('names both grants for a user that sees only its own rows, with the user quoted as SQL needs', () => {
    expect(accessWarning(base, ['sys_query_history'])).toBe(
      "prod: the export sees only IAMR:export's own statements (restricted), a fraction of the rows; " +
        'grant ALTER USER "IAMR:export" SYSLOG ACCESS UNRESTRICTED; or GRANT ROLE sys:monitor TO "IAMR:export";',
    );
  });

  it('asks for GRANT SELECT on superuser-only views an unrestricted user exports, and says nothing otherwise', () => {
    const unrestricted = { ...base, level: 'unrestricted' as const, user: 'opslake', reason: 'opslake has SYSLOG ACCESS UNRESTRICTED' };
    expect(accessWarning(unrestricted, ['sys_query_history'])).toBeNull();
    expect(accessWarning(unrestricted, ['sys_query_history', 'sys_userlog'])).toMatch(
      /sys_userlog need a superuser or GRANT SELECT ON <view> TO opslake/,
    );
    expect(accessWarning({ ...base, level: 'superuser' }, ['sys_userlog'])).toBeNull();
  });
});
