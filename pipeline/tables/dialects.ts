import { QUERY_TEXT_TABLE } from './query-text-table.js';
import type { SourceView } from './source-view.js';
import { STL_VIEW_NAMES, STL_VIEWS, type StlViewName } from './stl-views.js';
import { SYS_VIEW_NAMES, SYS_VIEWS, type SysViewName } from './sys-views.js';

/**
 * The two families of system views a source is exported through. A provisioned cluster has
 * both; a Serverless workgroup and a Multi-AZ cluster can only be read through SYS. A view added
 * to a family's list (and declared like the others) is exported wherever that family is.
 */

export const SOURCE_VIEW_NAMES = [...STL_VIEW_NAMES, ...SYS_VIEW_NAMES] as const;
export type SourceViewName = StlViewName | SysViewName;

export const SOURCE_VIEWS: Readonly<Record<SourceViewName, SourceView<SourceViewName>>> = { ...STL_VIEWS, ...SYS_VIEWS };

export const DIALECT_NAMES = ['stl', 'sys'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** Where a source is deployed: only Serverless has views of its own (usage). */
export type SourceKind = 'provisioned' | 'serverless';

export interface Dialect {
  readonly name: DialectName;
  /** How the family is named to people: `STL`, `SYS`. */
  readonly title: string;
  readonly views: readonly SourceViewName[];
  /** Views that exist on Serverless workgroups only. */
  readonly serverlessOnly: readonly SourceViewName[];
  /**
   * One row per statement: the completion time borrowing views take, the oldest row that tells
   * whether the source dropped rows before they were exported (a gap), and, in SYS, the open
   * statements that hold slots back.
   */
  readonly statements: { readonly view: SourceViewName; readonly start: string; readonly end: string };
}

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  stl: {
    name: 'stl',
    title: 'STL',
    views: STL_VIEW_NAMES,
    serverlessOnly: [],
    statements: { view: 'stl_query', start: 'starttime', end: 'endtime' },
  },
  sys: {
    name: 'sys',
    title: 'SYS',
    views: SYS_VIEW_NAMES,
    serverlessOnly: ['sys_serverless_usage'],
    statements: { view: 'sys_query_history', start: 'start_time', end: 'end_time' },
  },
};

/** The views of a dialect that a source of this kind has. */
export function dialectViews(dialect: DialectName, kind: SourceKind): readonly SourceViewName[] {
  const { views, serverlessOnly } = DIALECTS[dialect];
  return kind === 'serverless' ? views : views.filter((view) => !serverlessOnly.includes(view));
}

/** What a source of this kind exports through a dialect: its views, then the derived `query_text`. */
export function dialectTables(
  dialect: DialectName,
  kind: SourceKind = 'provisioned',
): ReadonlyArray<SourceViewName | typeof QUERY_TEXT_TABLE> {
  return [...dialectViews(dialect, kind), QUERY_TEXT_TABLE];
}

/** The dialect a view belongs to. */
export function dialectOfView(view: SourceViewName): DialectName {
  return (STL_VIEW_NAMES as readonly string[]).includes(view) ? 'stl' : 'sys';
}
