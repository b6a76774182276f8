/**
 * What an S3 key of a CloudTrail bucket says about the file behind it. Keys look like
 * `[<prefix>/]AWSLogs/[<o-orgid>/]<account>/<folder>/<region>/<YYYY>/<MM>/<DD>/<name>`; the
 * prefix may itself contain `/` (even an `AWSLogs` segment), so the parser tries every
 * `AWSLogs` segment and takes the first that is followed by a valid layout.
 */

/**
 * `events`: management, data events (folder `CloudTrail`). `insight`: `CloudTrail-Insight`.
 * `digest`: integrity digests (skipped). `network-activity` and `aggregated` are separate
 * streams that are not ingested into either table.
 */
export type CloudTrailFileKind = 'events' | 'insight' | 'digest' | 'network-activity' | 'aggregated';

export interface CloudTrailKey {
  readonly kind: CloudTrailFileKind;
  /** Everything before `AWSLogs/` (without the trailing `/`); empty when there is none. */
  readonly prefix: string;
  /** Organization id (`o-...`) of an organization trail. */
  readonly organizationId: string | undefined;
  /** Account the file belongs to (12 digits, as in the key). */
  readonly account: string;
  readonly region: string;
  /** Date folder of the key (`YYYY-MM-DD`): the day the file was delivered, not the events' day. */
  readonly deliveryDate: string;
  /** Delivery minute from the file name (`..._20240305T1410Z_...`), when the name carries one. */
  readonly deliveredAt: Date | undefined;
  readonly fileName: string;
}

export type CloudTrailKeyResult = { readonly ok: true; readonly key: CloudTrailKey } | { readonly ok: false; readonly reason: string };

const FOLDERS: Readonly<Record<string, CloudTrailFileKind>> = {
  CloudTrail: 'events',
  'CloudTrail-Insight': 'insight',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-NetworkActivity': 'network-activity',
  'CloudTrail-Aggregated': 'aggregated',
};

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const FILE_NAME = /^[A-Za-z0-9._+=@-]+\.json(\.gz)?$/;
const DELIVERED_AT = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z(?:_|\.|$)/;

function fail(reason: string): CloudTrailKeyResult {
  return { ok: false, reason };
}

function isValidDate(year: string, month: string, day: string): boolean {
  if (!/^\d{4}$/.test(year) || !/^\d{2}$/.test(month) || !/^\d{2}$/.test(day)) return false;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

function deliveredAtOf(fileName: string): Date | undefined {
  const match = DELIVERED_AT.exec(fileName);
  if (!match) return undefined;
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute));
  return date.getUTCHours() === hour && date.getUTCDate() === day && minute < 60 ? date : undefined;
}

/** Parses the layout that follows one `AWSLogs` segment (`rest` starts right after it). */
function parseAfterAwsLogs(prefix: string, rest: readonly string[]): CloudTrailKeyResult {
  let at = 0;
  let organizationId: string | undefined;
  const first = rest[at];
  if (first?.startsWith('o-')) {
    if (!ORGANIZATION_ID.test(first))
      return fail(`"${first}" after AWSLogs/ is not an organization id (o- and 10-32 lower-case letters or digits)`);
    organizationId = first;
    at += 1;
  }
  const account = rest[at];
  if (account === undefined || !ACCOUNT_ID.test(account)) {
    return fail(
      `expected a 12-digit account id after AWSLogs/${organizationId ? `${organizationId}/` : ''}, ` +
        `found ${account === undefined ? 'nothing' : `"${account}"`}`,
    );
  }
  const folder = rest[at + 1];
  const kind = folder === undefined ? undefined : FOLDERS[folder];
  if (kind === undefined) {
    return fail(
      'expected CloudTrail, CloudTrail-Insight or CloudTrail-Digest after the account id, ' +
        `found ${folder === undefined ? 'nothing' : `"${folder}"`}`,
    );
  }
  const [region, year, month, day, fileName, ...extra] = rest.slice(at + 2);
  if (region === undefined || !REGION.test(region))
    return fail(`expected a region after ${folder}/, found ${region === undefined ? 'nothing' : `"${region}"`}`);
  if (year === undefined || month === undefined || day === undefined || !isValidDate(year, month, day)) {
    return fail(
      `expected a YYYY/MM/DD date folder after the region, found "${[year, month, day].filter((s) => s !== undefined).join('/')}"`,
    );
  }
  if (fileName === undefined || fileName === '') return fail('the key names a folder, not a file');
  if (extra.length > 0) return fail(`unexpected folders after the date: "${[fileName, ...extra].join('/')}"`);
  if (!FILE_NAME.test(fileName)) return fail(`"${fileName}" is not a CloudTrail log file name (expected a name ending in .json.gz)`);
  return {
    ok: true,
    key: {
      kind,
      prefix,
      organizationId,
      account,
      region,
      deliveryDate: `${year}-${month}-${day}`,
      deliveredAt: deliveredAtOf(fileName),
      fileName,
    },
  };
}

/** Parses a (decoded) S3 key; a key that is not a CloudTrail file comes back refused with the reason. */
export function parseCloudTrailKey(key: string): CloudTrailKeyResult {
  if (key === '') return fail('the key is empty');
  const segments = key.split('/');
  let firstRefusal: CloudTrailKeyResult | undefined;
  for (let index = 0; index < segments.length; index += 1) {
    if (segments[index] !== 'AWSLogs') continue;
    const result = parseAfterAwsLogs(segments.slice(0, index).join('/'), segments.slice(index + 1));
    if (result.ok) return result;
    firstRefusal ??= result;
  }
  return firstRefusal ?? fail('no AWSLogs/ segment: not a CloudTrail log file key');
}

/**
 * S3 event notifications carry keys URL-encoded, with `+` for a space (form encoding). Decode
 * once, exactly here: a key decoded twice would turn a real `%` or `+` into something else.
 */
export function decodeS3NotificationKey(raw: string): string {
  return decodeURIComponent(raw.replaceAll('+', ' '));
}

/** The ledger's day of an input whose key does not parse (a stray object in the bucket). */
export const UNKNOWN_LEDGER_DAY = 'unknown';

/**
 * The day a ledger entry of `key` is filed under: its delivery date folder (`YYYY-MM-DD`), or
 * `unknown` when the key is not a CloudTrail key. Entries and lookups both use this function,
 * so a state store can find an entry from the key alone.
 */
export function ledgerDay(key: string): string {
  const parsed = parseCloudTrailKey(key);
  return parsed.ok ? parsed.key.deliveryDate : UNKNOWN_LEDGER_DAY;
}
