import type { LakeValue } from '../../../pipeline/lake/parquet-writer.js';

/** What the small lake holds that tests look for: its partitions and the rows chosen to answer each question. */
export const SMALL_LAKE = {
  clusters: ['alpha', 'beta'],
  /** A Serverless workgroup, read through its SYS views. */
  workgroup: 'gamma',
  days: ['2024-03-04', '2024-03-05'],
  account: '012345678901',
  region: 'eu-west-1',
  /** The query with a nested-loop join (plan node and alert). */
  nestedLoop: { cluster: 'alpha', query: 1_003 },
  /** The slowest statement: 600 s on beta. */
  slowest: { cluster: 'beta', query: 2_004, text: 'SELECT s.* FROM sales s JOIN listing l ON s.listid = l.listid WHERE s.qtysold > 4' },
  aborted: { cluster: 'beta', query: 2_005 },
  /** MB spilled: by the slowest statement on beta (STL) and by a count of sales on the workgroup (SYS). */
  spill: { stlBlocks: 2_048, sysBlocks: 320 },
  /** A COPY on alpha with two records in error; the workgroup's COPY has one. */
  copy: { cluster: 'alpha', query: 1_600, table: 'staging.orders', errors: 2 },
  /** Hosts that failed to log in: one on alpha (STL), one on the workgroup (SYS). */
  failedLogins: { stl: { host: '203.0.113.45', user: 'admin', failures: 3 }, sys: { host: '198.51.100.23' } },
  /** Named in "Tables missing statistics" of the plan, and by a missing-statistics alert on a scan of venue. */
  missingStatistics: ['event', 'sales', 'venue'],
  ddl: 'CREATE TABLE public.sales_copy (id integer, amount double precision)',
  consoleWithoutMfa: { user: 'arn:aws:iam::012345678901:user/mallory', ip: '203.0.113.7' },
  rootEventName: 'DeleteTrail',
  deniedPrincipal: 'arn:aws:iam::012345678901:user/probe',
  redshiftChange: { eventName: 'ModifyCluster', cluster: 'alpha' },
  duplicateEventId: 'dup-0000-0000-0000-000000000001',
  /** What the digests of the small lake's trail found: a file missing from the lake, one changed. */
  completeness: {
    missing: 'AWSLogs/012345678901/CloudTrail/eu-west-1/2024/03/05/012345678901_CloudTrail_eu-west-1_20240305T0225Z_lost.json.gz',
    changed: 'AWSLogs/012345678901/CloudTrail/eu-west-1/2024/03/05/012345678901_CloudTrail_eu-west-1_20240305T0240Z_edit.json.gz',
  },
} as const;

export type Row = Record<string, LakeValue>;

export function ts(day: string, hour: number, minute = 0, second = 0): string {
  return `${day} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
}

export function plusSeconds(timestamp: string, seconds: number): string {
  return new Date(Date.parse(`${timestamp.replace(' ', 'T')}Z`) + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
