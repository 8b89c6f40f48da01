import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtiBridgeStack } from './lib/cti-bridge-stack.js';
import { settingsFromContext } from './lib/settings.js';
const ctx = JSON.parse(readFileSync('/work/main/cdk.json','utf8')).context;
const extra = JSON.parse(process.argv[2] ?? '{}');
const app = new App({ outdir: mkdtempSync(join(tmpdir(),'nag-')), context: { ...ctx, ...extra, 'aws:cdk:bundling-stacks': [] } });
const settings = settingsFromContext(app.node);
new CtiBridgeStack(app, settings.stackName, { stackName: settings.stackName, settings });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try { app.synth(); console.log('OK'); } catch (e) { console.log((e as Error).message); }
