import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { ConfigError, OpslakeError } from '../../errors.js';
import { quoteIdent } from '../../redshift/slot-sql.js';
import { SOURCE_VIEW_NAMES, type SourceViewName } from '../../tables/dialects.js';
import { SeededRandom } from '../seeded-random.js';
import { type AdvanceResult, advanceTo } from './advance-clock.js';
import { renderBulkScanLoad, runBulkScanLoad } from './bulk-scan-loader.js';
import { openDatabase } from './cluster-database.js';
import { type Deployment, simulatedViews } from './deployment.js';
import { type SimulatedClusterOptions, validateSimulatorOptions } from './cluster-settings.js';
import { type ClusterState, hasState, insertState, readState, STATE_TABLE } from './cluster-state.js';
import { formatMicros } from './format-micros.js';
import { simulatorSetupSql } from './stl-schema-sql.js';
import { MINUTE_US } from './workload-generator.js';
import type { WorkloadProfileName } from './workload-profile.js';
import { WORKLOAD_PROFILES } from './workload-profiles.js';

export interface BulkLoadResult {
  readonly scanRows: number;
  readonly queries: number;
  readonly firstQuery: number;
  readonly lastQuery: number;
}

/**
 * A Redshift cluster or Serverless workgroup as far as its system views go: PGlite holding the
 * views of its deployment as tables (STL, or SYS), and a workload that fills them as the
 * simulated clock moves. Everything it needs to go on (clock,
 * generation frontier, id counters, rows not yet visible) lives in the database, so a cluster
 * reopened from its folder continues where it stopped.
 */
export class SimulatedCluster {
  private constructor(
    /** The database; the exporter reaches it in-process or through a wire-protocol server. */
    readonly db: PGlite,
    readonly name: string,
    readonly profile: WorkloadProfileName,
    readonly deployment: Deployment,
    readonly dataDir: string | undefined,
  ) {}

  /** @internal use createSimulatedCluster / openSimulatedCluster */
  static async create(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
    const settings = validateSimulatorOptions(options);
    const existing = options.dataDir !== undefined && existsSync(join(options.dataDir, 'PG_VERSION'));
    const db = await openDatabase(options.dataDir, !existing);
    try {
      if (existing && (await hasState(db))) {
        const state = await readState(db);
        for (const [field, stored, given] of [
          ['name', state.name, settings.name],
          ['profile', state.profile, settings.profile],
          ['deployment', state.deployment, settings.deployment],
          ['seed', state.seed, settings.seed],
        ] as const) {
          if (stored !== given) {
            throw new ConfigError(
              `simulator.${field}`,
              `${options.dataDir} holds cluster ${state.name} (${field} ${stored}), not ${given}; use another folder or the same ${field}`,
            );
          }
        }
        return new SimulatedCluster(db, state.name, state.profile, state.deployment, options.dataDir);
      }
      const startUs = options.start.getTime() * 1000;
      const historyStartUs = startUs - Math.round(settings.historyHours * 3_600_000_000);
      const ids = SeededRandom.of(settings.seed, settings.profile, 'ids');
      const state: ClusterState = {
        name: settings.name,
        profile: settings.profile,
        deployment: settings.deployment,
        seed: settings.seed,
        clockUs: startUs,
        retentionDays: settings.retentionDays,
        maxVisibilityDelayMinutes: settings.maxVisibilityDelayMinutes,
        nextMinute: Math.floor(historyStartUs / MINUTE_US),
        nextQuery: 1_000_000 + ids.int(0, 999_999),
        nextXid: 20_000_000 + ids.int(0, 9_999_999),
        regressionMinute: regressionMinute(startUs, historyStartUs),
      };
      await db.transaction(async (tx) => {
        for (const statement of simulatorSetupSql(state.deployment)) await tx.query(statement);
        await insertState(tx, state);
        await advanceTo(tx, state, startUs);
      });
      return new SimulatedCluster(db, state.name, state.profile, state.deployment, options.dataDir);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** @internal use openSimulatedCluster */
  static async reopen(dataDir: string): Promise<SimulatedCluster> {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      throw new ConfigError('dataDir', `${dataDir} holds no simulated cluster; create one first (opslake demo)`);
    }
    const db = await openDatabase(dataDir);
    try {
      if (!(await hasState(db))) throw new ConfigError('dataDir', `${dataDir} is a PGlite folder without a simulated cluster in it`);
      const state = await readState(db);
      return new SimulatedCluster(db, state.name, state.profile, state.deployment, dataDir);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** The cluster clock, as `SELECT getdate()` returns it: `YYYY-MM-DD HH:MM:SS` (UTC). */
  async now(): Promise<string> {
    const [row] = (await this.db.query<{ now: string }>('SELECT getdate()::text AS now')).rows;
    if (row === undefined) throw new OpslakeError('the simulated cluster did not return its clock (SELECT getdate())');
    return row.now;
  }

  /**
   * Moves the clock `minutes` forward: the work that starts in the new interval is generated,
   * rows whose visibility time has come appear, rows past the retention are deleted. Atomic: a
   * failure leaves the cluster as it was.
   */
  async advance(minutes: number): Promise<AdvanceResult> {
    if (!Number.isFinite(minutes) || minutes < 0)
      throw new RangeError(`advance needs a finite, non-negative number of minutes, not ${minutes}`);
    return this.db.transaction(async (tx) => {
      const state = await readState(tx);
      return advanceTo(tx, state, state.clockUs + Math.round(minutes * MINUTE_US));
    });
  }

  /**
   * Benchmarks: writes `count` stl_scan rows, visible at once, whose queries (also written to
   * stl_query and stl_querytext) start and end inside [slotStart, slotStart + slotMinutes). The
   * slot must lie before the clock. Fast: the rows are generated in SQL.
   */
  async loadScanRows(count: number, slotStart: Date, slotMinutes: number): Promise<BulkLoadResult> {
    if (this.deployment !== 'provisioned') throw new RangeError(`scan rows fill STL views; ${this.name} is ${this.deployment}`);
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, not ${count}`);
    if (!Number.isInteger(slotMinutes) || slotMinutes < 1)
      throw new RangeError(`slotMinutes must be a positive integer, not ${slotMinutes}`);
    return this.db.transaction(async (tx) => {
      const state = await readState(tx);
      const slotStartUs = slotStart.getTime() * 1000;
      if (!Number.isFinite(slotStartUs) || slotStartUs + slotMinutes * MINUTE_US > state.clockUs) {
        throw new RangeError(`the slot must end before the cluster clock (${formatMicros(state.clockUs)})`);
      }
      const profile = WORKLOAD_PROFILES[state.profile];
      const load = renderBulkScanLoad(profile, {
        count,
        slotStart: formatMicros(slotStartUs),
        slotMinutes,
        firstQuery: state.nextQuery,
        firstXid: state.nextXid,
        slices: profile.slices,
      });
      await runBulkScanLoad(tx, load);
      await tx.query(`UPDATE ${STATE_TABLE} SET "next_query" = $1, "next_xid" = $2`, [
        state.nextQuery + load.queries,
        state.nextXid + load.queries,
      ]);
      return { scanRows: count, queries: load.queries, firstQuery: state.nextQuery, lastQuery: state.nextQuery + load.queries - 1 };
    });
  }

  /** Visible rows per view: 0 for the views its deployment does not have. */
  async rowCounts(): Promise<Record<SourceViewName, number>> {
    const parts = simulatedViews(this.deployment).map(
      (view) => `SELECT '${view}' AS view, count(*)::int AS n FROM public.${quoteIdent(view)}`,
    );
    const result = await this.db.query<{ view: SourceViewName; n: number }>(parts.join(' UNION ALL '));
    const counts = Object.fromEntries(SOURCE_VIEW_NAMES.map((view) => [view, 0])) as Record<SourceViewName, number>;
    for (const row of result.rows) counts[row.view] = row.n;
    return counts;
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/**
 * Where the planted regression starts: the last third of the history the cluster was created
 * with, on the hour (at the creation time when there is no history), so that a comparison of
 * the recent runs of a statement with the earlier ones finds it.
 */
export function regressionMinute(startUs: number, historyStartUs: number): number {
  const hourUs = 60 * MINUTE_US;
  return Math.floor((startUs - (startUs - historyStartUs) / 3) / hourUs) * 60;
}

/** A new simulated cluster with `historyHours` of past work, or the one already in `dataDir`. */
export function createSimulatedCluster(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
  return SimulatedCluster.create(options);
}

/** The cluster left in `dataDir` by an earlier run, clock and pending rows as they were. */
export function openSimulatedCluster(dataDir: string): Promise<SimulatedCluster> {
  return SimulatedCluster.reopen(dataDir);
}
