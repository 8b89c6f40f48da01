/**
 * Secrets: the generated admin key (a secret the stack owns) and the IAM scope of the link credential
 * secrets the links function creates at run time under a name prefix (`cti-bridge/<stack>/links/`).
 */
import { Arn, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The name prefix of link credential secrets (BRIDGE_SECRETS_PREFIX). */
export const linkSecretsPrefix = (stackName: string) => `cti-bridge/${stackName}/links/`;

/** What the links function does with link secrets (shared/secrets/secrets-manager-store.ts). */
export const LINK_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:TagResource', // CreateSecret with Tags needs it
  'secretsmanager:PutSecretValue',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'secretsmanager:DeleteSecret',
] as const;

export class BridgeSecrets extends Construct {
  readonly adminKey: Secret;
  readonly linkPrefix: string;

  constructor(scope: Construct, id: string, props: { stackName: string }) {
    super(scope, id);
    this.linkPrefix = linkSecretsPrefix(props.stackName);
    // The name is left to CloudFormation: a fixed name would block re-creating a stack of the same name
    // while the deleted secret is still scheduled for deletion. Find it through the AdminKeySecretArn output.
    this.adminKey = new Secret(this, 'AdminKey', {
      description: `cti-bridge ${props.stackName}: admin API key (Authorization: Bearer <value>)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** ARN pattern of every link secret (Secrets Manager appends `-XXXXXX` to the name). */
  linkSecretsArn(): string {
    return Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${this.linkPrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }

  /** Create/put/get/delete of secrets under the link prefix only. */
  grantLinkSecrets(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...LINK_SECRET_ACTIONS], resources: [this.linkSecretsArn()] }),
    );
  }
}
