import type { CfnTable } from 'aws-cdk-lib/aws-glue';
import { cfnTableInput } from '../pipeline/catalog/glue-table-input.js';
import { lakeViews } from '../pipeline/catalog/lake-views.js';
import { athenaNamedQueries, athenaViewDdl } from '../pipeline/query/athena-named-queries.js';
import { QUERIES_DIR, QueryLibrary } from '../pipeline/query/query-library.js';
import { lakeTables } from '../pipeline/tables/registry.js';
import type { LakeTable } from '../pipeline/tables/lake-table.js';
import { athenaLakeViewDdl } from '../pipeline/tables/lake-view.js';
import type { AthenaViewDefinition } from './constructs/athena-views.js';
import type { OpslakeSettings } from './opslake-settings.js';
import type { LakeLocation, NamedQueryDefinition, TableInputsFactory } from './stacks/storage-stack-props.js';

/** What the stacks are built from besides the settings: the schema registry and `queries/`. */
export interface LakeSources {
  readonly tableInputs: TableInputsFactory;
  /** Tables the export registers partitions of. */
  readonly redshiftGlueTables: readonly string[];
  /** Tables the CloudTrail ingestion registers partitions of. */
  readonly cloudTrailGlueTables: readonly string[];
  readonly namedQueries: readonly NamedQueryDefinition[];
  /** The lake views (`cloudtrail_logs`), then the views of `queries/` in dependency order. */
  readonly views: readonly AthenaViewDefinition[];
  /** The loaded `queries/`, for the QuickSight data sets and dashboard. */
  readonly queries: QueryLibrary;
  /** The registry's tables (column types of the QuickSight data sets). */
  readonly lakeTables: readonly LakeTable[];
}

/**
 * A bucket name that stands in for the real one while the catalog builds the tables: the
 * catalog checks that a location is a plain `s3://` URI, and the real name is a deploy-time
 * token that is not. It is swapped for the token right after.
 */
const BUCKET_PLACEHOLDER = 'opslake-lake-bucket-placeholder';

/** Reads the schema registry and `queries/` (from `queriesDir`, default the repository's). */
export async function loadLakeSources(
  settings: Pick<OpslakeSettings, 'glueDatabase'>,
  queriesDir: string = QUERIES_DIR,
): Promise<LakeSources> {
  const tables = lakeTables();
  const queries = await QueryLibrary.load(queriesDir);
  return {
    tableInputs: (lake) => tables.map((table) => tableInputFor(table, lake)),
    redshiftGlueTables: tables.filter((table) => table.path.startsWith('redshift/')).map((table) => table.name),
    cloudTrailGlueTables: tables.filter((table) => table.path.startsWith('cloudtrail/')).map((table) => table.name),
    namedQueries: athenaNamedQueries(queries, { database: settings.glueDatabase }).map(({ name, description, queryString }) => ({
      name,
      description,
      queryString,
    })),
    views: [
      ...lakeViews().map((view) => ({ name: view.name, ddl: athenaLakeViewDdl(view) })),
      ...queries.views().flatMap((query) => (query.view === undefined ? [] : [{ name: query.view, ddl: athenaViewDdl(query) }])),
    ],
    queries,
    lakeTables: tables,
  };
}

function tableInputFor(table: LakeTable, lake: LakeLocation): CfnTable.TableInputProperty {
  // No partition projection: compaction moves a partition to a generation folder that a template
  // cannot name; every partition is registered as it is written (DESIGN.md §5).
  const input = cfnTableInput(table, { lakeLocation: `s3://${BUCKET_PLACEHOLDER}/${lake.prefix}` });
  return replaceInStrings(input, BUCKET_PLACEHOLDER, lake.bucketName) as CfnTable.TableInputProperty;
}

function replaceInStrings(value: unknown, search: string, replacement: string): unknown {
  if (typeof value === 'string') return value.split(search).join(replacement);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, search, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceInStrings(inner, search, replacement)]));
  }
  return value;
}
