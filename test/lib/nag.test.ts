/**
 * cdk-nag AwsSolutions checks, the way `cdk synth` runs them (lib/app.ts): the pack is a validation plugin
 * of the app and synthesis throws on any unacknowledged error. Bundling is skipped (the rules look at the
 * template, not the code), so each configuration synthesizes in a couple of seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CtiBridgeStack } from '../../lib/cti-bridge-stack.js';
import { PROJECT_ROOT } from '../../lib/paths.js';
import { settingsFromContext } from '../../lib/settings.js';

const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/** Synthesizes with the AwsSolutions pack; returns the validation report (throws on unacknowledged errors). */
function synthWithNag(
  context: Record<string, unknown>,
  opts: { env?: { account?: string; region: string }; extra?: (stack: CtiBridgeStack) => void } = {},
) {
  const outdir = mkdtempSync(join(tmpdir(), 'cti-bridge-nag-'));
  try {
    const app = new App({
      outdir,
      context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] },
    });
    const settings = settingsFromContext(app.node);
    const stack = new CtiBridgeStack(app, settings.stackName, {
      stackName: settings.stackName,
      settings,
      ...(opts.env ? { env: opts.env } : {}),
    });
    opts.extra?.(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    return JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { summary?: { status?: string }; violations?: { severity?: string }[] }[];
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const errorsIn = (report: ReturnType<typeof synthWithNag>) =>
  report.pluginReports.flatMap((r) =>
    (r.violations ?? []).filter((v) => v.severity === 'error' || v.severity === 'fatal'),
  );

describe('cdk-nag AwsSolutions', () => {
  it('passes with zero unacknowledged errors: default stack, environment-agnostic', () => {
    expect(errorsIn(synthWithNag({}))).toEqual([]);
  });

  it('passes with a concrete account/region (as `cdk synth` with credentials renders ARNs)', () => {
    expect(errorsIn(synthWithNag({}, { env: { account: '111122223333', region: 'eu-west-1' } }))).toEqual([]);
  });

  it('passes for an existing VPC, a prebuilt image, restricted PBX egress and another stack name', () => {
    const report = synthWithNag({
      stackName: 'CtiBridgeProd2',
      vpcId: 'vpc-0123456789abcdef0',
      privateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
      connectorImage: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/cti-bridge-connector:1.0.0',
      pbxCidrs: '10.99.0.0/16',
      alarmEmail: 'ops@example.com',
      retainData: 'false',
    });
    expect(errorsIn(report)).toEqual([]);
  });

  it('passes with the internal callback load balancer (as `cdk synth` offline: CLI default region, no account)', () => {
    expect(errorsIn(synthWithNag({ callbackIngress: 'internal' }, { env: { region: 'us-east-1' } }))).toEqual(
      [],
    );
  });

  it('passes with the public callback load balancer, open to anywhere on request, its logs deleted with the stack', () => {
    const report = synthWithNag(
      {
        callbackIngress: 'public',
        callbackCertificateArn:
          'arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1111-2222-3333-444455556666',
        callbackPublicUrl: 'https://cti-callbacks.example.com',
        callbackAllowedCidrs: '0.0.0.0/0',
        retainData: 'false',
      },
      { env: { account: '111122223333', region: 'eu-west-1' } },
    );
    expect(errorsIn(report)).toEqual([]);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    expect(() =>
      synthWithNag(
        {},
        {
          extra: (stack) =>
            void new Secret(stack, 'UnreviewedSecret', { description: 'no rotation, no reason' }),
        },
      ),
    ).toThrow(/AwsSolutions-SMG4[\s\S]*UnreviewedSecret|UnreviewedSecret[\s\S]*AwsSolutions-SMG4/);
  });
});
