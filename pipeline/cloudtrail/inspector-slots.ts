import { type CloudTrailGroup, type CloudTrailValueKind, isGroup } from '../tables/cloudtrail-tables.js';

/**
 * The members the inspector knows, compiled from the registry's field tree into lookups that
 * take a member name as bytes: a record's names are matched without making strings of them.
 */

/** What the inspector reads from a member besides its type: partition values and Insight markers. */
const ROLE_NONE = 0;
export const ROLE_ACCOUNT = 1;
export const ROLE_REGION = 2;
export const ROLE_MARKER = 3;
export const ROLE_DAY = 4;

const ROLES: Readonly<Record<string, number>> = {
  recipientAccountId: ROLE_ACCOUNT,
  awsRegion: ROLE_REGION,
  eventType: ROLE_MARKER,
  eventCategory: ROLE_MARKER,
  eventTime: ROLE_DAY,
};

/** A member the inspector knows: its name as bytes, its column type or its nested group, its role. */
export interface Slot {
  readonly key: Uint8Array;
  readonly kind: CloudTrailValueKind | undefined;
  readonly group: SlotGroup | undefined;
  readonly name: string;
  readonly role: number;
  /** Inspection number in which this member was last seen: a second sighting is a duplicate key. */
  seen: number;
}

export interface SlotGroup {
  readonly slots: ReadonlyMap<number, readonly Slot[]>;
}

/**
 * A cheap signature of a member name (its length and three of its bytes): names are looked up
 * without making strings of them, and a match is confirmed byte by byte.
 */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  const first = bytes[start] ?? 0;
  const middle = bytes[start + (length >> 1)] ?? 0;
  return ((length << 24) ^ (first << 16) ^ (middle << 8) ^ (bytes[end - 1] ?? 0)) >>> 0;
}

/** The slots of a group of the registry's field tree; only root members have roles. */
export function compileSlots(group: CloudTrailGroup, root = true): SlotGroup {
  const slots = new Map<number, Slot[]>();
  for (const [name, node] of Object.entries(group.members)) {
    const key = Buffer.from(name, 'latin1');
    const role = root ? (ROLES[name] ?? ROLE_NONE) : ROLE_NONE;
    const slot: Slot = {
      key,
      name,
      role,
      kind: isGroup(node) ? undefined : node.kind,
      group: isGroup(node) ? compileSlots(node, false) : undefined,
      seen: -1,
    };
    const hash = hashBytes(key, 0, key.length);
    slots.set(hash, [...(slots.get(hash) ?? []), slot]);
  }
  return { slots };
}

/** The slot of the member whose name is the bytes [start, end), or undefined when the group has none. */
export function lookupSlot(group: SlotGroup, bytes: Uint8Array, start: number, end: number): Slot | undefined {
  const candidates = group.slots.get(hashBytes(bytes, start, end));
  if (candidates === undefined) return undefined;
  for (const slot of candidates) {
    if (slot.key.length !== end - start) continue;
    let same = true;
    for (let i = 0; i < slot.key.length; i += 1) {
      if (slot.key[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return slot;
  }
  return undefined;
}
