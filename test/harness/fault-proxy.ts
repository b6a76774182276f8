import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeededRandom } from '../../pipeline/simulators/seeded-random.js';

/**
 * An HTTP proxy in front of a local stand-in (s3rver, dynalite) that answers some requests with
 * the errors the real services send under load, on a seeded schedule: S3's `503 SlowDown` and
 * `500 InternalError`, DynamoDB's `ProvisionedThroughputExceededException` and `500
 * InternalServerError`. Every other request is passed through untouched. The same seed gives the
 * same schedule of faults (the n-th request gets the same answer), whatever the timing.
 *
 * ```ts
 * const proxy = await startFaultProxy({ target: s3.endpoint, service: 's3', seed: 7, rate: 0.2 });
 * const client = s3.client({ endpoint: proxy.endpoint });
 * ```
 */
export type FaultKind = 'throttle' | 'server-error';

export interface FaultProxy {
  readonly endpoint: string;
  /** Faults answered so far, by kind. */
  readonly injected: Record<FaultKind, number>;
  /** Requests passed through to the stand-in. */
  readonly passed: number;
  /** Stops (rate 0) or restarts injecting. */
  setRate(rate: number): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The stand-in's endpoint, `http://127.0.0.1:<port>`. */
  readonly target: string;
  readonly service: 's3' | 'dynamodb';
  readonly seed: number;
  /** Share of requests answered with a fault, 0..1. */
  readonly rate: number;
}

function answer(service: FaultProxyOptions['service'], kind: FaultKind, response: ServerResponse): void {
  if (service === 's3') {
    const [status, code, message] =
      kind === 'throttle'
        ? [503, 'SlowDown', 'Please reduce your request rate.']
        : [500, 'InternalError', 'We encountered an internal error.'];
    response.writeHead(status, { 'content-type': 'application/xml' });
    response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    return;
  }
  const [status, type, message] =
    kind === 'throttle'
      ? [
          400,
          'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          'The level of configured provisioned throughput was exceeded',
        ]
      : [500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error'];
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type.split('#')[1] ?? type });
  response.end(JSON.stringify({ __type: type, message }));
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = SeededRandom.fromSeed(options.seed);
  const target = new URL(options.target);
  const injected: Record<FaultKind, number> = { throttle: 0, 'server-error': 0 };
  let passed = 0;
  let rate = options.rate;

  const forward = (incoming: IncomingMessage, response: ServerResponse): void => {
    passed += 1;
    const outgoing = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    outgoing.on('error', () => {
      response.destroy();
    });
    incoming.pipe(outgoing);
  };

  const server = createServer((incoming, response) => {
    // Drawn for every request, faulted or not, so the schedule depends only on the request's rank.
    const draw = random.next();
    const kind: FaultKind = random.next() < 0.5 ? 'throttle' : 'server-error';
    if (draw >= rate) {
      forward(incoming, response);
      return;
    }
    injected[kind] += 1;
    // The body is read whole first, as a service does before it answers.
    incoming.resume();
    incoming.on('end', () => answer(options.service, kind, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    injected,
    get passed() {
      return passed;
    },
    setRate(next: number) {
      rate = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
