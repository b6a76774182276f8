import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadLakeSources } from './lake-sources.js';
import { addOpslakeStacks } from './opslake-app.js';
import { settingsFromContext } from './opslake-settings.js';

// The CDK entry point (cdk.json "app"). Settings come from context: cdk.json, or
// `-c opslake:<key>=<value>` on the command line (infra/README.md lists every key).
const app = new App();
const settings = settingsFromContext((key) => app.node.tryGetContext(key));
const sources = await loadLakeSources(settings);
addOpslakeStacks(app, settings, sources, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
// Every AwsSolutions finding fails the synth unless acknowledged on its resource with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
