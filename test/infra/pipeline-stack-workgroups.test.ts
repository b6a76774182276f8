import { afterAll, describe, expect, it } from 'vitest';
import { FLEET, FULL_CONTEXT, IAM_WORKGROUP_ARN, buildTestApp, removeTestApps } from './infra-test-app.js';
import { asList, policyOf, statement } from './template-queries.js';

/** The stl-export function's rights on Serverless workgroups (the rest of its policy: pipeline-stack.test.ts). */
describe('PipelineStack: stl-export on Serverless workgroups', () => {
  afterAll(removeTestApps);

  it('may get workgroup credentials for the workgroups it reaches with its own identity, and no other', async () => {
    // bi is reached with a secret: it needs no workgroup credentials.
    const full = (await buildTestApp(FULL_CONTEXT)).template('pipeline');
    expect(policyOf(full, 'StlExport').some((s) => s.Sid === 'WorkgroupCredentials')).toBe(false);
    const adhoc = { name: 'adhoc', kind: 'serverless', workgroupName: 'adhoc', workgroupArn: IAM_WORKGROUP_ARN, views: 'sys' };
    const withIam = (await buildTestApp({ 'opslake:clusters': [...FLEET, adhoc] })).template('pipeline');
    const statements = policyOf(withIam, 'StlExport');
    expect(statement(statements, 'WorkgroupCredentials')).toEqual({
      Sid: 'WorkgroupCredentials',
      Effect: 'Allow',
      Action: 'redshift-serverless:GetCredentials',
      Resource: IAM_WORKGROUP_ARN,
    });
    expect(asList(statement(statements, 'DataApiOnSources').Resource)).toContain(IAM_WORKGROUP_ARN);
    for (const s of statements) {
      for (const action of asList(s.Action)) {
        if (String(action).startsWith('redshift-serverless:')) expect(s.Resource).toBe(IAM_WORKGROUP_ARN);
      }
    }
  });
});
