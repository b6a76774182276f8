import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling/duckdb-bundling.js';
import { FLEET } from './infra-test-app.js';

const run = promisify(execFile);

/**
 * `cdk synth` as an operator runs it: the CLI of node_modules, cdk.json's app, context on the
 * command line. Every stack is synthesized, but only the storage stack's assets are built
 * (`--exclusively`): the Lambda bundles are built, checked and run in lambda-bundles.test.ts.
 */
async function cdkSynth(context: Record<string, string>, inspect: (outdir: string) => void = () => undefined): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'opslake-cdk-cli-'));
  const args = [
    join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
    'synth',
    'Opslake-Storage',
    '--exclusively',
    '--quiet',
    '--no-notices',
    '--output',
    outdir,
  ];
  for (const [key, value] of Object.entries(context)) args.push('--context', `${key}=${value}`);
  try {
    await run(process.execPath, args, {
      cwd: PROJECT_ROOT,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
    });
    inspect(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('infra/app.ts', () => {
  it('synthesizes every stack with the CDK CLI from cdk.json, the AwsSolutions checks passing', async () => {
    let stacks: string[] = [];
    let nagConclusion: string | undefined;
    let functions = 0;
    const context = {
      'opslake:clusters': JSON.stringify(FLEET),
      'opslake:cloudTrailBucket': 'org-trail-logs',
      'opslake:alarmEmail': 'ops@example.com',
      'opslake:quickSight': 'true',
      'opslake:quickSightPrincipalArn': 'arn:aws:quicksight:us-east-1:123456789012:group/default/opslake-admins',
    };
    await cdkSynth(context, (outdir) => {
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
      stacks = Object.entries(manifest.artifacts)
        .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
        .map(([name]) => name);
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ pluginName: string; conclusion: string }>;
      };
      nagConclusion = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions')?.conclusion;
      const pipeline = JSON.parse(readFileSync(join(outdir, 'Opslake-Pipeline.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string }>;
      };
      functions = Object.values(pipeline.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function').length;
    });
    expect(stacks.sort()).toEqual(['Opslake-Pipeline', 'Opslake-QuickSight', 'Opslake-Storage']);
    expect(nagConclusion).toBe('success');
    expect(functions).toBeGreaterThanOrEqual(2);
  });

  it('stops with the context key named when a value is wrong', async () => {
    const failure = await cdkSynth({ 'opslake:arch': 'amd64' }).then(
      () => undefined,
      (error: { stderr?: string }) => error,
    );
    expect(failure, 'the synth failed').toBeDefined();
    expect(failure?.stderr).toContain('opslake:arch');
  });
});
