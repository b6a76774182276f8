import type { ClusterConfig } from '../config/opslake-config.js';
import { OpslakeError, SqlStatementError } from '../errors.js';
import type { SqlRunner } from '../ports/sql-runner.js';
import type { SourceDialect, StateStore } from '../ports/state-store.js';
import { DIALECTS, type DialectName } from '../tables/dialects.js';
import { renderDialectProbe } from './slot-sql.js';

/** Which system views a source is read through, and why. */
export interface ResolvedDialect {
  readonly dialect: DialectName;
  /** `configured`: views stl or sys; `serverless`: auto on a workgroup; `detected`: auto on a provisioned cluster, probed. */
  readonly basis: 'configured' | 'serverless' | 'detected';
  /** Why, in a sentence a person can act on. */
  readonly reason: string;
  /** When the probe ran (detected only). */
  readonly detectedAt?: Date;
}

/**
 * What the configuration alone decides, or null when only a probe can tell (`views: auto` on a
 * provisioned cluster: STL where it can be read, SYS where it cannot, as on Multi-AZ clusters).
 */
export function configuredDialect(cluster: Pick<ClusterConfig, 'kind' | 'views'>): ResolvedDialect | null {
  if (cluster.views !== 'auto') {
    return { dialect: cluster.views, basis: 'configured', reason: `views: ${cluster.views} in the configuration` };
  }
  if (cluster.kind === 'serverless')
    return { dialect: 'sys', basis: 'serverless', reason: 'a Serverless workgroup has only the SYS views' };
  return null;
}

/**
 * What is known without reading the source: its configuration, or what an earlier run recorded
 * (null: a provisioned cluster on auto that no run has probed yet).
 */
export function knownDialect(cluster: Pick<ClusterConfig, 'kind' | 'views'>, recorded: SourceDialect | undefined): ResolvedDialect | null {
  return configuredDialect(cluster) ?? (recorded ? recordedDialect(recorded) : null);
}

export function recordedDialect(recorded: SourceDialect): ResolvedDialect {
  return { dialect: recorded.dialect, basis: 'detected', reason: recorded.reason, detectedAt: recorded.detectedAt };
}

/**
 * The dialect of a source: from its configuration, else as recorded by an earlier run, else
 * probed now and recorded (unless `record` is false: a dry run writes nothing). The probe runs
 * once per source; a probe that fails for any other reason than the views being refused (a lost
 * connection, throttling) records nothing and fails the run, so the next one probes again.
 */
export async function resolveDialect(
  cluster: ClusterConfig,
  deps: { readonly runner: SqlRunner; readonly state: StateStore },
  options: { readonly now: Date; readonly record: boolean },
): Promise<ResolvedDialect> {
  const configured = configuredDialect(cluster);
  if (configured) return configured;
  const recorded = await deps.state.getSourceDialect(cluster.name);
  if (recorded) return recordedDialect(recorded);
  const probed = await probeDialect(deps.runner, cluster.name);
  const found: SourceDialect = { cluster: cluster.name, ...probed, detectedAt: options.now };
  return recordedDialect(options.record ? await deps.state.recordSourceDialect(found) : found);
}

/** A database's word that a relation cannot be read by this user here, as opposed to a fault worth a retry. */
const REFUSED = /permission denied|does not exist|not supported|not allowed|cannot be queried/i;

/**
 * Reads one row of `stl_query`; where that is refused (a Multi-AZ cluster, Serverless), reads one
 * row of `sys_query_history` instead. Both are cheap on any cluster.
 */
export async function probeDialect(runner: SqlRunner, clusterName: string): Promise<{ dialect: DialectName; reason: string }> {
  const stl = DIALECTS.stl.statements.view;
  const sys = DIALECTS.sys.statements.view;
  const stlRefusal = await refusal(runner, 'stl');
  if (stlRefusal === null) return { dialect: 'stl', reason: `${stl} can be read` };
  const sysRefusal = await refusal(runner, 'sys');
  if (sysRefusal === null) {
    return { dialect: 'sys', reason: `${stl} is refused (${stlRefusal}), as on a Multi-AZ cluster; ${sys} can be read` };
  }
  throw new OpslakeError(
    `${clusterName} lets its export user read neither ${stl} (${stlRefusal}) nor ${sys} (${sysRefusal}); ` +
      'check that the user exists and may read the system views (README: let the database user read every row)',
  );
}

/** Null when the dialect's statement view can be read, else the database's reason (sanitised, short). */
async function refusal(runner: SqlRunner, dialect: DialectName): Promise<string | null> {
  try {
    for await (const _page of runner.pages({ text: renderDialectProbe(dialect), parameters: {} })) {
      // One row at most; reading it through is all the probe needs.
    }
    return null;
  } catch (error) {
    if (!(error instanceof SqlStatementError) || error.retryable) throw error;
    const said = error.databaseMessage ?? error.message;
    if (!REFUSED.test(said)) throw error;
    return printable(said);
  }
}

/** One line of at most 200 printable characters: it is stored in the state and shown by `opslake status`. */
function printable(text: string): string {
  let flat = '';
  for (const character of text) flat += character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f ? ' ' : character;
  flat = flat
    .replace(/\s+/g, ' ')
    .replace(/^ERROR:\s*/i, '')
    .trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
