import { GlueClient } from '@aws-sdk/client-glue';
import { DuckDbCatalog } from '../../pipeline/catalog/duckdb-catalog.js';
import { GlueCatalog } from '../../pipeline/catalog/glue-catalog.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { CatalogError } from '../../pipeline/errors.js';
import type { Catalog } from '../../pipeline/ports/catalog.js';
import { environmentVariable } from '../shared/environment-variable.js';

/** The catalog readers resolve partitions through, as compaction switches it; `close` when done. */
export interface OpenedCompactionCatalog {
  readonly catalog: Pick<Catalog, 'listPartitions' | 'switchPartition'>;
  readonly close: () => void;
}

/**
 * The catalog of a lake, for the commands that switch partitions (`compact`, and `cloudtrail
 * ingest` of closed days): the local DuckDB catalog file for a local lake, the Glue database
 * (`--glue-database` or OPSLAKE_GLUE_DATABASE) for an S3 lake. Undefined when none is named.
 */
export async function openCompactionCatalog(options: {
  readonly lake: string;
  readonly lakeDir: string;
  readonly catalogPath: string | undefined;
  readonly glueDatabase: string | undefined;
}): Promise<OpenedCompactionCatalog | undefined> {
  if (!options.lake.startsWith('s3://')) {
    const path = options.catalogPath;
    if (path === undefined) return undefined;
    const opened = await openDuckDb({ path }).catch((error: unknown) => {
      throw new CatalogError(`could not open the DuckDB catalog ${path} (another opslake command may have it open)`, { cause: error });
    });
    return {
      catalog: new DuckDbCatalog({ connection: opened.connection, lakeDir: options.lakeDir }),
      close: () => {
        opened.connection.closeSync();
        opened.instance.closeSync();
      },
    };
  }
  const database = options.glueDatabase ?? environmentVariable(process.env, 'OPSLAKE_GLUE_DATABASE');
  if (database === undefined) return undefined;
  return { catalog: new GlueCatalog({ client: new GlueClient({}), database, lakeLocation: options.lake }), close: () => {} };
}
