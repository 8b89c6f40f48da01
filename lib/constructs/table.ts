/**
 * The single DynamoDB table. Its layout comes from shared/db/table.ts, the same definition the local stack
 * creates with `createTableInput`, so the two cannot drift.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GSI1, GSI2, KEY, TTL_ATTRIBUTE } from '../../shared/db/table.js';

export interface BridgeTableProps {
  /** Deletion protection on and RemovalPolicy.RETAIN (production); off and DESTROY for dev stacks. */
  retainData: boolean;
  /** Customer-managed KMS key; default: the AWS-managed key (`aws/dynamodb`). */
  kmsKeyArn?: string | undefined;
}

/** What a function may do with the table: nothing, read, or read and write items. */
export type TableAccess = 'none' | 'read' | 'readwrite';

/**
 * Item-level actions only: the repositories use GetItem, Query, PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem and TransactWriteItems (which IAM authorizes per item as Put/Update/Delete/
 * ConditionCheckItem). No Scan, no table management, no streams.
 */
export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export class BridgeTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: BridgeTableProps) {
    super(scope, id);
    const key = props.kmsKeyArn ? kms.Key.fromKeyArn(this, 'Key', props.kmsKeyArn) : undefined;
    const S = dynamodb.AttributeType.STRING;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: KEY.pk, type: S },
      sortKey: { name: KEY.sk, type: S },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const g of [GSI1, GSI2]) {
      this.table.addGlobalSecondaryIndex({
        indexName: g.name,
        partitionKey: { name: g.pk, type: S },
        sortKey: { name: g.sk, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Grants item access on the table and its indexes (and the key, when customer-managed). */
  grant(grantee: IGrantable, access: TableAccess): void {
    if (access === 'none') return;
    const actions = access === 'read' ? [...READ_ACTIONS] : [...READ_ACTIONS, ...WRITE_ACTIONS];
    this.table.grant(grantee, ...actions);
    const key = this.table.encryptionKey;
    if (key) {
      key.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey');
      if (access === 'readwrite') key.grant(grantee, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
    }
  }
}
