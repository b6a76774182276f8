import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { assertClusterName } from '../../config/identifiers.js';
import { ConfigError, ConnectionError } from '../../errors.js';
import { quoteIdent } from '../../redshift/slot-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES, type StlViewName } from '../../tables/stl-views.js';
import { ANALYTICS_PROFILE } from './analytics-profile.js';
import { renderBulkScanLoad, runBulkScanLoad } from './bulk-scan-loader.js';
import { ETL_PROFILE } from './etl-profile.js';
import { RowWriter } from './row-writer.js';
import { SeededRandom } from '../seeded-random.js';
import { PENDING_SCHEMA, SIMULATOR_FORMAT_VERSION, SIMULATOR_SCHEMA, simulatorSetupSql } from './stl-schema-sql.js';
import { formatMicros, parseMicros } from './format-micros.js';
import { emitStatementRows } from './stl-rows.js';
import { MINUTE_US, statementsOfMinute } from './workload-generator.js';
import { WORKLOAD_PROFILE_NAMES, type WorkloadProfile, type WorkloadProfileName } from './workload-profile.js';

const PROFILES: Readonly<Record<WorkloadProfileName, WorkloadProfile>> = { analytics: ANALYTICS_PROFILE, etl: ETL_PROFILE };

const DAY_US = 86_400_000_000;

/** Rows held in memory before they are written, during a long advance. */
const FLUSH_EVERY_ROWS = 200_000;

export interface SimulatedClusterOptions {
  /** Our name for the cluster (stored with it; a reopen must use the same). */
  readonly name: string;
  readonly profile: WorkloadProfileName;
  /** Same seed and same clock steps give identical tables. */
  readonly seed: number;
  /** The initial clock (UTC). Ignored when `dataDir` already holds the cluster. */
  readonly start: Date;
  /** PGlite data folder; in memory when absent. A folder that holds a cluster is reopened. */
  readonly dataDir?: string;
  /** Work that already happened before `start`. Default 24. */
  readonly historyHours?: number;
  /** Rows whose completion time is older than this are deleted as the clock moves. Default 7. */
  readonly retentionDays?: number;
  /** Rows become visible between 0 and this many minutes after their completion. Default 10. */
  readonly maxVisibilityDelayMinutes?: number;
}

export interface AdvanceResult {
  /** The cluster clock after the move, as `getdate()` prints it. */
  readonly now: string;
  /** Statements (queries, DDL, utility) generated: those that start in the new interval. */
  readonly statements: number;
  /** Rows that became visible in the views. */
  readonly rowsVisible: number;
  /** Rows waiting to become visible after the move (late, or of work still running). */
  readonly rowsPending: number;
  /** Rows deleted because they passed the retention. */
  readonly rowsDeleted: number;
}

export interface BulkLoadResult {
  readonly scanRows: number;
  readonly queries: number;
  readonly firstQuery: number;
  readonly lastQuery: number;
}

interface ClusterState {
  readonly name: string;
  readonly profile: WorkloadProfileName;
  readonly seed: number;
  readonly clockUs: number;
  readonly retentionDays: number;
  readonly maxVisibilityDelayMinutes: number;
  readonly nextMinute: number;
  readonly nextQuery: number;
  readonly nextXid: number;
}

type Queryable = Pick<Transaction, 'query'>;

const STATE_TABLE = `${quoteIdent(SIMULATOR_SCHEMA)}."state"`;

/**
 * A Redshift cluster as far as its STL views go: PGlite holding the eight views as tables, and a
 * workload that fills them as the simulated clock moves. Everything it needs to go on (clock,
 * generation frontier, id counters, rows not yet visible) lives in the database, so a cluster
 * reopened from its folder continues where it stopped.
 */
export class SimulatedCluster {
  private constructor(
    /** The database; the exporter reaches it in-process or through a wire-protocol server. */
    readonly db: PGlite,
    readonly name: string,
    readonly profile: WorkloadProfileName,
    readonly dataDir: string | undefined,
  ) {}

  /** @internal use createSimulatedCluster / openSimulatedCluster */
  static async create(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
    const settings = validate(options);
    const existing = options.dataDir !== undefined && existsSync(join(options.dataDir, 'PG_VERSION'));
    const db = await openDatabase(options.dataDir, !existing);
    try {
      if (existing && (await hasState(db))) {
        const state = await readState(db);
        for (const [field, stored, given] of [
          ['name', state.name, settings.name],
          ['profile', state.profile, settings.profile],
          ['seed', state.seed, settings.seed],
        ] as const) {
          if (stored !== given) {
            throw new ConfigError(
              `simulator.${field}`,
              `${options.dataDir} holds cluster ${state.name} (${field} ${stored}), not ${given}; use another folder or the same ${field}`,
            );
          }
        }
        return new SimulatedCluster(db, state.name, state.profile, options.dataDir);
      }
      const startUs = options.start.getTime() * 1000;
      const historyStartUs = startUs - Math.round(settings.historyHours * 3_600_000_000);
      const ids = SeededRandom.of(settings.seed, settings.profile, 'ids');
      const state: ClusterState = {
        name: settings.name,
        profile: settings.profile,
        seed: settings.seed,
        clockUs: startUs,
        retentionDays: settings.retentionDays,
        maxVisibilityDelayMinutes: settings.maxVisibilityDelayMinutes,
        nextMinute: Math.floor(historyStartUs / MINUTE_US),
        nextQuery: 1_000_000 + ids.int(0, 999_999),
        nextXid: 20_000_000 + ids.int(0, 9_999_999),
      };
      await db.transaction(async (tx) => {
        for (const statement of simulatorSetupSql()) await tx.query(statement);
        await insertState(tx, state);
        await advanceTo(tx, state, startUs);
      });
      return new SimulatedCluster(db, state.name, state.profile, options.dataDir);
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
      return new SimulatedCluster(db, state.name, state.profile, dataDir);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** The cluster clock, as `SELECT getdate()` returns it: `YYYY-MM-DD HH:MM:SS` (UTC). */
  async now(): Promise<string> {
    const result = await this.db.query<{ now: string }>('SELECT getdate()::text AS now');
    return result.rows[0]!.now;
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
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, not ${count}`);
    if (!Number.isInteger(slotMinutes) || slotMinutes < 1)
      throw new RangeError(`slotMinutes must be a positive integer, not ${slotMinutes}`);
    return this.db.transaction(async (tx) => {
      const state = await readState(tx);
      const slotStartUs = slotStart.getTime() * 1000;
      if (!Number.isFinite(slotStartUs) || slotStartUs + slotMinutes * MINUTE_US > state.clockUs) {
        throw new RangeError(`the slot must end before the cluster clock (${formatMicros(state.clockUs)})`);
      }
      const profile = PROFILES[state.profile];
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

  /** Visible rows per view. */
  async rowCounts(): Promise<Record<StlViewName, number>> {
    const parts = STL_VIEW_NAMES.map((view) => `SELECT '${view}' AS view, count(*)::int AS n FROM public.${quoteIdent(view)}`);
    const result = await this.db.query<{ view: StlViewName; n: number }>(parts.join(' UNION ALL '));
    return Object.fromEntries(result.rows.map((row) => [row.view, row.n])) as Record<StlViewName, number>;
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** A new simulated cluster with `historyHours` of past work, or the one already in `dataDir`. */
export function createSimulatedCluster(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
  return SimulatedCluster.create(options);
}

/** The cluster left in `dataDir` by an earlier run, clock and pending rows as they were. */
export function openSimulatedCluster(dataDir: string): Promise<SimulatedCluster> {
  return SimulatedCluster.reopen(dataDir);
}

interface Settings {
  readonly name: string;
  readonly profile: WorkloadProfileName;
  readonly seed: number;
  readonly historyHours: number;
  readonly retentionDays: number;
  readonly maxVisibilityDelayMinutes: number;
}

function validate(options: SimulatedClusterOptions): Settings {
  const name = assertClusterName(options.name);
  if (!(WORKLOAD_PROFILE_NAMES as readonly string[]).includes(options.profile)) {
    throw new ConfigError('simulator.profile', `must be one of ${WORKLOAD_PROFILE_NAMES.join(', ')}, not ${String(options.profile)}`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new ConfigError('simulator.seed', `must be an integer, not ${options.seed}`);
  if (!(options.start instanceof Date) || Number.isNaN(options.start.getTime()))
    throw new ConfigError('simulator.start', 'must be a valid Date');
  const historyHours = options.historyHours ?? 24;
  const retentionDays = options.retentionDays ?? 7;
  const maxVisibilityDelayMinutes = options.maxVisibilityDelayMinutes ?? 10;
  if (!Number.isFinite(historyHours) || historyHours < 0) throw new ConfigError('simulator.historyHours', 'must be a number >= 0');
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) throw new ConfigError('simulator.retentionDays', 'must be a number > 0');
  if (!Number.isFinite(maxVisibilityDelayMinutes) || maxVisibilityDelayMinutes < 0) {
    throw new ConfigError('simulator.maxVisibilityDelayMinutes', 'must be a number >= 0');
  }
  return { name, profile: options.profile, seed: options.seed, historyHours, retentionDays, maxVisibilityDelayMinutes };
}

/**
 * A freshly initialised data folder, kept once per process: initdb is most of PGlite's start-up
 * time, and loading this copy skips it for every further new cluster (the demo makes two, tests
 * several).
 */
let pristineDataDir: Promise<Blob> | undefined;

async function newDatabase(dataDir: string | undefined): Promise<PGlite> {
  // PGlite makes the folder itself, but not its parents.
  if (dataDir !== undefined) await mkdir(dirname(dataDir), { recursive: true });
  const template = await pristineDataDir?.catch(() => undefined);
  if (template) return PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), loadDataDir: template });
  const db = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  pristineDataDir ??= db.dumpDataDir('none');
  await pristineDataDir.catch(() => undefined);
  return db;
}

async function openDatabase(dataDir: string | undefined, fresh = false): Promise<PGlite> {
  try {
    if (fresh) return await newDatabase(dataDir);
    return dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  } catch (error) {
    throw new ConnectionError(`cannot open the simulated cluster database${dataDir === undefined ? '' : ` in ${dataDir}`}`, {
      cause: error,
      retryable: false,
    });
  }
}

async function hasState(db: Queryable): Promise<boolean> {
  const result = await db.query<{ found: boolean }>(`SELECT to_regclass('${SIMULATOR_SCHEMA}.state') IS NOT NULL AS found`);
  return result.rows[0]?.found === true;
}

async function readState(db: Queryable): Promise<ClusterState> {
  const result = await db.query<Record<string, string>>(
    `SELECT "format_version"::text, "name", "profile", "seed"::text, "clock"::text, "retention_days"::text,
            "max_visibility_delay_minutes"::text, "next_minute"::text, "next_query"::text, "next_xid"::text
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
  return {
    name: row.name!,
    profile: row.profile as WorkloadProfileName,
    seed: Number(row.seed),
    clockUs: parseMicros(row.clock!),
    retentionDays: Number(row.retention_days),
    maxVisibilityDelayMinutes: Number(row.max_visibility_delay_minutes),
    nextMinute: Number(row.next_minute),
    nextQuery: Number(row.next_query),
    nextXid: Number(row.next_xid),
  };
}

async function insertState(tx: Queryable, state: ClusterState): Promise<void> {
  await tx.query(
    `INSERT INTO ${STATE_TABLE} ("format_version", "name", "profile", "seed", "clock", "retention_days", "max_visibility_delay_minutes", "next_minute", "next_query", "next_xid")
     VALUES ($1, $2, $3, $4, $5::timestamp, $6, $7, $8, $9, $10)`,
    [
      SIMULATOR_FORMAT_VERSION,
      state.name,
      state.profile,
      state.seed,
      formatMicros(state.clockUs),
      state.retentionDays,
      state.maxVisibilityDelayMinutes,
      state.nextMinute,
      state.nextQuery,
      state.nextXid,
    ],
  );
}

/**
 * The one way the clock moves. Minutes are generated whole, in order, up to the new clock, so
 * the ids and rows of a minute are the same whatever steps led there; rows of work that has not
 * finished (or not started) yet wait in the pending schema like late rows do.
 */
async function advanceTo(tx: Queryable, state: ClusterState, toUs: number): Promise<AdvanceResult> {
  const profile = PROFILES[state.profile];
  const cutoffUs = toUs - state.retentionDays * DAY_US;
  const writer = new RowWriter(toUs, cutoffUs);
  const settings = { seed: state.seed, maxVisibilityDelayMinutes: state.maxVisibilityDelayMinutes };
  let { nextMinute, nextQuery, nextXid } = state;
  let statements = 0;
  let rowsVisible = 0;
  while (nextMinute * MINUTE_US < toUs) {
    for (const placed of statementsOfMinute(profile, settings, nextMinute)) {
      nextXid += placed.xidStep;
      let query: number | undefined;
      if (placed.spec.kind === 'query') {
        query = nextQuery + placed.queryIdStep - 1;
        nextQuery = query + 1;
      }
      emitStatementRows(profile, { placed, query, xid: nextXid }, writer);
      statements++;
    }
    nextMinute++;
    if (writer.buffered >= FLUSH_EVERY_ROWS) rowsVisible += (await writer.flush(tx)).visible;
  }
  rowsVisible += (await writer.flush(tx)).visible;

  const now = formatMicros(toUs);
  const cutoff = formatMicros(cutoffUs);
  for (const view of STL_VIEW_NAMES) {
    const columns = STL_VIEWS[view].columns.map((column) => quoteIdent(column.name)).join(', ');
    const moved = await tx.query(
      `WITH moved AS (DELETE FROM ${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)} WHERE "visible_at" <= $1::timestamp RETURNING ${columns})
       INSERT INTO public.${quoteIdent(view)} (${columns}) SELECT ${columns} FROM moved`,
      [now],
    );
    rowsVisible += moved.affectedRows ?? 0;
  }
  let rowsDeleted = 0;
  for (const schema of ['public', PENDING_SCHEMA]) {
    for (const statement of retentionSql(schema)) {
      const deleted = await tx.query(statement, [cutoff]);
      if (schema === 'public') rowsDeleted += deleted.affectedRows ?? 0;
    }
  }
  await tx.query(`UPDATE ${STATE_TABLE} SET "clock" = $1::timestamp, "next_minute" = $2, "next_query" = $3, "next_xid" = $4`, [
    now,
    nextMinute,
    nextQuery,
    nextXid,
  ]);
  const pending = await tx.query<{ n: number }>(
    STL_VIEW_NAMES.map((view) => `SELECT count(*)::int AS n FROM ${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)}`).join(' UNION ALL '),
  );
  const rowsPending = pending.rows.reduce((sum, row) => sum + row.n, 0);
  return { now: now.slice(0, 19), statements, rowsVisible, rowsPending, rowsDeleted };
}

/**
 * Retention by completion time: a view's own cursor column, or for views without one the
 * `endtime` of their query. Borrowing views go first, while their queries are still there.
 */
function retentionSql(schema: string): string[] {
  const own: string[] = [];
  const borrowed: string[] = [];
  const table = (view: string): string => `${quoteIdent(schema)}.${quoteIdent(view)}`;
  for (const view of STL_VIEW_NAMES) {
    const cursor = STL_VIEWS[view].cursor;
    if (cursor.kind === 'own') {
      own.push(`DELETE FROM ${table(view)} WHERE ${quoteIdent(cursor.column)} < $1::timestamp`);
    } else {
      const on = cursor.joinOn.map((column) => `q.${quoteIdent(column)} = v.${quoteIdent(column)}`).join(' AND ');
      borrowed.push(`DELETE FROM ${table(view)} v USING ${table('stl_query')} q WHERE ${on} AND q."endtime" < $1::timestamp`);
    }
  }
  return [...borrowed, ...own];
}
