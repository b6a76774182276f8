import type { ClusterConfig } from '../../config/opslake-config.js';
import type { SqlStatement } from '../../ports/sql-runner.js';

/** What the Data API runner sends with its calls: where a statement runs, which page it asks for, and what its messages may quote. */

/** The fields of ExecuteStatement that say where and as whom a statement runs. */
export interface Target {
  readonly Database: string;
  readonly ClusterIdentifier?: string;
  readonly WorkgroupName?: string;
  readonly DbUser?: string;
  readonly SecretArn?: string;
}

/** The page of statement `id` after `token` (the first without one). */
export function after(id: string, token: string | undefined): { Id: string; NextToken?: string } {
  return { Id: id, ...(token === undefined ? {} : { NextToken: token }) };
}

export function targetOf(cluster: ClusterConfig): Target {
  const where =
    cluster.kind === 'serverless'
      ? { WorkgroupName: cluster.workgroupName ?? cluster.name }
      : { ClusterIdentifier: cluster.clusterIdentifier ?? cluster.name };
  const auth = cluster.auth;
  const who = auth.type === 'db-user' ? { DbUser: auth.dbUser } : auth.type === 'secret' ? { SecretArn: auth.secretArn } : {};
  return { Database: cluster.database, ...where, ...who };
}

/**
 * Messages from the service or the database may quote what was sent (`invalid input syntax for
 * type timestamp: "..."`): parameter values are replaced by their names. Values shorter than
 * four characters are left, since hiding them would garble ordinary words and numbers.
 */
export function redact(text: string, statement: SqlStatement): string {
  const values = Object.entries(statement.parameters)
    .filter(([, value]) => value.length >= 4)
    .sort(([, a], [, b]) => b.length - a.length);
  let out = text;
  for (const [name, value] of values) out = out.split(value).join(`:${name}`);
  return out;
}
