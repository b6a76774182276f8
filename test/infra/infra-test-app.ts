import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/bundling/duckdb-bundling.js';
import { loadLakeSources, type LakeSources } from '../../infra/lake-sources.js';
import { addOpslakeStacks, type OpslakeStacks } from '../../infra/opslake-app.js';
import { settingsFromContext, type OpslakeSettings } from '../../infra/opslake-settings.js';

/** The context of cdk.json: the app's feature flags and defaults, as `cdk synth` sees them. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const WORKGROUP_ARN = `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/0123abcd-0123-4567-89ab-0123456789ab`;
/** A second workgroup, reached with the export's own IAM identity (temporary credentials). */
export const IAM_WORKGROUP_ARN = `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/89abcdef-0123-4567-89ab-0123456789ab`;
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:opslake-bi-AbCdEf`;
export const SECRET_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
export const TRAIL_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/66666666-7777-8888-9999-000000000000`;

/** A fleet with each kind of source and each kind of credential. */
export const FLEET = [
  { name: 'analytics', kind: 'provisioned', clusterIdentifier: 'analytics-prod', database: 'dev', dbUser: 'opslake_reader' },
  {
    name: 'bi',
    kind: 'serverless',
    workgroupName: 'bi',
    workgroupArn: WORKGROUP_ARN,
    database: 'bi',
    secretArn: SECRET_ARN,
    secretKmsKeyArn: SECRET_KEY_ARN,
    tables: ['sys_query_history', 'query_text'],
  },
  { name: 'etl', kind: 'provisioned', clusterIdentifier: 'etl-prod', database: 'etl', dbUser: 'opslake_reader', enabled: false },
];

export const CLOUDTRAIL_CONTEXT: Record<string, unknown> = {
  'opslake:cloudTrailBucket': 'org-trail-logs',
  'opslake:cloudTrailPrefix': 'AWSLogs/',
  'opslake:cloudTrailKmsKeyArn': TRAIL_KEY_ARN,
};

/** Every feature on: the fleet, CloudTrail, an alarm e-mail. */
export const FULL_CONTEXT: Record<string, unknown> = {
  'opslake:clusters': FLEET,
  ...CLOUDTRAIL_CONTEXT,
  'opslake:alarmEmail': 'ops@example.com',
};

export interface SynthOptions {
  /** Real asset bundling (slow); off by default, as the templates do not depend on it. */
  readonly bundling?: boolean;
  /** Adds the AwsSolutions checks to the app. */
  readonly nag?: boolean;
  /**
   * CDK's built-in check of the templates against the CloudFormation schemas. It costs several
   * seconds a synth, so only the tests that are about validity turn it on.
   */
  readonly cfnValidation?: boolean;
  readonly sources?: LakeSources;
}

export interface SynthResult {
  readonly app: App;
  readonly settings: OpslakeSettings;
  readonly stacks: OpslakeStacks;
  readonly outdir: string;
  template(stack: 'storage' | 'pipeline' | 'quickSight'): Template;
}

const outdirs: string[] = [];

/** Removes the cloud assemblies this file's apps wrote (bundles are tens of MB each): for afterAll. */
export function removeTestApps(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds the app as `infra/app.ts` does, with cdk.json's context under the given values. */
export async function buildTestApp(context: Record<string, unknown>, options: SynthOptions = {}): Promise<SynthResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'opslake-cdk-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    context: {
      ...cdkJsonContext(),
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const settings = settingsFromContext((key) => app.node.tryGetContext(key));
  const sources = options.sources ?? (await loadLakeSources(settings));
  const stacks = addOpslakeStacks(app, settings, sources, { account: ACCOUNT, region: REGION });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const templates = new Map<string, Template>();
  return {
    app,
    settings,
    stacks,
    outdir,
    template(which) {
      const stack = stacks[which];
      if (!stack) throw new Error(`the ${which} stack is not part of this app`);
      const cached = templates.get(which) ?? Template.fromStack(stack);
      templates.set(which, cached);
      return cached;
    },
  };
}
