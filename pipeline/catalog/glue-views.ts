import { CreateTableCommand, GetTableCommand, type GlueClient, type Table, UpdateTableCommand } from '@aws-sdk/client-glue';
import { CatalogError } from '../errors.js';
import type { TableSyncResult } from '../ports/catalog.js';
import type { LakeView } from '../tables/lake-view.js';
import { decodePrestoViewText, type GlueViewInput, glueViewInput } from './glue-view-input.js';

export interface GlueViewsOptions {
  readonly client: Pick<GlueClient, 'send'>;
  readonly database: string;
  readonly catalogId?: string;
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'InternalServiceException',
  'OperationTimeoutException',
  'ConcurrentModificationException',
]);

/**
 * Creates or updates the lake views in the Glue Data Catalog as Athena views (see glue-view-input.ts),
 * for GlueCatalog. A view is replaced only when its definition changed, so a warm Lambda or a second
 * run makes one GetTable call per view and nothing else.
 */
export class GlueViews {
  readonly #options: GlueViewsOptions;

  constructor(options: GlueViewsOptions) {
    this.#options = options;
  }

  async ensure(views: readonly LakeView[]): Promise<readonly TableSyncResult[]> {
    const results: TableSyncResult[] = [];
    for (const view of views) results.push(await this.#ensure(view));
    return results;
  }

  async #ensure(view: LakeView): Promise<TableSyncResult> {
    const desired = glueViewInput(view, { database: this.#options.database });
    const current = await this.#get(view.name);
    if (current === undefined) {
      try {
        await this.#options.client.send(
          new CreateTableCommand({ CatalogId: this.#options.catalogId, DatabaseName: this.#options.database, TableInput: desired }),
        );
        return { table: view.name, action: 'created' };
      } catch (error) {
        // Created by another run between our GetTable and CreateTable: replace it like any other.
        if (errorName(error) !== 'AlreadyExistsException') throw this.#error('CreateTable', view.name, error);
      }
    } else if (sameView(desired, current)) {
      return { table: view.name, action: 'unchanged' };
    }
    try {
      await this.#options.client.send(
        new UpdateTableCommand({ CatalogId: this.#options.catalogId, DatabaseName: this.#options.database, TableInput: desired }),
      );
    } catch (error) {
      throw this.#error('UpdateTable', view.name, error);
    }
    return { table: view.name, action: 'updated' };
  }

  async #get(name: string): Promise<Table | undefined> {
    try {
      const response = await this.#options.client.send(
        new GetTableCommand({ CatalogId: this.#options.catalogId, DatabaseName: this.#options.database, Name: name }),
      );
      return response.Table;
    } catch (error) {
      if (errorName(error) === 'EntityNotFoundException' && !/database/i.test(errorMessage(error))) return undefined;
      throw this.#error('GetTable', name, error);
    }
  }

  #error(operation: string, view: string, error: unknown): CatalogError {
    const name = errorName(error);
    const hint =
      name === 'AccessDeniedException' ? ': the role needs glue:GetTable, CreateTable and UpdateTable on the view and its database' : '';
    return new CatalogError(
      `Glue ${operation} of the view ${this.#options.database}.${view} failed: ${name}: ${errorMessage(error)}${hint}`,
      {
        table: view,
        cause: error,
        retryable: RETRYABLE.has(name),
      },
    );
  }
}

/** Compares what a view is made of; Glue adds fields of its own (CreateTime, VersionId) that do not count. */
function sameView(desired: GlueViewInput, current: Table): boolean {
  const columns = (list: ReadonlyArray<{ Name?: string; Type?: string }> | undefined) => (list ?? []).map((c) => [c.Name, c.Type]);
  return (
    current.TableType === desired.TableType &&
    current.Description === desired.Description &&
    current.Parameters?.presto_view === 'true' &&
    JSON.stringify(decodePrestoViewText(current.ViewOriginalText)) === JSON.stringify(decodePrestoViewText(desired.ViewOriginalText)) &&
    JSON.stringify(columns(current.StorageDescriptor?.Columns)) === JSON.stringify(columns(desired.StorageDescriptor.Columns))
  );
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
