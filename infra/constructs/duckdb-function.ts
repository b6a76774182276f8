import { Duration, type RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { PROJECT_ROOT, duckDbBundling } from '../bundling/duckdb-bundling.js';
import type { LambdaArch } from '../opslake-settings.js';

export interface DuckDbFunctionProps {
  /** Handler source, relative to the repository root (e.g. `jobs/stl-export/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  readonly arch: LambdaArch;
  readonly environment: Readonly<Record<string, string>>;
  /** Default 1024 MB. */
  readonly memorySize?: number;
  /** Default 5 minutes. */
  readonly timeout?: Duration;
  /** /tmp size, where DuckDB writes Parquet before upload. Default 1024 MiB. */
  readonly ephemeralStorage?: Size;
  /** Default: unreserved. */
  readonly reservedConcurrentExecutions?: number;
  /** Default three months. */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * A Node.js Lambda function that ships DuckDB, with its own role and log group. The role starts
 * with nothing but writing to that log group (no managed policy): every other permission is
 * added by the construct that uses the function, scoped to what it touches.
 */
export class DuckDbFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DuckDbFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (function role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: props.arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      description: props.description,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      ephemeralStorageSize: props.ephemeralStorage ?? Size.mebibytes(1024),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...props.environment },
      bundling: duckDbBundling(props.arch),
    });
  }
}
