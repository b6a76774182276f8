import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FULL_CONTEXT, buildTestApp, removeTestApps } from './infra-test-app.js';
import { defined } from '../harness/defined.js';

interface Violation {
  ruleName: string;
  violatingConstructs: Array<{ constructPath: string }>;
  acknowledgedAt?: string;
  reason?: string;
}

interface Report {
  pluginReports: Array<{ pluginName: string; conclusion: string; violations: Violation[]; suppressedViolations?: Violation[] }>;
}

const QUICKSIGHT = {
  'opslake:quickSight': true,
  'opslake:quickSightPrincipalArn': 'arn:aws:quicksight:eu-west-1:123456789012:group/default/opslake-admins',
};

/** Synthesizes the app with the AwsSolutions pack and CloudFormation's schema check; returns the report. */
async function checked(context: Record<string, unknown>): Promise<{ report: Report; synthError: unknown; errors: string[] }> {
  const result = await buildTestApp(context, { nag: true, cfnValidation: true });
  let synthError: unknown;
  let errors: string[] = [];
  try {
    const assembly = result.app.synth();
    errors = assembly.stacks.flatMap((stack) =>
      stack.messages.filter((message) => message.level === 'error').map((message) => `${message.id}: ${String(message.entry.data)}`),
    );
  } catch (error) {
    synthError = error;
  }
  return { report: JSON.parse(readFileSync(join(result.outdir, 'validation-report.json'), 'utf8')), synthError, errors };
}

function expectClean({ report, synthError, errors }: { report: Report; synthError: unknown; errors: string[] }): void {
  expect(errors).toEqual([]);
  const nag = defined(
    report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions'),
    'the report of the AwsSolutions pack',
  );
  const open = nag.violations.map(
    (violation) => `${violation.ruleName} at ${violation.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
  );
  expect(open).toEqual([]);
  expect(synthError).toBeUndefined();
  for (const suppressed of nag.suppressedViolations ?? []) {
    // Acknowledged on the very resource that has the finding, never on a parent or a stack.
    expect(suppressed.violatingConstructs.map((c) => c.constructPath)).toEqual([suppressed.acknowledgedAt]);
    expect(suppressed.reason?.length ?? 0, suppressed.ruleName).toBeGreaterThan(40);
  }
}

describe('AwsSolutionsChecks', () => {
  afterAll(removeTestApps);

  it('finds nothing unacknowledged in the app with every feature on, and each acknowledgment is on one resource with a reason', async () => {
    const result = await checked({ ...FULL_CONTEXT, ...QUICKSIGHT });
    expectClean(result);
    const acknowledged = result.report.pluginReports.flatMap((plugin) => plugin.suppressedViolations ?? []).map((v) => v.ruleName);
    // The exceptions are few and known: wildcards under the lake prefixes, the SSM subtree, the
    // Data API statement actions, and CDK's own deploy-time functions.
    expect(acknowledged.filter((rule) => rule.startsWith('AwsSolutions-IAM4')).length).toBeLessThanOrEqual(2);
    expect(acknowledged.some((rule) => rule.includes('Action::'))).toBe(false);
  });

  it('finds nothing unacknowledged when the data is to be destroyed with the stacks', async () => {
    expectClean(
      await checked({
        ...FULL_CONTEXT,
        'opslake:destroy': true,
        'opslake:alarmEmail': undefined,
        'opslake:alarmTopicArn': 'arn:aws:sns:eu-west-1:123456789012:ops',
      }),
    );
  });

  it('reports a finding that nobody acknowledged', () => {
    // The check itself must be able to fail: a role with a wildcard action and no acknowledgment.
    const outdir = mkdtempSync(join(tmpdir(), 'opslake-nag-'));
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Probe');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::probe/x'] }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
    const report: Report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(defined(report.pluginReports[0], 'a plugin report').violations.map((v) => v.ruleName)).toContain(
      'AwsSolutions-IAM5[Action::s3:Get*]',
    );
    rmSync(outdir, { recursive: true, force: true });
  });
});
