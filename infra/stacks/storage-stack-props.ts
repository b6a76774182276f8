import type { StackProps } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-glue';
import type { AthenaViewDefinition } from '../constructs/athena-views.js';

/** Where the lake is, as the table definitions need it (the bucket name is a deploy-time token). */
export interface LakeLocation {
  readonly bucketName: string;
  /** Key prefix of the lake inside the bucket, without slashes at either end, e.g. `lake`. */
  readonly prefix: string;
}

/**
 * Builds the Glue tables (CloudFormation's `TableInput`) for a lake location; the app passes
 * one built on the catalog's `glueTableInput()`, so deployed tables equal the ones the CLI creates.
 */
export type TableInputsFactory = (lake: LakeLocation) => readonly CfnTable.TableInputProperty[];

/** An Athena named query (built from a file of `queries/` by `athenaNamedQueries()`). */
export interface NamedQueryDefinition {
  /** Unique within the workgroup. */
  readonly name: string;
  readonly description: string;
  readonly queryString: string;
}

export interface StorageStackProps extends StackProps {
  /** Lake prefix inside the bucket. Default `lake`. */
  readonly lakePrefix?: string;
  /** Glue database (also the Athena workgroup's name). Default `opslake`. */
  readonly glueDatabase?: string;
  /** The Glue tables of the lake. Default: none. */
  readonly tableInputs?: TableInputsFactory;
  /** Named queries saved in the workgroup. Default: none. */
  readonly namedQueries?: readonly NamedQueryDefinition[];
  /** Views created in Athena at deploy time, in dependency order. Default: none. */
  readonly views?: readonly AthenaViewDefinition[];
  /** Athena's per-query scan limit in bytes. Default 10 GiB. */
  readonly athenaBytesScannedCutoff?: number;
  /** Days before `<prefix>/_quarantine/` objects are deleted. Default 90. */
  readonly quarantineRetentionDays?: number;
  /** Days before replaced or deleted object versions are removed. Default 7. */
  readonly noncurrentVersionRetentionDays?: number;
  /** Destroy the data with the stack (bucket emptied, table and key deleted). Default false: retained. */
  readonly destroy?: boolean;
}
