import { createHash } from 'node:crypto';
import { OpslakeError } from '../errors.js';
import type { PartitionValues } from '../ports/catalog.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';

/** An object as a manifest names it: enough to tell it from a later object under the same key. */
export interface ObjectRef {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
}

export interface ManifestInput extends ObjectRef {
  readonly rows: number;
}

export interface ManifestOutput {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * `_manifest.json` of a generation, written after its parts and before the catalog points at it:
 * a generation folder without one is incomplete. It holds no time, so a rerun after a crash
 * writes the same bytes.
 */
export interface GenerationManifest {
  readonly format: 1;
  readonly table: string;
  readonly partition: PartitionValues;
  readonly generation: string;
  /** What the generation was made of: the parts of the one before and the live objects new since. */
  readonly inputs: readonly ManifestInput[];
  /**
   * Every live object whose rows are in this generation (this one's and every earlier one's):
   * a live object named here is not new, and goes once the grace period has passed.
   */
  readonly folded: readonly ObjectRef[];
  readonly outputs: readonly ManifestOutput[];
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly duplicatesRemoved: number;
}

/** Thrown when a manifest cannot be read: the lake holds something opslake did not write. */
export class ManifestError extends OpslakeError {
  constructor(key: string, problem: string, options: { cause?: unknown } = {}) {
    super(`generation manifest ${key}: ${problem}`, options);
    this.name = 'ManifestError';
  }
}

export function objectRef(info: ObjectInfo): ObjectRef {
  return info.etag === undefined ? { key: info.key, size: info.size } : { key: info.key, size: info.size, etag: info.etag };
}

/** Whether `info` is the object `ref` names: same key and size, and the same ETag where both have one. */
export function sameObject(ref: ObjectRef, info: ObjectRef): boolean {
  return ref.key === info.key && ref.size === info.size && (ref.etag === undefined || info.etag === undefined || ref.etag === info.etag);
}

function byKey(a: ObjectRef, b: ObjectRef): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The generation of a set of inputs: a hash of their keys, sizes and ETags, in key order. The
 * same inputs always make the same generation, so a rerun after a crash writes the same folder
 * (and finds its manifest when it got that far) instead of starting a second one.
 */
export function generationId(inputs: readonly ObjectRef[]): string {
  const lines = [...inputs].sort(byKey).map((input) => `${input.key}\t${input.size}\t${input.etag ?? ''}`);
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex').slice(0, 24);
}

export function serializeManifest(manifest: GenerationManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function parseManifest(key: string, text: string): GenerationManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(key, 'is not JSON', { cause: error });
  }
  const manifest = parsed as Partial<GenerationManifest> | null;
  if (
    manifest?.format !== 1 ||
    typeof manifest.generation !== 'string' ||
    !Array.isArray(manifest.inputs) ||
    !Array.isArray(manifest.folded) ||
    !Array.isArray(manifest.outputs)
  ) {
    throw new ManifestError(key, 'is not a format-1 manifest (format, generation, inputs, folded, outputs)');
  }
  return manifest as GenerationManifest;
}

/** The manifest at `key`, or undefined when there is none (the generation is incomplete or was never written). */
export async function readManifest(lake: ObjectStore, key: string): Promise<GenerationManifest | undefined> {
  if ((await lake.head(key)) === undefined) return undefined;
  return parseManifest(key, (await lake.getBytes(key)).toString('utf8'));
}

/** Every item of a listing. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
