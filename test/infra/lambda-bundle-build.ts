import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { settingsFromContext, type ClusterSettings, type LambdaArch } from '../../infra/opslake-settings.js';
import { CLOUDTRAIL_CONTEXT, FLEET, buildTestApp } from './infra-test-app.js';
import { asList, resources, valueAt } from './template-queries.js';

/** The Lambda bundles as the pipeline stack synthesizes them, and what the tests read from them. */

/** Lambda's limit on a function's unzipped code; "well under" is a third of it. */
export const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
export const HOST_ARCH: LambdaArch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
export const ELF_MACHINE: Record<LambdaArch, number> = { arm64: 0xb7, x86_64: 0x3e };
export const NODE_ARCH: Record<LambdaArch, string> = { arm64: 'arm64', x86_64: 'x64' };

export type FunctionName = 'stl-export' | 'cloudtrail-ingest' | 'lake-compact';
export const FUNCTIONS: readonly FunctionName[] = ['stl-export', 'cloudtrail-ingest', 'lake-compact'];
const BY_SERVICE: Readonly<Record<string, FunctionName>> = {
  'opslake-stl-export': 'stl-export',
  'opslake-cloudtrail-ingest': 'cloudtrail-ingest',
  'opslake-lake-compact': 'lake-compact',
};

export interface Bundle {
  readonly dir: string;
  /** The function's environment in the template; imports from the storage stack still unresolved. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** A metric with the dimensions it is emitted or watched with. */
export interface MetricDimensions {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, unknown>;
}

export function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : statSync(path).size;
  }
  return total;
}

export function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  expect(header.readUInt32BE(0), `${file} is an ELF file`).toBe(0x7f454c46);
  return header.readUInt16LE(18);
}

/** Synthesizes the pipeline with real bundling for one architecture and finds each function's bundle. */
export async function bundlesFor(arch: LambdaArch): Promise<Record<FunctionName, Bundle>> {
  const result = await buildTestApp(
    { 'opslake:clusters': FLEET.slice(0, 1), ...CLOUDTRAIL_CONTEXT, 'opslake:arch': arch },
    { bundling: true },
  );
  const assembly = result.app.synth();
  const template = assembly.getStackByName(result.stacks.pipeline.stackName).template as { Resources: Record<string, unknown> };
  const found: Partial<Record<FunctionName, Bundle>> = {};
  for (const resource of Object.values(template.Resources)) {
    const variables = valueAt(resource, 'Properties', 'Environment', 'Variables');
    if (valueAt(resource, 'Type') !== 'AWS::Lambda::Function' || typeof variables !== 'object' || variables === null) continue;
    const service = valueAt(variables, 'POWERTOOLS_SERVICE_NAME');
    const name = BY_SERVICE[String(service)];
    if (name === undefined) throw new Error(`a function of an unknown service: ${String(service)}`);
    const hash = String(valueAt(resource, 'Properties', 'Code', 'S3Key')).replace(/\.zip$/, '');
    found[name] = { dir: join(result.outdir, `asset.${hash}`), environment: variables as Record<string, unknown> };
  }
  const { 'stl-export': stlExport, 'cloudtrail-ingest': cloudTrailIngest, 'lake-compact': lakeCompact } = found;
  expect(Object.keys(found).sort()).toEqual([...FUNCTIONS].sort());
  if (stlExport === undefined || cloudTrailIngest === undefined || lakeCompact === undefined) {
    throw new Error(`the ${arch} pipeline lacks a function`);
  }
  return { 'stl-export': stlExport, 'cloudtrail-ingest': cloudTrailIngest, 'lake-compact': lakeCompact };
}

export function clustersOf(clusters: unknown[]): ClusterSettings[] {
  return [...settingsFromContext((key) => (key === 'opslake:clusters' ? clusters : undefined)).clusters];
}

/** The opslake metrics the export's alarms of the pipeline stack watch, for the cluster `analytics`. */
export async function pipelineAlarmMetrics(): Promise<MetricDimensions[]> {
  const result = await buildTestApp({ 'opslake:clusters': FLEET.slice(0, 1) });
  return resources(result.template('pipeline'), 'AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm.Properties)
    .filter((properties) => properties.Namespace)
    .filter((properties) => asList(properties.Dimensions).some((d) => valueAt(d, 'Value') === 'opslake-stl-export'))
    .map((properties) => ({
      namespace: String(properties.Namespace),
      name: String(properties.MetricName),
      dimensions: Object.fromEntries(asList(properties.Dimensions).map((d) => [String(valueAt(d, 'Name')), valueAt(d, 'Value')])),
    }));
}

interface MetricDirective {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: Array<{ Name: string }>;
}

/** Every metric of the embedded-metric-format lines a function printed, with the dimensions of its first set. */
export function emittedMetrics(stdout: string): MetricDimensions[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .flatMap((blob) =>
      (valueAt(blob, '_aws', 'CloudWatchMetrics') as MetricDirective[]).flatMap((directive) =>
        directive.Metrics.map((metric) => ({
          namespace: directive.Namespace,
          name: metric.Name,
          dimensions: Object.fromEntries((directive.Dimensions[0] ?? []).map((dimension) => [dimension, blob[dimension]])),
        })),
      ),
    );
}
