import type { Transaction } from '@electric-sql/pglite';
import { ConfigError } from '../../errors.js';
import { quoteIdent } from '../../redshift/slot-sql.js';
import { DEPLOYMENTS, type Deployment } from './deployment.js';
import { formatMicros, parseMicros } from './format-micros.js';
import { SIMULATOR_FORMAT_VERSION, SIMULATOR_SCHEMA } from './stl-schema-sql.js';
import type { WorkloadProfileName } from './workload-profile.js';

/**
 * Everything a cluster needs to go on, kept in one row of its own database: a cluster reopened
 * from its folder continues from there (clock, generation frontier, id counters).
 */
export interface ClusterState {
  readonly name: string;
  readonly profile: WorkloadProfileName;
  readonly deployment: Deployment;
  readonly seed: number;
  readonly clockUs: number;
  readonly retentionDays: number;
  readonly maxVisibilityDelayMinutes: number;
  readonly nextMinute: number;
  readonly nextQuery: number;
  readonly nextXid: number;
  /** From this minute on, the planted regression is in force (MinuteContext.regressed). */
  readonly regressionMinute: number;
}

export type Queryable = Pick<Transaction, 'query'>;

export const STATE_TABLE = `${quoteIdent(SIMULATOR_SCHEMA)}."state"`;

export async function hasState(db: Queryable): Promise<boolean> {
  const result = await db.query<{ found: boolean }>(`SELECT to_regclass('${SIMULATOR_SCHEMA}.state') IS NOT NULL AS found`);
  return result.rows[0]?.found === true;
}

export async function readState(db: Queryable): Promise<ClusterState> {
  const result = await db.query<Record<string, string | null>>(
    `SELECT "format_version"::text, "name", "profile", "deployment", "seed"::text, "clock"::text, "retention_days"::text,
            "max_visibility_delay_minutes"::text, "next_minute"::text, "next_query"::text, "next_xid"::text,
            "regression_minute"::text
     FROM ${STATE_TABLE}`,
  );
  const row = result.rows[0];
  if (!row) throw new ConfigError('dataDir', 'the simulated cluster has lost its state row');
  if (Number(row.format_version) !== SIMULATOR_FORMAT_VERSION) {
    throw new ConfigError(
      'dataDir',
      `the simulated cluster was made by another version (format ${row.format_version}); run opslake demo again`,
    );
  }
  const text = (column: string): string => {
    const value = row[column];
    if (typeof value !== 'string') throw new ConfigError('dataDir', `the simulated cluster's state row has no ${column}`);
    return value;
  };
  const deployment = text('deployment');
  if (!(DEPLOYMENTS as readonly string[]).includes(deployment)) {
    throw new ConfigError('dataDir', `the simulated cluster's deployment ${JSON.stringify(deployment)} is not one this version knows`);
  }
  return {
    name: text('name'),
    profile: row.profile as WorkloadProfileName,
    deployment: deployment as Deployment,
    seed: Number(row.seed),
    clockUs: parseMicros(text('clock')),
    retentionDays: Number(row.retention_days),
    maxVisibilityDelayMinutes: Number(row.max_visibility_delay_minutes),
    nextMinute: Number(row.next_minute),
    nextQuery: Number(row.next_query),
    nextXid: Number(row.next_xid),
    regressionMinute: Number(row.regression_minute),
  };
}

export async function insertState(tx: Queryable, state: ClusterState): Promise<void> {
  await tx.query(
    `INSERT INTO ${STATE_TABLE} ("format_version", "name", "profile", "deployment", "seed", "clock", "retention_days",
                                 "max_visibility_delay_minutes", "next_minute", "next_query", "next_xid",
                                 "regression_minute")
     VALUES ($1, $2, $3, $4, $5, $6::timestamp, $7, $8, $9, $10, $11, $12)`,
    [
      SIMULATOR_FORMAT_VERSION,
      state.name,
      state.profile,
      state.deployment,
      state.seed,
      formatMicros(state.clockUs),
      state.retentionDays,
      state.maxVisibilityDelayMinutes,
      state.nextMinute,
      state.nextQuery,
      state.nextXid,
      state.regressionMinute,
    ],
  );
}
