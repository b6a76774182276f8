import { SeededRandom } from '../seeded-random.js';
import { dayLiteral, scan } from './profile-helpers.js';
import { type GeneratorSettings, MINUTE_US, type PlacedStatement } from './workload-generator.js';
import type { SimTable, SimUser, StatementSpec, WorkloadProfile } from './workload-profile.js';

/**
 * Work that SYS sources run on top of their profile, at fixed times so that tests and the demo
 * can count on it:
 * - every three hours at :25, a rebuild that runs for 70 to 130 minutes: it starts in one slot and
 *   ends after that slot has been sealed;
 * - every four hours at :50, a notebook that reads a large result slowly: the statement has
 *   finished running within a minute (its end time is set) but stays `returning` for 28 to 40
 *   minutes, past the end of its slot plus the lateness;
 * - every hour at :40 a COPY that tolerates a few bad records, every two hours at :55 an UNLOAD.
 * Each draws from its own generator, so the profile's own statements are the same as on STL.
 */

const PID_BASE = 1_073_741_824;

export function sysExtraStatements(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): PlacedStatement[] {
  const extras: PlacedStatement[] = [];
  if (minute % 180 === 25) extras.push(longRebuild(profile, settings, minute));
  if (minute % 240 === 170) extras.push(slowNotebook(profile, settings, minute));
  if (minute % 60 === 40) extras.push(landingCopy(profile, settings, minute));
  if (minute % 120 === 55) extras.push(exportUnload(profile, settings, minute));
  return extras;
}

const IAM_ROLE = 'arn:aws:iam::123456789012:role/redshift-landing';

/** The smallest permanent table of the profile: what the landing zone feeds. */
function smallTable(profile: WorkloadProfile): SimTable | undefined {
  return bigTables(profile).at(-1);
}

function landingCopy(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): PlacedStatement {
  const rng = SeededRandom.of(settings.seed, profile.name, 'landing-copy', minute);
  const table = smallTable(profile);
  const name = table?.name ?? 'events';
  const hour = new Date(minute * 60_000).toISOString().slice(0, 13).replace(/[-T]/g, '/');
  const spec: StatementSpec = {
    kind: 'query',
    user: profile.users.find((user) => user.name.endsWith('_svc') || user.name.startsWith('etl')) ?? person(profile),
    label: 'landing',
    text: `COPY staging.${name}_raw
FROM 's3://acme-landing/${name}/${hour}/'
IAM_ROLE '${IAM_ROLE}'
FORMAT AS JSON 'auto'
GZIP
MAXERROR 5`,
    medianMs: 20_000,
    queue: profile.queues[0],
    scans: table ? [scan(table, `${name}_raw`, { type: 21, fraction: 0.05 })] : [],
  };
  return place(spec, settings, rng, minute, rng.int(5, 40) * 1_000_000);
}

function exportUnload(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): PlacedStatement {
  const rng = SeededRandom.of(settings.seed, profile.name, 'export-unload', minute);
  const table = bigTables(profile)[1];
  const name = table?.name ?? 'customers';
  const spec: StatementSpec = {
    kind: 'query',
    user: person(profile),
    label: 'export',
    text: `UNLOAD ('SELECT * FROM public.${name} WHERE updated_at >= \\'${dayLiteral(minute * 60_000, 1)}\\'')
TO 's3://acme-exports/${name}/${dayLiteral(minute * 60_000)}/'
IAM_ROLE '${IAM_ROLE}'
FORMAT AS PARQUET`,
    medianMs: 30_000,
    queue: profile.queues[0],
    scans: table ? [scan(table, 't', { selectivity: 0.05 })] : [],
  };
  return place(spec, settings, rng, minute, rng.int(10, 90) * 1_000_000);
}

/** The widest permanent tables of the profile, largest first. */
function bigTables(profile: WorkloadProfile): SimTable[] {
  return profile.tables.filter((table) => !table.external).sort((a, b) => b.rowsPerSlice * b.width - a.rowsPerSlice * a.width);
}

function person(profile: WorkloadProfile): SimUser {
  const people = profile.users.filter((user) => user.userid > 100 && !user.name.endsWith('_svc'));
  return people[0] ?? profile.users[profile.users.length - 1] ?? { userid: 100, name: 'admin' };
}

function place(
  spec: StatementSpec,
  settings: GeneratorSettings,
  rng: SeededRandom,
  minute: number,
  execUs: number,
  returnUs?: number,
): PlacedStatement {
  const startUs = minute * MINUTE_US + rng.int(0, 30_000_000);
  const queueUs = rng.int(200, 900_000);
  const endUs = startUs + queueUs + execUs;
  return {
    spec,
    startUs,
    queueUs,
    execUs,
    plannedExecUs: execUs,
    endUs,
    ...(returnUs === undefined ? {} : { returnUs }),
    aborted: false,
    concurrencyScaling: false,
    pid: PID_BASE + rng.int(10_000, 999_999),
    visibilityDelayUs: Math.floor(rng.next() * settings.maxVisibilityDelayMinutes * MINUTE_US),
    queryIdStep: 1,
    xidStep: 1,
  };
}

function longRebuild(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): PlacedStatement {
  const rng = SeededRandom.of(settings.seed, profile.name, 'long-rebuild', minute);
  const [fact, dimension] = bigTables(profile);
  const day = dayLiteral(minute * 60_000).replaceAll('-', '');
  const factName = fact?.name ?? 'events';
  const dimensionName = dimension?.name ?? 'customers';
  const spec: StatementSpec = {
    kind: 'query',
    user: person(profile),
    label: 'long_rebuild',
    text: `CREATE TABLE mart.${factName}_rollup_${day}_${String(Math.floor((minute % 1440) / 60)).padStart(2, '0')} AS
SELECT d.*, count(*) AS events, sum(f.amount) AS amount
FROM public.${factName} f
JOIN public.${dimensionName} d ON d.id = f.${dimensionName}_id
GROUP BY d.*`,
    medianMs: 100 * 60_000,
    queue: profile.queues[profile.queues.length - 1],
    scans: [...(fact ? [scan(fact, 'f')] : []), ...(dimension ? [scan(dimension, 'd')] : [])],
    plan: { joins: [{ kind: 'hash', condition: `Hash Cond: ("outer".${dimensionName}_id = "inner".id)` }], aggregate: '' },
  };
  return place(spec, settings, rng, minute, rng.int(70, 130) * MINUTE_US);
}

function slowNotebook(profile: WorkloadProfile, settings: GeneratorSettings, minute: number): PlacedStatement {
  const rng = SeededRandom.of(settings.seed, profile.name, 'slow-notebook', minute);
  const table = bigTables(profile)[1] ?? bigTables(profile)[0];
  const name = table?.name ?? 'customers';
  const spec: StatementSpec = {
    kind: 'query',
    user: person(profile),
    label: 'notebook',
    text: `SELECT * FROM public.${name} WHERE updated_at >= '${dayLiteral(minute * 60_000, 30)}'`,
    medianMs: 40_000,
    queue: profile.queues[0],
    scans: table ? [scan(table, 't', { selectivity: 0.3 })] : [],
    plan: {},
  };
  return place(spec, settings, rng, minute, rng.int(20, 60) * 1_000_000, rng.int(28, 40) * MINUTE_US);
}
