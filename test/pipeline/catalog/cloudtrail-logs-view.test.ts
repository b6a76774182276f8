import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudTrailLogsView } from '../../../pipeline/catalog/cloudtrail-logs-view.js';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import { lakeViewsOver } from '../../../pipeline/catalog/lake-views.js';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { CLOUDTRAIL_LOGS_COLUMNS } from '../../../pipeline/tables/cloudtrail-logs-table.js';
import {
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_EVENTS,
  CLOUDTRAIL_TABLES,
  type CloudTrailGroup,
  isGroup,
} from '../../../pipeline/tables/cloudtrail-tables.js';
import { duckDbTypeText, type HiveType } from '../../../pipeline/tables/hive-type.js';
import { fixtureLogs, gzipJson, logKey, sortedRows } from '../cloudtrail/cloudtrail-test-support.js';
import {
  documentedRow,
  documentedTable,
  MANUAL_PARTITIONING_DDL,
  PARTITION_PROJECTION_DDL,
  serdeValue,
} from './documented-cloudtrail-table.js';

/**
 * cloudtrail_logs against the documentation's table: every record of the shared fixtures is
 * delivered as CloudTrail delivers it (compact JSON in a gzip `{"Records":[...]}`), ingested by
 * the ingester, and read back through the view; each row must be what the documentation's DDL and
 * its JSON SerDe give for the raw record (documented-cloudtrail-table.ts), nested fields included.
 */
const MANUAL = documentedTable(MANUAL_PARTITIONING_DDL);
const PROJECTED = documentedTable(PARTITION_PROJECTION_DDL);
const RECORDS = fixtureLogs().flatMap((file) => file.records.map((record) => ({ file: file.name, record })));

let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-cloudtrail-logs-'));
  for (const file of fixtureLogs()) {
    const path = join(root, 'trail', logKey(file.name));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, gzipJson({ Records: file.records }));
  }
  const summary = await ingestCloudTrail({
    source: new LocalObjectStore(join(root, 'trail')),
    lake: new LocalObjectStore(join(root, 'lake')),
    state: new FileStateStore(join(root, 'state')),
    cloudtrailLatenessMinutes: 120,
    tempDirectory: root,
  });
  expect(summary.toJSON()).toMatchObject({ events: RECORDS.length, quarantined: 0, failed: 0 });
  ({ instance, connection } = await openDuckDb());
  const catalog = new DuckDbCatalog({ connection, lakeDir: join(root, 'lake') });
  await catalog.ensureTables(CLOUDTRAIL_TABLES);
  // The views over what the catalog declares: cloudtrail_logs, not the Redshift views.
  await catalog.ensureViews(lakeViewsOver(CLOUDTRAIL_TABLES));
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** DuckDB prints a MAP as a list of {key, value}: back to an object, as the SerDe's map reads. */
function plain(type: HiveType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'string':
      return value;
    case 'map':
      return Object.fromEntries(
        (value as Array<{ key: string; value: unknown }>).map((entry) => [entry.key, plain(type.value, entry.value)]),
      );
    case 'array':
      return (value as unknown[]).map((element) => plain(type.element, element));
    case 'struct': {
      const object = value as Record<string, unknown>;
      return Object.fromEntries(type.fields.map((field) => [field.name, plain(field.type, object[field.name])]));
    }
  }
}

/**
 * The lake keeps no trace of an object that arrives with no member at all, or only null ones
 * (`"webIdFederationData": {}`): the flattener gives an object's members columns of their own,
 * and there are none. So where the documentation's table has a struct whose fields are all NULL,
 * the view has NULL. This is the one documented difference; a test below counts where it shows.
 * Only objects the registry flattens are concerned: free-form ones are kept whole as JSON text.
 */
function withoutEmptyObjects(value: Record<string, unknown>, group: CloudTrailGroup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    const node = group.members[name];
    if (node !== undefined && isGroup(node) && isObject(member)) {
      const kept = withoutEmptyObjects(member, node);
      if (Object.keys(kept).length > 0) out[name] = kept;
    } else if (node === undefined || member !== null) {
      // Unknown members are kept in unknown_fields even when null: they mark their object present.
      out[name] = member;
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectedRow(record: Record<string, unknown>): Record<string, unknown> {
  return documentedRow(MANUAL, withoutEmptyObjects(record, CLOUDTRAIL_EVENT_FIELDS));
}

describe('cloudtrail_logs', () => {
  it("has the columns, names, types and nesting of both documentation pages' tables, in the manual page's order", () => {
    expect(CLOUDTRAIL_LOGS_COLUMNS).toEqual(MANUAL.columns);
    const byName = (columns: DocumentedTableColumns) => [...columns].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(PROJECTED.columns)).toEqual(byName(MANUAL.columns));
    const view = cloudTrailLogsView();
    for (const partition of [...MANUAL.partitions, ...PROJECTED.partitions, 'account']) {
      expect(view.columns.some((column) => column.name === partition)).toBe(true);
    }
  });

  it('is typed in DuckDB as the documentation types it', async () => {
    const described = await rows('DESCRIBE cloudtrail_logs');
    // DESCRIBE quotes only the field names that are keywords.
    const unquoted = (type: string) => type.replaceAll('"', '');
    const documented = MANUAL.columns.map((column) => [column.name, unquoted(duckDbTypeText(column.type))]);
    const partitions = ['account', 'region', 'year', 'month', 'day', 'timestamp'].map((name) => [name, 'VARCHAR']);
    expect(described.map((row) => [row.column_name, unquoted(String(row.column_type))])).toEqual([...documented, ...partitions]);
  });

  it("returns, for every fixture record, the row of the documentation's table for the raw record", async () => {
    const select = MANUAL.columns.map((column) => `"${column.name}"`).join(', ');
    const actual = (await rows(`SELECT ${select} FROM cloudtrail_logs`)).map((row) =>
      Object.fromEntries(MANUAL.columns.map((column) => [column.name, plain(column.type, row[column.name])])),
    );
    const expected = RECORDS.map(({ record }) => expectedRow(record));
    expect(actual).toHaveLength(RECORDS.length);
    expect(sortedRows(actual)).toEqual(sortedRows(expected));
  });

  it('differs from it only where an object arrived empty: five webIdFederationData {} in the fixtures', async () => {
    const differing = RECORDS.filter(({ record }) => JSON.stringify(expectedRow(record)) !== JSON.stringify(documentedRow(MANUAL, record)));
    expect(differing).toHaveLength(5);
    const identity = MANUAL.columns.find((column) => column.name === 'useridentity');
    for (const { record } of differing) {
      const documented = serdeValue(identity?.type ?? { kind: 'string' }, record.userIdentity) as {
        sessioncontext: Record<string, unknown>;
      };
      expect(documented.sessioncontext.webidfederationdata).toEqual({ federatedprovider: null, attributes: null });
      const [row] = await rows(
        `SELECT useridentity.sessioncontext.webidfederationdata AS w FROM cloudtrail_logs WHERE eventid = '${String(record.eventID)}'`,
      );
      expect(row).toEqual({ w: null });
    }
  });

  it('derives the partition columns of both documentation tables from the UTC day of the event', async () => {
    const found = await rows(
      `SELECT DISTINCT eventtime, year, month, "day", "timestamp" FROM cloudtrail_logs WHERE eventtime LIKE '____-__-__T%'`,
    );
    expect(found.length).toBeGreaterThan(10);
    for (const row of found) {
      const day = String(row.eventtime).slice(0, 10);
      expect([row.year, row.month, row.day, row.timestamp]).toEqual([
        day.slice(0, 4),
        day.slice(5, 7),
        day.slice(8, 10),
        day.replaceAll('-', '/'),
      ]);
    }
    const ours = await rows('SELECT DISTINCT account, region FROM cloudtrail_events ORDER BY ALL');
    expect(await rows('SELECT DISTINCT account, region FROM cloudtrail_logs ORDER BY ALL')).toEqual(ours);
  });

  it("gives Athena the same SELECT in Trino's functions, over the columns of cloudtrail_events", () => {
    const sql = cloudTrailLogsView().athenaSql;
    const functions = new Set([...sql.matchAll(/([A-Za-z_]+)\(/g)].map((match) => match[1]?.toLowerCase()));
    expect([...functions].sort()).toEqual(
      ['cast', 'coalesce', 'date_format', 'json_extract', 'json_extract_scalar', 'json_format', 'json_parse', 'replace', 'row']
        .concat(['starts_with', 'substr', 'try', 'array', 'map'])
        .sort(),
    );
    const known = new Set([
      CLOUDTRAIL_EVENTS.name,
      ...CLOUDTRAIL_EVENTS.columns.map((column) => column.name),
      ...CLOUDTRAIL_EVENTS.partitionKeys.map((key) => key.name),
      ...cloudTrailLogsView().columns.map((column) => column.name),
    ]);
    const fields = new Set(JSON.stringify(MANUAL.columns).match(/(?<="name":")[a-z0-9_]+/g));
    const quoted = [...sql.matchAll(/"([a-z0-9_]+)"/g)].map((match) => match[1] ?? '');
    expect(quoted.filter((name) => !known.has(name) && !fields.has(name))).toEqual([]);
    expect(sql).toMatch(/\nFROM "cloudtrail_events"$/);
  });
});

type DocumentedTableColumns = ReturnType<typeof documentedTable>['columns'];
