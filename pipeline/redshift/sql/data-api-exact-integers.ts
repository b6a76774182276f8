import type { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';

/**
 * The Data API sends an int8 as a JSON number of any size, and the SDK parses it with
 * `JSON.parse`, which silently rounds anything beyond 2^53. Before the SDK parses a result page,
 * this turns each such `longValue` into a JSON string of the same digits, so that the runner
 * can return the exact decimal string. Values within the safe range are left as numbers.
 */
export function keepExactIntegers(command: GetStatementResultCommand): GetStatementResultCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (response.statusCode !== 200 || response.body === undefined) return result;
      const body = await bytesOf(response.body);
      if (body === undefined) return result;
      response.body = quoteUnsafeLongValues(body);
      return result;
    },
    // Low priority within `deserialize` runs closest to the transport: after the response
    // arrives and before the SDK's deserializer reads it.
    { step: 'deserialize', priority: 'low', name: 'opslakeKeepExactIntegers' },
  );
  return command;
}

/**
 * Only keys are followed by a colon in JSON, and no key in a result page can hold user text,
 * so the pattern cannot match inside a string value.
 */
const LONG_VALUE = /"longValue"\s*:\s*(-?\d{16,})(?=\s*[,}\]])/g;

export function quoteUnsafeLongValues(body: Uint8Array): Uint8Array {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let changed = false;
  const fixed = text.replace(LONG_VALUE, (match, digits: string) => {
    if (Number.isSafeInteger(Number(digits))) return match;
    changed = true;
    return `"longValue":"${digits}"`;
  });
  return changed ? new Uint8Array(Buffer.from(fixed, 'utf8')) : body;
}

async function bytesOf(body: unknown): Promise<Uint8Array | undefined> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
  return undefined;
}
