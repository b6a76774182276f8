import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { PGlite } from '@electric-sql/pglite';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import type { SqlRunner } from '../../pipeline/ports/sql-runner.js';
import { DataApiSqlRunner } from '../../pipeline/redshift/sql/data-api-sql-runner.js';
import { PgSqlRunner } from '../../pipeline/redshift/sql/pg-sql-runner.js';
import { servePglite } from '../../pipeline/redshift/sql/pglite-server.js';

export interface OpenRunnerOptions {
  readonly redshiftData?: RedshiftDataClient;
  /** Databases already open in this process (the demo's simulated clusters), by cluster name. */
  readonly openDatabases?: ReadonlyMap<string, PGlite>;
}

/**
 * The SqlRunner for one configured cluster: the Data API in production, the wire protocol for a
 * PostgreSQL URL, and for a PGlite folder a wire-protocol server on loopback over it, so that
 * the local mode exercises the same `pg` adapter as a real PostgreSQL.
 */
export async function openSqlRunner(cluster: ClusterConfig, options: OpenRunnerOptions = {}): Promise<SqlRunner> {
  const connection = cluster.connection;
  const parameter = `clusters.${cluster.name}`;
  switch (connection.type) {
    case 'data-api':
      return new DataApiSqlRunner({ client: options.redshiftData ?? new RedshiftDataClient({}), cluster });
    case 'postgres':
      return new PgSqlRunner({
        url: connection.url,
        ...(connection.password ? { password: connection.password } : {}),
        parameter: `${parameter}.postgres`,
      });
    case 'pglite': {
      const open = options.openDatabases?.get(cluster.name);
      const server = await servePglite(open ? { db: open } : { dataDir: connection.dataDir });
      const runner = new PgSqlRunner({ url: server.url, parameter: `${parameter}.pglite`, poolSize: 1 });
      return {
        pages: (statement) => runner.pages(statement),
        columns: (statement) => runner.columns(statement),
        close: async () => {
          await runner.close();
          await server.close();
        },
      };
    }
  }
}
