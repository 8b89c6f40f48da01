/**
 * CDK app entry (`cdk.json`: `npx tsx lib/app.ts`). Options come from the context: `cdk deploy -c
 * stackName=CtiBridgeDev -c retainData=false` (see docs/deploy.md and lib/settings.ts).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CtiBridgeStack } from './cti-bridge-stack.js';
import { settingsFromContext } from './settings.js';

const app = new App();
const settings = settingsFromContext(app.node);
new CtiBridgeStack(app, settings.stackName, {
  stackName: settings.stackName,
  settings,
  description: 'cti-bridge: serverless bridge between telephony CTI servers and applications',
  // Account and region of the CLI's credentials/profile; unset (environment-agnostic) when synthesizing offline.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// AWS Solutions checks: an unacknowledged error fails `cdk synth` (acknowledgements: lib/nag.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
