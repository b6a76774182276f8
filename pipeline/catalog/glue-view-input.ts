import { InvalidIdentifierError } from '../errors.js';
import { hiveTypeText, trinoTypeText } from '../tables/hive-type.js';
import type { LakeView } from '../tables/lake-view.js';
import type { GlueColumn } from './glue-table-input.js';

/**
 * A lake view as a Glue table (`CreateTable`/`UpdateTable` `TableInput`): the form in which Athena
 * itself keeps the views it creates, so Athena reads it as its own. A view is a `VIRTUAL_VIEW`
 * whose original text carries the Presto/Trino view definition, base64 JSON between
 * `/* Presto View: ` and ` *\/`, flagged by the `presto_view` parameter; the definition names
 * the SQL, the catalog and database it resolves names in, and its columns with Trino types.
 * Format as read by Trino's Hive connector (io.trino.plugin.hive.HiveUtil / ViewReaderUtil and
 * io.trino.spi.connector.ConnectorViewDefinition); the storage descriptor lists the same columns
 * with Glue (Hive) types for the console and other readers.
 */
export interface GlueViewInput {
  readonly Name: string;
  readonly Description: string;
  readonly TableType: 'VIRTUAL_VIEW';
  readonly Parameters: Record<string, string>;
  readonly ViewOriginalText: string;
  readonly ViewExpandedText: string;
  readonly PartitionKeys: GlueColumn[];
  readonly StorageDescriptor: { readonly Columns: GlueColumn[]; readonly SerdeInfo: Record<string, never> };
}

export interface GlueViewOptions {
  readonly database: string;
  /** Athena's name of the Glue Data Catalog. Default `awsdatacatalog`. */
  readonly catalog?: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,254}$/;
const PRESTO_VIEW_PREFIX = '/* Presto View: ';
const PRESTO_VIEW_SUFFIX = ' */';

export function glueViewInput(view: LakeView, options: GlueViewOptions): GlueViewInput {
  for (const [what, name] of [
    ['view name', view.name],
    ['Glue database', options.database],
  ] as const) {
    if (!NAME.test(name)) throw new InvalidIdentifierError(what, name, 'use lower-case letters, digits and _');
  }
  return {
    Name: view.name,
    Description: view.description,
    TableType: 'VIRTUAL_VIEW',
    Parameters: { presto_view: 'true', comment: 'Presto View' },
    ViewOriginalText: prestoViewText(view, options),
    ViewExpandedText: '/* Presto View */',
    PartitionKeys: [],
    StorageDescriptor: { Columns: view.columns.map((column) => ({ Name: column.name, Type: hiveTypeText(column.type) })), SerdeInfo: {} },
  };
}

/**
 * The Presto view definition. It runs with the rights of whoever queries it (`runAsInvoker`), as
 * Athena's own views do in effect: Athena checks the caller's access to the tables it reads.
 */
export function prestoViewText(view: LakeView, options: GlueViewOptions): string {
  const definition = {
    originalSql: view.athenaSql,
    catalog: options.catalog ?? 'awsdatacatalog',
    schema: options.database,
    columns: view.columns.map((column) => ({ name: column.name, type: trinoTypeText(column.type) })),
    owner: null,
    runAsInvoker: true,
  };
  return `${PRESTO_VIEW_PREFIX}${Buffer.from(JSON.stringify(definition), 'utf8').toString('base64')}${PRESTO_VIEW_SUFFIX}`;
}

/** The definition inside a view's original text (for comparing a stored view with the wanted one). */
export function decodePrestoViewText(text: string | undefined): unknown {
  if (text === undefined || !text.startsWith(PRESTO_VIEW_PREFIX) || !text.endsWith(PRESTO_VIEW_SUFFIX)) return undefined;
  try {
    return JSON.parse(Buffer.from(text.slice(PRESTO_VIEW_PREFIX.length, -PRESTO_VIEW_SUFFIX.length), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
