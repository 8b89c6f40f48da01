/**
 * Secrets: the generated admin key and connector token (secrets the stack owns) and the IAM scope of the link credential
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

/** What the connector does with link secrets: read the credentials of the links it owns. */
export const LINK_SECRET_READ_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
] as const;

export class BridgeSecrets extends Construct {
  readonly adminKey: Secret;
  /** Shared secret of the connector's command endpoint (BRIDGE_CONNECTOR_TOKEN). */
  readonly connectorToken: Secret;
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
    // Injected into the connector tasks as an ECS secret; the calls function reads it by ARN at cold start.
    this.connectorToken = new Secret(this, 'ConnectorToken', {
      description: `cti-bridge ${props.stackName}: connector command endpoint token`,
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

  /** Read-only access to the secrets under the link prefix (the connector). */
  grantLinkSecretsRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...LINK_SECRET_READ_ACTIONS], resources: [this.linkSecretsArn()] }),
    );
  }

  /** Create/put/get/delete of secrets under the link prefix only. */
  grantLinkSecrets(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...LINK_SECRET_ACTIONS], resources: [this.linkSecretsArn()] }),
    );
  }
}
