import type { ClusterConfig } from '../../config/opslake-config.js';

/** The fields of ExecuteStatement that say where and as whom a statement runs. */
export interface Target {
  readonly Database: string;
  readonly ClusterIdentifier?: string;
  readonly WorkgroupName?: string;
  readonly DbUser?: string;
  readonly SecretArn?: string;
}

/** Where and as whom a configured source's statements run: its cluster or workgroup, database and credentials. */
export function targetOf(cluster: ClusterConfig): Target {
  const where =
    cluster.kind === 'serverless'
      ? { WorkgroupName: cluster.workgroupName ?? cluster.name }
      : { ClusterIdentifier: cluster.clusterIdentifier ?? cluster.name };
  const auth = cluster.auth;
  const who = auth.type === 'db-user' ? { DbUser: auth.dbUser } : auth.type === 'secret' ? { SecretArn: auth.secretArn } : {};
  return { Database: cluster.database, ...where, ...who };
}
