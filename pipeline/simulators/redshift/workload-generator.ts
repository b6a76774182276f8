import { officeLoad } from './profile-helpers.js';
import { SeededRandom } from '../seeded-random.js';
import type { MinuteContext, StatementSpec, WorkloadProfile } from './workload-profile.js';

/**
 * Places the statements that start in one simulated minute: start, queue and run times, abort,
 * concurrency scaling, session pid, visibility delay. Everything comes from a generator seeded by
 * (seed, profile, minute), so a minute's work does not depend on how the clock reached it. Ids
 * are not given here: the cluster numbers statements in generation order.
 */

export const MINUTE_US = 60_000_000;

export interface PlacedStatement {
  readonly spec: StatementSpec;
  /** Microseconds since the epoch (UTC). */
  readonly startUs: number;
  /** Waiting in the WLM queue (queries only). */
  readonly queueUs: number;
  /** Running, until completion or abort. */
  readonly execUs: number;
  /** What the run would have taken had it not been aborted (scans are laid out on it). */
  readonly plannedExecUs: number;
  readonly endUs: number;
  /**
   * Time spent returning rows to a slow client after the run ended (SYS shows the statement as
   * `returning`, its end time already set); absent for nearly every statement.
   */
  readonly returnUs?: number;
  readonly aborted: boolean;
  readonly concurrencyScaling: boolean;
  readonly pid: number;
  /** Rows appear this long after their completion time. */
  readonly visibilityDelayUs: number;
  /** Added to the id counters before this statement is numbered (ids are not dense on Redshift). */
  readonly queryIdStep: number;
  readonly xidStep: number;
}

export interface GeneratorSettings {
  readonly seed: number;
  readonly maxVisibilityDelayMinutes: number;
  /** First minute of the planted regression; none when absent. */
  readonly regressionMinute?: number;
}

/** Redshift backend pids sit above 2^30. */
const PID_BASE = 1_073_741_824;

export function minuteContext(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): MinuteContext {
  const minuteStartMs = minute * 60_000;
  const date = new Date(minuteStartMs);
  return {
    rng: SeededRandom.of(settings.seed, profile.name, 'minute', minute),
    minuteStartMs,
    hour: date.getUTCHours(),
    minuteOfHour: date.getUTCMinutes(),
    weekday: date.getUTCDay(),
    regressed: minute >= (settings.regressionMinute ?? Number.POSITIVE_INFINITY),
  };
}

/** Every statement that starts in `minute` (epoch minutes), ordered by start time. */
export function statementsOfMinute(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): PlacedStatement[] {
  const context = minuteContext(profile, settings, minute);
  const arrivals = profile.arrivals(context);
  // Placement draws from its own generator so that adding a template to a profile does not
  // shift every timing after it.
  const rng = SeededRandom.of(settings.seed, profile.name, 'placement', minute);
  const load = officeLoad(context);
  const maxDelayUs = settings.maxVisibilityDelayMinutes * MINUTE_US;
  const placed: PlacedStatement[] = [];
  for (const arrival of arrivals) {
    let cursorUs = context.minuteStartMs * 1000 + Math.round(arrival.offsetMs * 1000) + rng.int(0, 999);
    for (const spec of arrival.statements) {
      const statement = place(spec, cursorUs, rng, load, profile, settings.seed, maxDelayUs);
      placed.push(statement);
      // The next statement of a job starts once this one is done, after the client's pause.
      cursorUs = statement.endUs + rng.int(300, 250_000);
    }
  }
  return placed.sort((a, b) => a.startUs - b.startUs);
}

function place(
  spec: StatementSpec,
  startUs: number,
  rng: SeededRandom,
  load: number,
  profile: WorkloadProfile,
  seed: number,
  maxDelayUs: number,
): PlacedStatement {
  const isQuery = spec.kind === 'query';
  const plannedExecUs = Math.max(150, Math.round(rng.logNormal(spec.medianMs, spec.sigma ?? 0.5) * 1000));
  const aborted = isQuery && rng.chance(spec.abortRate ?? 0);
  const execUs = aborted ? Math.max(100, Math.round(plannedExecUs * (0.05 + 0.85 * rng.next()))) : plannedExecUs;
  const queueUs = isQuery ? queueWait(spec, rng, load, profile) : 0;
  const concurrencyScaling = isQuery && !aborted && rng.chance((spec.scalingRate ?? 0) * load * load);
  const session = spec.session ?? `${spec.user.name}-${Math.floor(startUs / 1_800_000_000)}`;
  const pid = PID_BASE + SeededRandom.of(seed, profile.name, 'pid', session).int(10_000, 999_999);
  return {
    spec,
    startUs,
    queueUs,
    execUs,
    plannedExecUs,
    endUs: startUs + queueUs + execUs,
    aborted,
    concurrencyScaling,
    pid,
    visibilityDelayUs: Math.floor(rng.next() * maxDelayUs),
    queryIdStep: isQuery
      ? rng.weighted([
          [8, 1],
          [2, 2],
          [1, 3],
        ])
      : 0,
    xidStep: rng.weighted([
      [6, 1],
      [3, 2],
      [1, 4],
    ]),
  };
}

/** Short-query and superuser queues hardly wait; user queues wait more when the cluster is busy. */
function queueWait(spec: StatementSpec, rng: SeededRandom, load: number, profile: WorkloadProfile): number {
  const serviceClass = spec.queue?.serviceClass ?? 0;
  if (serviceClass === 5) return rng.int(5, 400);
  if (serviceClass === 14 || serviceClass === 15) return Math.round(rng.logNormal(3, 0.8) * 1000);
  if (rng.chance(0.55)) return rng.int(20, 3_000);
  return Math.round(rng.logNormal(Math.max(5, profile.peakQueueMs * load), 1.1) * 1000);
}
