import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DeploymentStage, isProduction } from './deployment-stage';
import { PatternDefaults } from './pattern-defaults';
import { PropValidator } from './prop-validator';

/**
 * Properties of a GuardedKey.
 */
export interface GuardedKeyProps {
  /**
   * What the key encrypts, shown in the KMS console and in CloudTrail: at most 8,192 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The stage, which decides the default `removalPolicy`: PROD keeps the key when it leaves the
   * stack, DEV schedules its deletion.
   *
   * @default - the stage `PatternDefaults` gives the scope, else PROD
   */
  readonly stage?: DeploymentStage;

  /**
   * What happens to the key when it leaves the stack. `DESTROY` schedules its deletion after
   * KMS's 30-day waiting period; whatever it encrypted is unreadable once it is deleted.
   *
   * @default - `RemovalPolicy.RETAIN` in PROD, `RemovalPolicy.DESTROY` in DEV
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * An alias for the key, with or without the `alias/` prefix: up to 256 characters of letters,
   * digits, `/`, `_` and `-`, not starting with `alias/aws/` (reserved for AWS managed keys). A
   * value known only at deploy time is not checked and is used as it is, so it must hold the
   * `alias/` prefix itself.
   *
   * @default - no alias
   */
  readonly alias?: string;
}

// AWS KMS CreateKey: a description of 0 to 8,192 characters
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
const MAX_DESCRIPTION_LENGTH = 8192;
// AWS KMS aliases: 1 to 256 characters, alphanumerics, '/', '_' and '-'; 'alias/aws/' is reserved
// (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html).
const ALIAS_PREFIX = 'alias/';
const RESERVED_ALIAS_PREFIX = 'alias/aws/';
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
const MAX_ALIAS_LENGTH = 256;

/**
 * A customer-managed KMS key with the guard every key of this library has: rotation on, and a key
 * policy that denies `kms:CreateGrant` unless the grant is for an AWS resource or the caller is an
 * AWS service (AWS Control Tower control CT.KMS.PR.3). A grant is a second, easily overlooked way
 * to hand out a key's use; with the guard only AWS services acting for the account's resources
 * (an RDS instance, an EBS volume, Secrets Manager) may create one.
 *
 * It is a `kms.Key`, so everything a key offers (`grantEncryptDecrypt`, `addToResourcePolicy`,
 * `keyArn`) works as usual. Use it wherever your own code needs a key next to the patterns, so
 * your keys pass the same checks theirs do.
 *
 * @example
 * import { GuardedKey } from 'cdk-best-practice-patterns';
 *
 * const key = new GuardedKey(this, 'JobsKey', { description: 'Encrypts the jobs topic' });
 * new sns.Topic(this, 'Jobs', { masterKey: key, enforceSSL: true });
 */
export class GuardedKey extends kms.Key {
  /**
   * The `Sid` of the key policy statement that denies grants other than AWS services'.
   */
  public static readonly GRANT_GUARD_SID = 'DenyGrantsExceptForAwsResources';

  constructor(scope: Construct, id: string, props: GuardedKeyProps = {}) {
    // Checked before anything is created, so an invalid prop leaves no half-built key behind.
    const validator = new PropValidator(`GuardedKey '${[scope.node.path, id].filter((part) => part !== '').join('/')}'`);
    validator.knownAtSynth('stage', props.stage, 'it decides whether the key is kept when it leaves the stack');
    validator.oneOf('stage', props.stage, DeploymentStage, 'DeploymentStage');
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      validator.check(props.description.length <= MAX_DESCRIPTION_LENGTH, 'description', `${props.description.length} characters long`,
        `at most ${MAX_DESCRIPTION_LENGTH} characters (KMS CreateKey)`);
    }
    if (props.alias !== undefined && !Token.isUnresolved(props.alias)) {
      const alias = props.alias.startsWith(ALIAS_PREFIX) ? props.alias : ALIAS_PREFIX + props.alias;
      validator.check(ALIAS_PATTERN.test(alias) && alias.length <= MAX_ALIAS_LENGTH && !alias.toLowerCase().startsWith(RESERVED_ALIAS_PREFIX),
        'alias', props.alias,
        `'alias/' and a name, at most ${MAX_ALIAS_LENGTH} characters in all, of letters, digits, '/', '_' and '-', ` +
        `not starting with '${RESERVED_ALIAS_PREFIX}' (reserved for AWS managed keys)`);
    }
    validator.throwIfInvalid();

    // The stage is only read when it decides something: a key given its removal policy (every
    // pattern's key) reads no context, so it cannot fail on a stage it does not use. Read at the
    // scope, the key's parent: the nearest PatternDefaults above the key are the scope's.
    const removalPolicy = props.removalPolicy
      ?? (isProduction(props.stage ?? PatternDefaults.stageOf(scope)) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    super(scope, id, { description: props.description, alias: props.alias, enableKeyRotation: true, removalPolicy });

    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: GuardedKey.GRANT_GUARD_SID,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      // Both conditions in one block: the deny applies only when neither is true. IfExists, so a
      // request that carries neither key is denied too.
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
  }
}

/**
 * Every customer-managed key the library creates: a GuardedKey with the pattern's removal policy.
 */
export function createPatternKey(scope: Construct, id: string, description: string, removalPolicy: RemovalPolicy): kms.Key {
  return new GuardedKey(scope, id, { description, removalPolicy });
}
