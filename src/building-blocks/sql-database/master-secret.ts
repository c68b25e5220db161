import { Resource, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantKeyThroughSecretsManager, SECRET_KEY_READ, SECRET_KEY_WRITE } from '../../core/secret-grants';

/**
 * A database's master secret as clients get it (`RelationalDatabase.secret`): the secret RDS
 * keeps, whose grants are written in the grantee's own IAM policy alone, so that a grantee in any
 * stack of the app may read it (see `grantKeyThroughSecretsManager`). `grantRead` is what
 * `ecs.Secret.fromSecretsManager` and an RDS Proxy call too.
 *
 * Everything else is the secret's own, through aws-cdk-lib's import of it without its key: so
 * nothing of aws-cdk-lib writes the key's policy. `encryptionKey` is therefore undefined; the key
 * is the database's `encryptionKey`.
 */
export class MasterSecret extends Resource implements secretsmanager.ISecret {
  public readonly encryptionKey?: kms.IKey = undefined;
  public readonly secretArn: string;
  public readonly secretFullArn?: string;
  public readonly secretName: string;
  public readonly secretRef: secretsmanager.SecretReference;
  private readonly inner: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, secretCompleteArn: string, private readonly key: kms.IKey) {
    super(scope, id);
    this.inner = secretsmanager.Secret.fromSecretAttributes(this, 'Import', { secretCompleteArn });
    this.secretArn = this.inner.secretArn;
    this.secretFullArn = this.inner.secretFullArn;
    this.secretName = this.inner.secretName;
    this.secretRef = this.inner.secretRef;
  }

  public get secretValue(): SecretValue {
    return this.inner.secretValue;
  }

  public secretValueFromJson(jsonField: string): SecretValue {
    return this.inner.secretValueFromJson(jsonField);
  }

  /** Lets `grantee` read the secret, and decrypt it with the database's key through Secrets Manager only. */
  public grantRead(grantee: iam.IGrantable, versionStages?: string[]): iam.Grant {
    return this.inner.grantRead(grantee, versionStages)
      .combine(grantKeyThroughSecretsManager(grantee, this.key, Stack.of(this).region, SECRET_KEY_READ));
  }

  /** Lets `grantee` write the secret, and encrypt it with the database's key through Secrets Manager only. */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.inner.grantWrite(grantee)
      .combine(grantKeyThroughSecretsManager(grantee, this.key, Stack.of(this).region, SECRET_KEY_WRITE));
  }

  public addRotationSchedule(id: string, options: secretsmanager.RotationScheduleOptions): secretsmanager.RotationSchedule {
    return this.inner.addRotationSchedule(id, options);
  }

  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    return this.inner.addToResourcePolicy(statement);
  }

  public denyAccountRootDelete(): void {
    this.inner.denyAccountRootDelete();
  }

  public attach(target: secretsmanager.ISecretAttachmentTarget): secretsmanager.ISecret {
    return this.inner.attach(target);
  }

  public cfnDynamicReferenceKey(options?: Parameters<secretsmanager.ISecret['cfnDynamicReferenceKey']>[0]): string {
    return this.inner.cfnDynamicReferenceKey(options);
  }
}
