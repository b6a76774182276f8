import {
  BatchCreatePartitionCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  type GetPartitionsCommandOutput,
  GetTableCommand,
  type GlueClient,
  type Table,
  UpdatePartitionCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { awsErrorDetails } from '../aws/aws-error-details.js';
import { failureFields, translateAwsError } from '../aws/aws-errors.js';
import { CatalogError, type OpslakeError } from '../errors.js';
import type { LakeTable } from '../tables/lake-table.js';
import type { LakeView } from '../tables/lake-view.js';
import type {
  Catalog,
  PartitionLocation,
  PartitionQuery,
  PartitionSyncResult,
  PartitionValues,
  TableSyncResult,
} from '../ports/catalog.js';
import {
  gluePartitionInput,
  gluePartitionValues,
  glueTableInput,
  type GlueTableInput,
  type GlueTableOptions,
  lakeRoot,
  PARTITION_VALUE,
} from './glue-table-input.js';
import { GlueViews } from './glue-views.js';

export interface GlueCatalogOptions extends GlueTableOptions {
  readonly client: Pick<GlueClient, 'send'>;
  readonly database: string;
  /** Account of the Data Catalog; the caller's by default. */
  readonly catalogId?: string;
}

/** BatchCreatePartition takes at most this many partitions a call. */
const PARTITION_BATCH = 100;
/**
 * Parameter keys this catalog owns; others on an existing table (set by Athena or a person) are
 * kept. Projection keys are owned so that an update removes them from tables made before
 * compaction, whose partitions projection cannot follow.
 */
const OWNED_PARAMETER = /^(projection\.|storage\.location\.template$)/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The Glue Data Catalog. Tables are created or updated, never dropped, from `glueTableInput`;
 * partitions are registered as they are written, and a compacted partition is switched to its
 * generation's folder with one UpdatePartition (Athena, Spectrum and EMR resolve partitions here).
 */
export class GlueCatalog implements Catalog {
  readonly #options: GlueCatalogOptions;
  /** Partitions registered by this instance: a warm Lambda does not ask Glue twice. */
  readonly #registered = new Set<string>();

  constructor(options: GlueCatalogOptions) {
    this.#options = options;
  }

  async ensureTables(tables: readonly LakeTable[]): Promise<readonly TableSyncResult[]> {
    const results: TableSyncResult[] = [];
    for (const table of tables) results.push(await this.#ensureTable(table));
    return results;
  }

  /** Views are Athena views in Glue (VIRTUAL_VIEW tables): see glue-views.ts. */
  async ensureViews(views: readonly LakeView[]): Promise<readonly TableSyncResult[]> {
    const { client, database, catalogId } = this.#options;
    return new GlueViews({ client, database, ...(catalogId ? { catalogId } : {}) }).ensure(views);
  }

  async addPartitions(table: LakeTable, partitions: readonly PartitionValues[]): Promise<PartitionSyncResult> {
    const fresh = new Map<string, PartitionValues>();
    for (const values of partitions) {
      const id = `${table.name}/${table.partitionKeys.map((key) => values[key.name]).join('/')}`;
      if (!this.#registered.has(id)) fresh.set(id, values);
    }
    const entries = [...fresh];
    let added = 0;
    let existing = partitions.length - entries.length;
    for (let start = 0; start < entries.length; start += PARTITION_BATCH) {
      const batch = entries.slice(start, start + PARTITION_BATCH);
      const inputs = batch.map(([, values]) => gluePartitionInput(table, values, this.#options));
      const response = await this.#send('BatchCreatePartition', table.name, () =>
        this.#options.client.send(
          new BatchCreatePartitionCommand({
            CatalogId: this.#options.catalogId,
            DatabaseName: this.#options.database,
            TableName: table.name,
            PartitionInputList: inputs,
          }),
        ),
      );
      const errors = response.Errors ?? [];
      const failed = errors.filter((error) => error.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
      if (failed.length > 0) {
        const first = failed[0];
        const code = first?.ErrorDetail?.ErrorCode ?? 'unknown error';
        // Per-partition errors are codes, not SDK errors; the same reading decides whether to retry.
        const { retryable } = awsErrorDetails({ name: code, message: first?.ErrorDetail?.ErrorMessage });
        throw new CatalogError(
          `Glue refused ${failed.length} of ${batch.length} partitions of ${this.#options.database}.${table.name} ` +
            `(first: ${(first?.PartitionValues ?? []).join('/')}: ${code}: ${first?.ErrorDetail?.ErrorMessage ?? ''})`,
          { table: table.name, retryable },
        );
      }
      existing += errors.length;
      added += batch.length - errors.length;
      for (const [id] of batch) this.#registered.add(id);
    }
    return { added, existing };
  }

  /** GetPartitions with an expression on `day` (and `where` keys): the table's partition index on `day` answers it. */
  async *listPartitions(table: LakeTable, query: PartitionQuery): AsyncIterable<readonly PartitionLocation[]> {
    const expression = partitionExpression(table, query);
    const root = lakeRoot(this.#options.lakeLocation);
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page: GetPartitionsCommandOutput = await this.#send('GetPartitions', table.name, () =>
        this.#options.client.send(
          new GetPartitionsCommand({
            CatalogId: this.#options.catalogId,
            DatabaseName: this.#options.database,
            TableName: table.name,
            Expression: expression,
            ExcludeColumnSchema: true,
            NextToken: token,
          }),
        ),
      );
      const partitions = (page.Partitions ?? []).map((partition): PartitionLocation => {
        const values = Object.fromEntries(table.partitionKeys.map((key, index) => [key.name, partition.Values?.[index] ?? '']));
        const location = partition.StorageDescriptor?.Location;
        const relative = location?.startsWith(root) ? location.slice(root.length) : undefined;
        return { values, location: relative === undefined ? undefined : relative.endsWith('/') ? relative : `${relative}/` };
      });
      if (partitions.length > 0) yield partitions;
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }

  /** One UpdatePartition (a single atomic change of the location); CreatePartition when the partition is not registered. */
  async switchPartition(table: LakeTable, values: PartitionValues, location: string): Promise<void> {
    const input = gluePartitionInput(table, values, this.#options, location);
    try {
      await this.#options.client.send(
        new UpdatePartitionCommand({
          CatalogId: this.#options.catalogId,
          DatabaseName: this.#options.database,
          TableName: table.name,
          PartitionValueList: gluePartitionValues(table, values),
          PartitionInput: input,
        }),
      );
    } catch (error) {
      if (awsErrorDetails(error).name !== 'EntityNotFoundException') throw this.#error('UpdatePartition', table.name, error);
      await this.#send('CreatePartition', table.name, () =>
        this.#options.client.send(
          new CreatePartitionCommand({
            CatalogId: this.#options.catalogId,
            DatabaseName: this.#options.database,
            TableName: table.name,
            PartitionInput: input,
          }),
        ),
      );
    }
    this.#registered.add(`${table.name}/${table.partitionKeys.map((key) => values[key.name]).join('/')}`);
  }

  async #ensureTable(table: LakeTable): Promise<TableSyncResult> {
    const desired = glueTableInput(table, this.#options);
    const current = await this.#getTable(table.name);
    if (!current) {
      try {
        await this.#options.client.send(
          new CreateTableCommand({ CatalogId: this.#options.catalogId, DatabaseName: this.#options.database, TableInput: desired }),
        );
        return { table: table.name, action: 'created' };
      } catch (error) {
        // Another run created it between our GetTable and CreateTable: update it like any other.
        if (awsErrorDetails(error).name !== 'AlreadyExistsException') throw this.#error('CreateTable', table.name, error);
        const raced = await this.#getTable(table.name);
        if (!raced) throw this.#error('CreateTable', table.name, error);
        return this.#update(table.name, desired, raced);
      }
    }
    return this.#update(table.name, desired, current);
  }

  async #update(name: string, desired: GlueTableInput, current: Table): Promise<TableSyncResult> {
    const kept = Object.fromEntries(Object.entries(current.Parameters ?? {}).filter(([key]) => !OWNED_PARAMETER.test(key)));
    const merged: GlueTableInput = { ...desired, Parameters: { ...kept, ...desired.Parameters } };
    if (sameDefinition(merged, current)) return { table: name, action: 'unchanged' };
    await this.#send('UpdateTable', name, () =>
      this.#options.client.send(
        new UpdateTableCommand({ CatalogId: this.#options.catalogId, DatabaseName: this.#options.database, TableInput: merged }),
      ),
    );
    return { table: name, action: 'updated' };
  }

  async #getTable(name: string): Promise<Table | undefined> {
    try {
      const response = await this.#options.client.send(
        new GetTableCommand({ CatalogId: this.#options.catalogId, DatabaseName: this.#options.database, Name: name }),
      );
      return response.Table;
    } catch (error) {
      // Glue answers EntityNotFoundException for a missing table and for a missing database alike.
      const details = awsErrorDetails(error);
      if (details.name === 'EntityNotFoundException' && !/database/i.test(details.message)) return undefined;
      throw this.#error('GetTable', name, error);
    }
  }

  async #send<T>(operation: string, table: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.#error(operation, table, error);
    }
  }

  #error(operation: string, table: string, error: unknown): OpslakeError {
    const where = `${this.#options.database}.${table}`;
    const call = { service: 'glue', operation, resource: this.#options.database, action: `run ${operation} on ${where}` } as const;
    return translateAwsError(
      error,
      call,
      (failure) => new CatalogError(`Glue ${operation} on ${where} failed: ${failure.summary}`, { table, ...failureFields(failure) }),
    );
  }
}

/** Compares what this catalog sets; Glue adds its own fields (CreateTime, versions) that do not count. */
function sameDefinition(desired: GlueTableInput, current: Table): boolean {
  const sd = current.StorageDescriptor;
  const columns = (list: ReadonlyArray<{ Name?: string; Type?: string; Comment?: string }> | undefined) =>
    (list ?? []).map((column) => [column.Name, column.Type, column.Comment ?? '']);
  return (
    JSON.stringify([
      desired.Description,
      desired.TableType,
      sortedEntries(desired.Parameters),
      columns(desired.StorageDescriptor.Columns),
      desired.StorageDescriptor.Location,
      desired.StorageDescriptor.InputFormat,
      desired.StorageDescriptor.OutputFormat,
      desired.StorageDescriptor.SerdeInfo.SerializationLibrary,
      sortedEntries(desired.StorageDescriptor.SerdeInfo.Parameters),
      columns(desired.PartitionKeys),
    ]) ===
    JSON.stringify([
      current.Description,
      current.TableType,
      sortedEntries(current.Parameters ?? {}),
      columns(sd?.Columns),
      sd?.Location,
      sd?.InputFormat,
      sd?.OutputFormat,
      sd?.SerdeInfo?.SerializationLibrary,
      sortedEntries(sd?.SerdeInfo?.Parameters ?? {}),
      columns(current.PartitionKeys),
    ])
  );
}

/** `day >= 'a' AND day <= 'b' [AND key = 'v' ...]`: values are checked first, so none can close its quotes. */
export function partitionExpression(table: LakeTable, query: PartitionQuery): string {
  if (!DAY.test(query.fromDay) || !DAY.test(query.toDay)) {
    throw new CatalogError(`partition days ${query.fromDay}..${query.toDay}: expected YYYY-MM-DD`, { table: table.name });
  }
  const names = new Set(table.partitionKeys.map((key) => key.name));
  if (!names.has('day')) throw new CatalogError(`${table.name} has no day partition key`, { table: table.name });
  const terms = [`day >= '${query.fromDay}'`, `day <= '${query.toDay}'`];
  for (const [name, value] of Object.entries(query.where ?? {})) {
    if (!names.has(name) || !PARTITION_VALUE.test(value)) {
      throw new CatalogError(`${table.name}: cannot select partitions by ${name} = ${JSON.stringify(value)}`, { table: table.name });
    }
    terms.push(`${name} = '${value}'`);
  }
  return terms.join(' AND ');
}

function sortedEntries(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
