import type { ObjectInfo } from '../ports/object-store.js';
import { type GenerationManifest, generationId, type ObjectRef, objectRef, sameObject } from './generation-manifest.js';

/** What a partition's compaction has to do, decided from listings alone (pure). */
export type CompactionPlan =
  /** Readers' objects are all compacted (or there are none): nothing to write. */
  | { readonly kind: 'nothing-new' }
  | {
      readonly kind: 'compact';
      /** The generation the inputs make. */
      readonly generation: string;
      /** The current generation's parts and the new live objects, in key order. */
      readonly inputs: readonly ObjectRef[];
      /** Live objects not in any generation yet. */
      readonly fresh: readonly ObjectRef[];
      /** Every live object whose rows the new generation holds. */
      readonly folded: readonly ObjectRef[];
    };

export interface PlanListing {
  /** The manifest of the generation readers are on; undefined while they read the live folder. */
  readonly current: GenerationManifest | undefined;
  /** The Parquet parts of that generation, as listed. */
  readonly currentParts: readonly ObjectInfo[];
  /** Objects directly in the live folder, as listed. */
  readonly live: readonly ObjectInfo[];
}

function byKey(a: ObjectRef, b: ObjectRef): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The live objects a generation does not hold yet are new; with none, there is nothing to do.
 * Otherwise the next generation is made of the current one's parts and the new objects (a late
 * file, a redo), so it holds every row readers see now plus the new ones, de-duplicated again.
 */
export function planCompaction(listing: PlanListing): CompactionPlan {
  const folded = listing.current?.folded ?? [];
  const fresh = listing.live
    .map(objectRef)
    .filter((info) => !folded.some((ref) => sameObject(ref, info)))
    .sort(byKey);
  if (fresh.length === 0) return { kind: 'nothing-new' };
  const parts = listing.current === undefined ? [] : listing.currentParts.map(objectRef);
  const inputs = [...parts, ...fresh].sort(byKey);
  const stillLive = folded.filter((ref) => listing.live.some((info) => sameObject(ref, objectRef(info))));
  return { kind: 'compact', generation: generationId(inputs), inputs, fresh, folded: [...stillLive, ...fresh].sort(byKey) };
}

/** Objects of a folder listing that are data: directly in the folder, not hidden (`_`, `.`), as Athena reads them. */
export function dataObjects(listing: readonly ObjectInfo[], folder: string): ObjectInfo[] {
  return listing.filter((info) => {
    const name = info.key.slice(folder.length);
    return info.key.startsWith(folder) && name !== '' && !name.includes('/') && !name.startsWith('_') && !name.startsWith('.');
  });
}
