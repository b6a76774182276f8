import { partitionPrefix, partitionValues } from '../lake/lake-layout.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import { parseCloudTrailKey } from './cloudtrail-key.js';
import {
  CLOUDTRAIL_QUARANTINE_PREFIX,
  cloudTrailObject,
  cloudTrailTable,
  quarantineHash,
  quarantinedHash,
  type CloudTrailTableKind,
} from './cloudtrail-lake-layout.js';

function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Decides which inputs are already in the lake. An input's objects are named by the hash of
 * its key, and a file's events lie (almost always) on its delivery day or the day before, so
 * looking in those two partitions of its account and region finds it without listing the
 * whole lake. A miss only costs a re-ingestion, which overwrites the same objects. A file
 * whose objects were being uploaded when a run was killed may be found with only some of
 * them: `--force` over its time range redoes it.
 */
export class CloudTrailLakeIndex {
  readonly #lake: ObjectStore;
  readonly #listed = new Map<string, Promise<Set<string>>>();
  #quarantined: Promise<Set<string>> | undefined;

  constructor(lake: ObjectStore) {
    this.#lake = lake;
  }

  /** True when the input's objects are in the lake, or when it was quarantined (its copy is its output). */
  async has(key: string): Promise<boolean> {
    const parsed = parseCloudTrailKey(key);
    if ((await this.#quarantinedHashes()).has(quarantineHash(key))) return true;
    if (!parsed.ok) return false;
    const kind: CloudTrailTableKind = parsed.key.kind === 'insight' ? 'insights' : 'events';
    const table = cloudTrailTable(kind);
    for (const day of [parsed.key.deliveryDate, dayBefore(parsed.key.deliveryDate)]) {
      const partition = partitionValues(table, { account: parsed.key.account, region: parsed.key.region, day });
      const keys = await this.#keys(partitionPrefix(table, partition));
      if (keys.has(cloudTrailObject(kind, partition, key).key)) return true;
    }
    return false;
  }

  #keys(prefix: string): Promise<Set<string>> {
    let keys = this.#listed.get(prefix);
    if (keys === undefined) {
      keys = collect(this.#lake.list(prefix), (info) => info.key);
      this.#listed.set(prefix, keys);
    }
    return keys;
  }

  #quarantinedHashes(): Promise<Set<string>> {
    this.#quarantined ??= collect(this.#lake.list(CLOUDTRAIL_QUARANTINE_PREFIX), (info) => quarantinedHash(info.key));
    return this.#quarantined;
  }
}

async function collect(infos: AsyncIterable<ObjectInfo>, name: (info: ObjectInfo) => string): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const info of infos) names.add(name(info));
  return names;
}
