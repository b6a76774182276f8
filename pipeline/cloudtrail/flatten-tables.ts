import {
  type CloudTrailColumn,
  type CloudTrailGroup,
  type CloudTrailValueKind,
  CLOUDTRAIL_EVENT_COLUMNS,
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_INSIGHT_COLUMNS,
  CLOUDTRAIL_INSIGHT_FIELDS,
  isGroup,
  SOURCE_KEY_COLUMN,
  UNKNOWN_FIELDS_COLUMN,
} from '../tables/cloudtrail-tables.js';
import type { CloudTrailTableKind } from './cloudtrail-lake-layout.js';

/**
 * The two CloudTrail tables as the flattener uses them: the registry's field tree compiled into
 * maps from member name to column, each column with the text that precedes its value in a line.
 */

interface LeafSlot {
  readonly index: number;
  readonly kind: CloudTrailValueKind;
  /** `,"c<index>":`, the text that precedes the value in a line. */
  readonly prefix: string;
}

interface GroupSlot {
  readonly group: CompiledGroup;
}

export type CompiledGroup = ReadonlyMap<string, LeafSlot | GroupSlot>;

export interface CompiledTable {
  readonly kind: CloudTrailTableKind;
  readonly root: CompiledGroup;
  readonly unknownPrefix: string;
  readonly sourceKeyPrefix: string;
  readonly eventTime: number;
  readonly account: number;
  readonly region: number;
}

function prefixOf(index: number): string {
  return `,"c${index}":`;
}

function compileGroup(group: CloudTrailGroup, columns: readonly CloudTrailColumn[], parent: readonly string[]): CompiledGroup {
  const compiled = new Map<string, LeafSlot | GroupSlot>();
  for (const [member, node] of Object.entries(group.members)) {
    const path = [...parent, member];
    if (isGroup(node)) {
      compiled.set(member, { group: compileGroup(node, columns, path) });
    } else {
      const index = columns.findIndex((column) => column.path.join('.') === path.join('.'));
      compiled.set(member, { index, kind: node.kind, prefix: prefixOf(index) });
    }
  }
  return compiled;
}

function compileTable(kind: CloudTrailTableKind, tree: CloudTrailGroup, columns: readonly CloudTrailColumn[]): CompiledTable {
  const indexOf = (name: string) => columns.findIndex((column) => column.name === name);
  return {
    kind,
    root: compileGroup(tree, columns, []),
    unknownPrefix: prefixOf(indexOf(UNKNOWN_FIELDS_COLUMN)),
    sourceKeyPrefix: `{"c${indexOf(SOURCE_KEY_COLUMN)}":`,
    eventTime: indexOf('eventtime'),
    account: indexOf('recipientaccountid'),
    region: indexOf('awsregion'),
  };
}

export const EVENTS_TABLE = compileTable('events', CLOUDTRAIL_EVENT_FIELDS, CLOUDTRAIL_EVENT_COLUMNS);

export const INSIGHTS_TABLE = compileTable('insights', CLOUDTRAIL_INSIGHT_FIELDS, CLOUDTRAIL_INSIGHT_COLUMNS);
