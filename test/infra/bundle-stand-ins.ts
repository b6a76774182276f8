import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { clusterDocument } from '../../infra/constructs/cluster-parameters.js';
import type { ClusterSettings } from '../../infra/opslake-settings.js';
import { startDynalite, type DynaliteServer } from '../harness/dynalite-server.js';
import { startS3rver, type S3rverServer } from '../harness/s3rver-server.js';
import type { Bundle, FunctionName } from './lambda-bundle-build.js';

const run = promisify(execFile);

/** Where no Data API answers: a run that reaches for it fails fast. */
export const NO_DATA_API = 'http://127.0.0.1:9';

export interface InvokeResult {
  /** What the handler returned. */
  readonly result: unknown;
  /** Where the bundle's `@duckdb/node-api` resolved from. */
  readonly duckdb: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Loads a bundle's handler in a fresh process, calls it with an event file and prints what it returned. */
const RUNNER = [
  "import { pathToFileURL } from 'node:url';",
  "import { createRequire } from 'node:module';",
  "import { readFileSync } from 'node:fs';",
  "import { join } from 'node:path';",
  'const [bundleDir, eventFile] = process.argv.slice(2);',
  "const { handler } = await import(pathToFileURL(join(bundleDir, 'index.mjs')).href);",
  "const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test', getRemainingTimeInMillis: () => 300000 };",
  "const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);",
  "const duckdb = createRequire(join(bundleDir, 'index.mjs')).resolve('@duckdb/node-api');",
  "process.stdout.write('RESULT ' + JSON.stringify({ result, duckdb }) + '\\n');",
].join('\n');

/**
 * The AWS a bundle meets on this machine: dynalite, s3rver and a stub of SSM, and a runner that
 * invokes a bundle's handler in a child process with the template's environment pointed at them.
 */
export class BundleStandIns {
  readonly ssmRequests: Array<{ target: string; body: Record<string, unknown> }> = [];
  /**
   * SSM has no stand-in: a stub answers GetParametersByPath with these clusters' documents,
   * built by the same function that writes them into the stack's parameters.
   */
  ssmClusters: ClusterSettings[] = [];
  dataApiEndpoint = NO_DATA_API;
  readonly s3Client: S3Client;
  readonly #dynamo: DynaliteServer;
  readonly #s3: S3rverServer;
  readonly #ssm: Server;
  readonly #workDir: string;
  readonly #runner: string;

  private constructor(dynamo: DynaliteServer, s3: S3rverServer, workDir: string) {
    this.#dynamo = dynamo;
    this.#s3 = s3;
    this.s3Client = s3.client();
    this.#workDir = workDir;
    this.#runner = join(workDir, 'run-handler.mjs');
    this.#ssm = createServer((request, response) => this.#answerSsm(request, response));
  }

  static async start(): Promise<BundleStandIns> {
    const workDir = mkdtempSync(join(tmpdir(), 'opslake-bundle-run-'));
    const dynamo = await startDynalite({ tableName: 'opslake-state' });
    const s3 = await startS3rver({ buckets: ['opslake-lake', 'org-trail-logs'] });
    const standIns = new BundleStandIns(dynamo, s3, workDir);
    standIns.#ssm.listen(0, '127.0.0.1');
    await once(standIns.#ssm, 'listening');
    writeFileSync(standIns.#runner, RUNNER);
    return standIns;
  }

  /** Runs a bundle in a child process with the template's environment, pointed at the stand-ins. */
  async invoke(fn: FunctionName, bundle: Bundle, event: unknown): Promise<InvokeResult> {
    const imports: Record<string, string> = {
      'Opslake-Storage:LakeBucketName': 'opslake-lake',
      'Opslake-Storage:StateTableName': this.#dynamo.tableName,
      'Opslake-Storage:LakeKeyArn': 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
    };
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(bundle.environment)) {
      const imported = (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
      environment[name] = typeof value === 'string' ? value : (imports[imported ?? ''] ?? '');
      expect(environment[name], `${name} resolves`).not.toBe('');
    }
    // No Glue stand-in exists: partitions are not registered here (the variable is optional).
    delete environment.OPSLAKE_GLUE_DATABASE;
    const eventFile = join(this.#workDir, `${fn}-event.json`);
    writeFileSync(eventFile, JSON.stringify(event));
    const { stdout, stderr } = await run(process.execPath, [this.#runner, bundle.dir, eventFile], {
      cwd: this.#workDir,
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: this.#workDir,
        TZ: 'UTC',
        ...environment,
        AWS_REGION: 'us-east-1',
        // s3rver checks the key id against its own default; the other stand-ins take any.
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_ENDPOINT_URL_S3: this.#s3.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: this.#dynamo.endpoint,
        AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(this.#ssm.address() as AddressInfo).port}`,
        AWS_ENDPOINT_URL_REDSHIFT_DATA: this.dataApiEndpoint,
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      },
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${fn} failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const line = stdout.split('\n').find((candidate) => candidate.startsWith('RESULT '));
    expect(line, `${fn} printed its result\n${stdout}\n${stderr}`).toBeDefined();
    const printed = JSON.parse((line ?? '').slice('RESULT '.length)) as { result: unknown; duckdb: string };
    return { result: printed.result, duckdb: printed.duckdb, stdout, stderr };
  }

  async close(): Promise<void> {
    await new Promise((resolveClose) => this.#ssm.close(resolveClose));
    await this.#s3.close();
    await this.#dynamo.close();
    rmSync(this.#workDir, { recursive: true, force: true });
  }

  #answerSsm(request: IncomingMessage, response: ServerResponse): void {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      this.ssmRequests.push({ target, body: JSON.parse(body || '{}') });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AmazonSSM.GetParametersByPath') {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'InvalidAction', message: target }));
        return;
      }
      const root = (JSON.parse(body) as { Path: string }).Path;
      const parameters = this.ssmClusters.map((cluster) => ({
        Name: `${root}/clusters/${cluster.name}`,
        Type: 'String',
        Value: JSON.stringify(clusterDocument(cluster)),
        Version: 1,
      }));
      response.end(JSON.stringify({ Parameters: parameters }));
    });
  }
}
