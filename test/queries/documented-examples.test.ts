import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueryCommand } from '../../jobs/cli/commands/query-command.js';
import { DEMO_CLUSTERS } from '../../jobs/cli/demo/run-demo.js';
import { ingestCloudTrail } from '../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { collectRows, type QueryRow } from '../../pipeline/ports/query-engine.js';
import { openLocalQueries, type LocalQueries } from '../../pipeline/query/local-queries.js';
import { generateDemoTrail } from '../../pipeline/simulators/cloudtrail/demo-trail.js';
import { DOCUMENTED_SCENARIO } from '../../pipeline/simulators/cloudtrail/documented-scenarios.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';

/**
 * Example queries of the AWS documentation, run unchanged (but for the placeholder the page asks
 * to replace) on the demo lake through cloudtrail_logs and the dialect layer. From "Example
 * CloudTrail log queries": https://docs.aws.amazon.com/athena/latest/ug/query-examples-cloudtrail-logs.html
 *
 * The lake is the demo's CloudTrail, built as `opslake demo` builds it (the same generator, seed
 * and day, the same ingester); the demo's Redshift half, which these queries do not read, is
 * left out (test/queries/demo-lake.test.ts runs the whole demo).
 */
const EXAMPLES = {
  /** "returns all anonymous (unsigned) requests"; the page says to put your bucket name in. */
  anonymous: `SELECT *
FROM cloudtrail_logs
WHERE
    eventsource = 's3.amazonaws.com' AND
    eventname in ('GetObject') AND
    useridentity.accountid = 'anonymous' AND
    useridentity.arn IS NULL AND
    requestparameters LIKE '%${DOCUMENTED_SCENARIO.publicBucket}%';`,
  /** "Query nested fields": the userIdentity STRUCTs, with dots. */
  nested: `SELECT
    eventsource,
    eventname,
    useridentity.sessioncontext.attributes.creationdate,
    useridentity.sessioncontext.sessionissuer.arn
FROM cloudtrail_logs
WHERE useridentity.sessioncontext.sessionissuer.arn IS NOT NULL
ORDER BY eventsource, eventname
LIMIT 10`,
  /** The resources array, unnested: rows whose resource ARN ends in example/datafile.txt. */
  datafile: `SELECT
    awsregion,
    replace(unnested.resources_entry.ARN,'arn:aws:s3:::') as s3_resource,
    eventname,
    eventtime,
    useragent
FROM cloudtrail_logs t
CROSS JOIN UNNEST(t.resources) unnested (resources_entry)
WHERE unnested.resources_entry.ARN LIKE '%example/datafile.txt'
ORDER BY eventtime`,
  /** DeleteBucket events, with the bucket and its account from resources. */
  deleteBucket: `SELECT
    awsregion,
    replace(unnested.resources_entry.ARN,'arn:aws:s3:::') as deleted_bucket,
    eventtime AS time_deleted,
    useridentity.username,
    unnested.resources_entry.accountid as bucket_acct_id
FROM cloudtrail_logs t
CROSS JOIN UNNEST(t.resources) unnested (resources_entry)
WHERE eventname = 'DeleteBucket'
ORDER BY eventtime`,
  /** "Tips for querying": the basic template. */
  basic: `SELECT
useridentity.arn,
eventname,
sourceipaddress,
eventtime
FROM cloudtrail_logs
LIMIT 100;`,
} as const;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ANALYTICS = '444455556666';

let root: string;
let configPath: string;
let lakeDir: string;
let local: LocalQueries;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-documented-'));
  lakeDir = join(root, 'lake');
  const trailDir = join(root, 'trail');
  // As runDemo: the last day before the demo clock, 2024-03-06T13:00Z here.
  await generateDemoTrail({
    dir: trailDir,
    clusterNames: DEMO_CLUSTERS.map((cluster) => cluster.name),
    start: new Date('2024-03-05T13:00:00Z'),
    hours: 24,
    seed: 17,
  });
  await ingestCloudTrail({
    source: new LocalObjectStore(trailDir),
    lake: new LocalObjectStore(lakeDir),
    state: new FileStateStore(join(root, 'state')),
    cloudtrailLatenessMinutes: 120,
    tempDirectory: root,
  });
  configPath = join(root, 'opslake.yaml');
  await writeFile(configPath, 'lake: ./lake\nclusters: []\n', 'utf8');
  local = await openLocalQueries({ lakeDir });
});

afterAll(async () => {
  await local?.close();
  await rm(root, { recursive: true, force: true });
});

async function run(sql: string): Promise<QueryRow[]> {
  return (await collectRows(local.engine.pages({ name: 'example', sql: sql.replace(/;\s*$/, ''), parameters: [] }))).rows;
}

describe("the AWS documentation's CloudTrail queries on the demo lake", () => {
  it('finds the anonymous GetObject through `opslake query --sql -` and a config file, with every column of the table', async () => {
    const out: string[] = [];
    const stdout = new PassThrough().on('data', (chunk) => out.push(String(chunk)));
    const program = new Command('opslake').exitOverride();
    registerQueryCommand(program, { stdout, stderr: new PassThrough(), stdin: Readable.from([EXAMPLES.anonymous]) });
    await program.parseAsync(['query', '--sql', '-', '--config', configPath, '--format', 'json'], { from: 'user' });
    const rows = JSON.parse(out.join('')) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(Object.keys(row ?? {})).toHaveLength(35);
    expect(row).toMatchObject({ eventname: 'GetObject', sourceipaddress: '198.51.100.23', account: ANALYTICS, region: 'us-east-1' });
    expect(String(row?.useridentity)).toContain('anonymous');
    expect(JSON.parse(String(row?.requestparameters))).toMatchObject({ bucketName: DOCUMENTED_SCENARIO.publicBucket, key: 'img/logo.png' });
  });

  it('reads nested userIdentity fields with dots', async () => {
    const rows = await run(EXAMPLES.nested);
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row.arn).toMatch(/^arn:aws:iam::\d{12}:(role|user)\//);
      expect(row.creationdate).toBe('2024-01-01T00:00:00Z');
    }
    const order = rows.map((row) => `${row.eventsource} ${row.eventname}`);
    expect(order).toEqual([...order].sort());
  });

  it('unnests resources to find the object example/datafile.txt', async () => {
    expect(await run(EXAMPLES.datafile)).toEqual([
      {
        awsregion: 'us-east-1',
        s3_resource: `${DOCUMENTED_SCENARIO.datafileBucket}/example/datafile.txt`,
        eventname: 'PutObject',
        eventtime: expect.stringMatching(ISO_TIME),
        useragent: expect.stringContaining('command/s3.cp'),
      },
    ]);
  });

  it('unnests resources to name the deleted bucket, its account and who deleted it', async () => {
    expect(await run(EXAMPLES.deleteBucket)).toEqual([
      {
        awsregion: 'us-east-1',
        deleted_bucket: DOCUMENTED_SCENARIO.deletedBucket,
        time_deleted: expect.stringMatching(ISO_TIME),
        username: DOCUMENTED_SCENARIO.deleter,
        bucket_acct_id: ANALYTICS,
      },
    ]);
  });

  it('runs the basic template: who called what from where, eventtime as CloudTrail writes it', async () => {
    const rows = await run(EXAMPLES.basic);
    expect(rows).toHaveLength(100);
    expect(rows.every((row) => ISO_TIME.test(String(row.eventtime)) && String(row.eventname).length > 0)).toBe(true);
    expect(rows.some((row) => String(row.arn).startsWith('arn:aws:'))).toBe(true);
  });

  it("prunes partitions on the documentation's partition columns as on ours", async () => {
    const files = async (where: string) => {
      const plan = await local.connection.runAndReadAll(`EXPLAIN SELECT count(*) FROM cloudtrail_logs WHERE ${where}`);
      const text = plan
        .getRowObjectsJson()
        .map((row) => String(row.explain_value))
        .join('\n');
      // The plan is drawn in boxes: a long line wraps inside its box.
      const [, scanned, total] = /Scanning Files:[\s│]*(\d+)\/(\d+)/.exec(text) ?? [];
      return [Number(scanned), Number(total)];
    };
    const days = (await readdir(join(lakeDir, 'cloudtrail/events', `account=${ANALYTICS}`, 'region=us-east-1'))).sort();
    const day = (days.at(-1) ?? '').slice('day='.length);
    const inDay = (await readdir(join(lakeDir, 'cloudtrail/events', `account=${ANALYTICS}`, 'region=us-east-1', `day=${day}`))).length;
    const [year, month, dd] = day.split('-');
    const where = `account = '${ANALYTICS}' AND region = 'us-east-1'`;
    const [scanned, total] = await files(`${where} AND year = '${year}' AND month = '${month}' AND "day" = '${dd}'`);
    expect(total).toBeGreaterThan(inDay);
    expect(scanned).toBe(inDay);
    expect(await files(`${where} AND "timestamp" = '${day.replaceAll('-', '/')}'`)).toEqual([inDay, total]);
    const count = async (sql: string) => Number(Object.values((await run(sql))[0] ?? {})[0]);
    expect(
      await count(`SELECT count(*) FROM cloudtrail_logs WHERE ${where} AND year = '${year}' AND month = '${month}' AND "day" = '${dd}'`),
    ).toBe(await count(`SELECT count(*) FROM cloudtrail_events WHERE ${where} AND day = '${day}'`));
  });
});
