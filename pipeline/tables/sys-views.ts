import {
  SYS_CONNECTION_LOG,
  SYS_LOAD_ERROR_DETAIL,
  SYS_LOAD_HISTORY,
  SYS_SERVERLESS_USAGE,
  SYS_UNLOAD_HISTORY,
  SYS_USERLOG,
} from './sys-log-views.js';
import { SYS_QUERY_DETAIL, SYS_QUERY_EXPLAIN, SYS_QUERY_HISTORY, SYS_QUERY_TEXT } from './sys-query-views.js';
import type { SourceView } from './source-view.js';

/**
 * The SYS monitoring views: the only ones on Redshift Serverless and on Multi-AZ clusters, also
 * present on provisioned clusters. Declared in `sys-query-views.ts` and `sys-log-views.ts`.
 */
export const SYS_VIEW_NAMES = [
  'sys_query_history',
  'sys_query_text',
  'sys_query_detail',
  'sys_query_explain',
  'sys_load_history',
  'sys_load_error_detail',
  'sys_unload_history',
  'sys_connection_log',
  'sys_userlog',
  'sys_serverless_usage',
] as const;

export type SysViewName = (typeof SYS_VIEW_NAMES)[number];

export const SYS_VIEWS: { readonly [N in SysViewName]: SourceView<N> } = {
  sys_query_history: SYS_QUERY_HISTORY,
  sys_query_text: SYS_QUERY_TEXT,
  sys_query_detail: SYS_QUERY_DETAIL,
  sys_query_explain: SYS_QUERY_EXPLAIN,
  sys_load_history: SYS_LOAD_HISTORY,
  sys_load_error_detail: SYS_LOAD_ERROR_DETAIL,
  sys_unload_history: SYS_UNLOAD_HISTORY,
  sys_connection_log: SYS_CONNECTION_LOG,
  sys_userlog: SYS_USERLOG,
  sys_serverless_usage: SYS_SERVERLESS_USAGE,
};

export { SYS_QUERY_TERMINAL } from './sys-query-views.js';
