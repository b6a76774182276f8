import type { DigestPublicKey, DigestPublicKeys } from '../../ports/digest-public-keys.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { isFinding } from '../../tables/cloudtrail-completeness-table.js';
import { parseCloudTrailKey } from '../cloudtrail-key.js';
import { type CompletenessRow, hourOf } from './day-completeness.js';
import type { DigestFile } from './digest-file.js';
import type { DigestLoader, LoadedDigest } from './digest-loader.js';
import { type ChainLink, checkDigest, type DigestCheckInput } from './digest-verdict.js';

export interface DigestCheckerOptions {
  readonly source: ObjectStore;
  readonly loader: DigestLoader;
  readonly publicKeys?: DigestPublicKeys;
  /** The period whose keys are asked for: every digest verified lies in it. */
  readonly keyRange: { readonly from: Date; readonly to: Date };
}

/** Where keys of the source lie in S3 terms: its bucket (unknown for a folder) and the prefix before its keys. */
function placeOf(source: ObjectStore): { bucket: string | undefined; keyPrefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(source.location);
  return match === null ? { bucket: undefined, keyPrefix: '' } : { bucket: match[1], keyPrefix: match[2] ?? '' };
}

/** The hour a digest's name gives its end (`..._20260301T100031Z.json.gz`), for a digest whose content says nothing. */
function hourOfDigestName(key: string): string | undefined {
  const match = /_(\d{4})(\d{2})(\d{2})T(\d{2})\d{4}Z(?:_backfill)?\.json(?:\.gz)?$/.exec(key);
  return match === null ? undefined : `${match[1]}-${match[2]}-${match[3]} ${match[4]}:00:00`;
}

/**
 * Turns loaded digests into rows of `cloudtrail_completeness`: each digest's placement,
 * signature and link to the previous digest of its chain. The digests of the days being
 * verified are remembered, so following a link costs nothing; a link to an older digest reads
 * that one from the source.
 */
export class DigestChecker {
  readonly #options: DigestCheckerOptions;
  readonly #place: { bucket: string | undefined; keyPrefix: string };
  readonly #known = new Map<string, LoadedDigest>();
  readonly #keys = new Map<string, Promise<readonly DigestPublicKey[]>>();

  constructor(options: DigestCheckerOptions) {
    this.#options = options;
    this.#place = placeOf(options.source);
  }

  remember(digest: LoadedDigest): void {
    this.#known.set(digest.key, digest);
  }

  /** Forgets digests delivered before `day`: no digest still to check links that far back. */
  forgetBefore(day: string): void {
    for (const [key, digest] of this.#known) if (digest.parsedKey.deliveryDate < day) this.#known.delete(key);
  }

  async row(loaded: LoadedDigest): Promise<CompletenessRow> {
    const { account, region, deliveryDate } = loaded.parsedKey;
    const base = { account, region, day: deliveryDate, kind: 'digest' as const, file_key: loaded.key, ledger_status: null };
    const digest = loaded.digest;
    if (digest === undefined) {
      const quarantined = loaded.quarantined;
      const detail = quarantined ? `${quarantined.message} (quarantined as ${quarantined.quarantineKey})` : 'not a digest';
      const hour = hourOfDigestName(loaded.key) ?? `${deliveryDate} 00:00:00`;
      const row = { ...base, hour, status: 'digest-malformed' as const, digest_key: null, expected_sha256: null, actual_sha256: null };
      return { ...row, finding: true, detail };
    }
    const previous = await this.#previous(digest);
    const verdict = checkDigest({
      digest,
      signature: loaded.signature,
      signatureAlgorithm: loaded.signatureAlgorithm,
      keys: this.#options.publicKeys ? await this.#keysFor(region) : undefined,
      foundIn: { bucket: this.#place.bucket, object: `${this.#place.keyPrefix}${loaded.key}` },
      previous,
    });
    return {
      ...base,
      hour: hourOf(digest.endTime),
      status: verdict.status,
      finding: isFinding(verdict.status),
      digest_key: digest.previous?.object ?? null,
      expected_sha256: digest.previous?.hashValue ?? null,
      actual_sha256: typeof previous === 'object' ? previous.sha256 : null,
      detail: verdict.detail ?? null,
    };
  }

  #keysFor(region: string): Promise<readonly DigestPublicKey[]> {
    const { publicKeys, keyRange } = this.#options;
    if (publicKeys === undefined) return Promise.resolve([]);
    let keys = this.#keys.get(region);
    if (keys === undefined) {
      keys = publicKeys.keysFor(region, keyRange.from, keyRange.to);
      this.#keys.set(region, keys);
    }
    return keys;
  }

  async #previous(digest: DigestFile): Promise<DigestCheckInput['previous']> {
    const link = digest.previous;
    if (link === undefined) return undefined;
    const { bucket, keyPrefix } = this.#place;
    if ((bucket !== undefined && link.bucket !== bucket) || !link.object.startsWith(keyPrefix)) return 'elsewhere';
    const key = link.object.slice(keyPrefix.length);
    let previous = this.#known.get(key);
    if (previous === undefined) {
      const parsed = parseCloudTrailKey(key);
      if (!parsed.ok) return 'absent';
      previous = await this.#options.loader.load(key, parsed.key);
      if (previous === undefined) return 'absent';
      this.#known.set(key, previous);
    }
    if (previous.digest === undefined) return 'unreadable';
    const found: ChainLink = { key, sha256: previous.digest.sha256, signature: previous.signature };
    return found;
  }
}
