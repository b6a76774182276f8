import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * s3rver (the S3 wire protocol over a temp folder) for adapter tests.
 *
 * s3rver signs its ListObjectsV2 continuation tokens with DES, which Node 17+ only offers under
 * `--openssl-legacy-provider`; without it every paginated listing answers 500. The server
 * therefore runs in a child Node process started with that flag, so the test process keeps
 * the default OpenSSL provider. The child exits when its stdin closes, so it cannot outlive a
 * test process that dies.
 *
 * ```ts
 * let s3: S3rverServer;
 * beforeAll(async () => { s3 = await startS3rver({ buckets: ['lake'] }); });
 * afterAll(() => s3?.close());
 * const store = new S3ObjectStore({ client: s3.client(), bucket: 'lake' });
 * ```
 *
 * Known s3rver gaps to keep in mind:
 * - listings with a `Delimiter` lose common prefixes two or more levels deep: list without one;
 * - listings come in folder-walk order, not S3's byte order, where a name sorts between a
 *   folder `d` and `d/` (`a-b` or `a.txt` next to `a/x`); a paginated listing can then even
 *   skip such keys at a page boundary. Keys that share one layout (`p=1/q=2/name`) are safe;
 * - server-side encryption headers are accepted and ignored.
 */
export interface S3rverServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The folder s3rver stores buckets in (removed by `close`). */
  readonly directory: string;
  /**
   * A client for this server: path-style, dummy credentials, us-east-1, and checksums only when
   * required (with the SDK's default checksums s3rver stores streamed bodies with their chunk
   * framing). `overrides` are merged last.
   */
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  createBucket(name: string): Promise<void>;
  /** Stops the server and removes its folder. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartS3rverOptions {
  /** Buckets created before `startS3rver` returns. */
  readonly buckets?: readonly string[];
}

/** Client settings every test client of a local S3 stand-in needs; exported for tests that build their own. */
export function s3rverClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

// CommonJS, run with `node -e`: argv[1] is the s3rver module path, argv[2] the folder, argv[3]
// the buckets as JSON. Prints one JSON line with the port once listening.
const CHILD_SCRIPT = `
const [modulePath, directory, bucketsJson] = process.argv.slice(1);
const S3rver = require(modulePath);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: JSON.parse(bucketsJson).map((name) => ({ name })),
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); },
);
process.stdin.on('end', () => { server.close().finally(() => process.exit(0)); });
process.stdin.resume();
`;

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    if (!child.stdout) {
      reject(new Error('s3rver was started without a stdout pipe'));
      return;
    }
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const onExit = (code: number | null) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr.trim()}`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      lines.close();
      // Keep draining so a chatty server can never block on a full pipe.
      child.stdout?.resume();
      try {
        resolvePort((JSON.parse(line) as { port: number }).port);
      } catch (error) {
        reject(new Error(`unexpected output from s3rver: ${line}`, { cause: error }));
      }
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}

/** Starts s3rver on 127.0.0.1 on a free port in a fresh temp folder. */
export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3rverServer> {
  const directory = await mkdtemp(join(tmpdir(), 'opslake-s3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  const env = { ...process.env };
  // A loader inherited from the test runner has no business in the child.
  delete env.NODE_OPTIONS;
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, modulePath, directory, JSON.stringify(options.buckets ?? [])],
    { stdio: ['pipe', 'pipe', 'pipe'], env },
  );
  let port: number;
  try {
    port = await waitForPort(child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  let closed: Promise<void> | undefined;

  const client = (overrides: Partial<S3ClientConfig> = {}): S3Client => {
    const created = new S3Client({ ...s3rverClientConfig(endpoint), ...overrides });
    clients.push(created);
    return created;
  };

  return {
    endpoint,
    directory,
    client,
    async createBucket(name: string) {
      const admin = client();
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    close() {
      closed ??= (async () => {
        for (const created of clients) created.destroy();
        child.stdin?.end();
        await waitForExit(child);
        await rm(directory, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
