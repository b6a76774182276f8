import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { DemoEventFactory } from './demo-event-factory.js';
import { analyticsStream, demoStreams } from './demo-trail.js';
import { SeededRandom } from '../seeded-random.js';

export interface LargeTrailFileOptions {
  readonly path: string;
  readonly seed: number;
  readonly start: Date;
  /** Stop once this many uncompressed bytes are written. */
  readonly uncompressedBytes: number;
  readonly clusterNames?: readonly string[];
  readonly gzipLevel?: number;
}

/**
 * Writes one gzip CloudTrail file of about `uncompressedBytes` (hundreds of MB for the
 * memory benchmark), streaming: the generator itself never holds more than a few events.
 */
export async function writeLargeTrailFile(options: LargeTrailFileOptions): Promise<{ events: number; uncompressedBytes: number }> {
  const random = SeededRandom.fromSeed(options.seed);
  const stream = analyticsStream(demoStreams(options.clusterNames ?? ['analytics', 'etl']));
  const factory = new DemoEventFactory(random, [stream.account]);
  let events = 0;
  let written = 0;
  const start = options.start.getTime();
  const body = Readable.from(
    (function* records() {
      let batch = '{"Records":[';
      while (written + batch.length < options.uncompressedBytes) {
        const at = new Date(start + Math.floor((events / 200) * 1000));
        batch += (events === 0 ? '' : ',') + JSON.stringify(factory.event(stream.account, stream.region, at));
        events += 1;
        if (batch.length >= 1 << 16) {
          written += Buffer.byteLength(batch);
          yield batch;
          batch = '';
        }
      }
      batch += ']}';
      written += Buffer.byteLength(batch);
      yield batch;
    })(),
  );
  await mkdir(dirname(options.path), { recursive: true });
  await pipeline(
    body,
    createGzip({ level: options.gzipLevel ?? 6, memLevel: constants.Z_DEFAULT_MEMLEVEL }),
    createWriteStream(options.path),
  );
  return { events, uncompressedBytes: written };
}
