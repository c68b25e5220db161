import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/** What reading a secret takes of its key (aws-cdk-lib's `Secret.grantRead`). */
export const SECRET_KEY_READ = ['kms:Decrypt'];

/** What writing a secret takes of its key (aws-cdk-lib's `Secret.grantWrite`). */
export const SECRET_KEY_WRITE = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/**
 * Lets `grantee` use the customer managed key of a Secrets Manager secret, in the grantee's own
 * IAM policy alone, and only through Secrets Manager in the secret's region (`kms:ViaService`,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service):
 * the key's part of reading or writing the secret.
 *
 * aws-cdk-lib's `Secret.grantRead` and `grantWrite` put that part in the key's policy instead,
 * naming the grantee's role (a `kms.ViaServicePrincipal` cannot go in the role's own policy). With
 * the grantee in another stack of the app, the key's stack would then depend on the grantee's,
 * which already depends on it: a cycle `cdk synth` refuses (issue 28; upstream
 * https://github.com/aws/aws-cdk/issues/14213). This grant needs the key's policy to let IAM
 * policies grant its use, as the default policy of every `kms.Key` (and GuardedKey) does.
 */
export function grantKeyThroughSecretsManager(grantee: iam.IGrantable, key: kms.IKey, region: string, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
  });
}
