import { dialectViews, SOURCE_VIEWS, type SourceViewName } from '../../tables/dialects.js';
import { STL_VIEW_NAMES } from '../../tables/stl-views.js';

/**
 * How a simulated source is deployed, which decides the system views it has:
 * - `provisioned`: the STL views (a classic cluster; its SYS views are not simulated);
 * - `serverless`: a Serverless workgroup, SYS views only, with per-minute usage;
 * - `multi-az`: a Multi-AZ provisioned cluster: SYS views (both zones, `compute_type`), and STL
 *   views that refuse to be read, with the error Redshift gives.
 */
export const DEPLOYMENTS = ['provisioned', 'serverless', 'multi-az'] as const;
export type Deployment = (typeof DEPLOYMENTS)[number];

/** The views a deployment holds rows in. */
export function simulatedViews(deployment: Deployment): readonly SourceViewName[] {
  if (deployment === 'provisioned') return STL_VIEW_NAMES;
  return dialectViews('sys', deployment === 'serverless' ? 'serverless' : 'provisioned');
}

/** Views whose rows change while their statement runs: a new version replaces the row of the same key. */
export function isVersioned(view: SourceViewName): boolean {
  const definition = SOURCE_VIEWS[view];
  return definition.terminal !== undefined || view === 'sys_serverless_usage';
}
