import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DeploymentStage, GuardedKey, GuardedKeyProps, PatternDefaults } from '../../src';
import { createPatternKey } from '../../src/core/keys';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { KEY_GRANT_GUARD } from '../support/fixtures';
import { COMPLIANT, runNagPacks } from '../support/nag';
import { runNagV2Packs } from '../support/nag-v2';
import { deployTimeValues } from '../support/tokens';

function build(props?: GuardedKeyProps, stack: Stack = newStack({ withEnv: true })) {
  const key = new GuardedKey(stack, 'Key', props);
  return { stack, key, template: Template.fromStack(stack) };
}

/** The key's resource, the only AWS::KMS::Key in the template. */
function keyResource(template: Template): { [field: string]: any } {
  const keys = Object.values(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return keys[0];
}

describe('GuardedKey', () => {
  describe('key', () => {
    test('rotates its key material', () => {
      build().template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('denies kms:CreateGrant to anyone unless the grant is for an AWS resource or the caller is an AWS service', () => {
      const statements = keyResource(build().template).Properties.KeyPolicy.Statement;
      expect(statements.filter((s: any) => s.Effect === 'Deny')).toEqual([KEY_GRANT_GUARD]);
      // The account keeps the key policy statement that lets IAM policies grant the key.
      expect(statements.filter((s: any) => s.Effect === 'Allow')).toEqual([expect.objectContaining({ Action: 'kms:*' })]);
      expect(GuardedKey.GRANT_GUARD_SID).toBe('DenyGrantsExceptForAwsResources');
    });

    test('is a kms.Key: grants work as usual', () => {
      const stack = newStack({ withEnv: true });
      const key = new GuardedKey(stack, 'Key');
      expect(key).toBeInstanceOf(kms.Key);
      const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      key.grantEncryptDecrypt(role);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']), Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } })] },
      });
    });

    test('keeps its description and alias', () => {
      const { template } = build({ description: 'Encrypts the jobs topic', alias: 'jobs' });
      template.hasResourceProperties('AWS::KMS::Key', { Description: 'Encrypts the jobs topic' });
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/jobs' });
    });
  });

  describe('removal policy', () => {
    test('retained in PROD, the default stage', () => {
      const resource = keyResource(build().template);
      expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    });

    test('deleted with the stack in DEV, from its prop or from PatternDefaults', () => {
      expect(keyResource(build({ stage: DeploymentStage.DEV }).template).DeletionPolicy).toBe('Delete');
      const app = newApp();
      PatternDefaults.set(app, { stage: DeploymentStage.DEV });
      expect(keyResource(build({}, new Stack(app, 'Dev', { env: TEST_ENV })).template).DeletionPolicy).toBe('Delete');
    });

    test('an explicit removal policy wins over the stage', () => {
      expect(keyResource(build({ stage: DeploymentStage.DEV, removalPolicy: RemovalPolicy.RETAIN }).template).DeletionPolicy).toBe('Retain');
      expect(keyResource(build({ removalPolicy: RemovalPolicy.DESTROY }).template).DeletionPolicy).toBe('Delete');
    });
  });

  describe('what the patterns create', () => {
    test('createPatternKey is a GuardedKey, with the same template as before it was one', () => {
      const stack = newStack({ withEnv: true });
      const key = createPatternKey(stack, 'Key', 'Encrypts something', RemovalPolicy.DESTROY);
      expect(key).toBeInstanceOf(GuardedKey);
      const resource = keyResource(Template.fromStack(stack));
      expect(stack.getLogicalId(key.node.defaultChild as kms.CfnKey)).toMatch(/^Key[0-9A-F]{8}$/);
      expect(resource.Properties).toEqual({
        Description: 'Encrypts something',
        EnableKeyRotation: true,
        KeyPolicy: expect.objectContaining({ Statement: expect.arrayContaining([expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsResources' })]) }),
      });
      expect(resource.DeletionPolicy).toBe('Delete');
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, GuardedKeyProps, RegExp]> = [
      ['a stage from untyped configuration', { stage: 'production' as DeploymentStage }, /^GuardedKey 'TestStack\/Key' has 1 invalid prop:\n {2}- stage is 'production'; it must be one of DeploymentStage's values: 'dev', 'prod'\.$/],
      ['a description over 8,192 characters', { description: 'x'.repeat(8193) }, /description is '8193 characters long'; it must be at most 8192 characters \(KMS CreateKey\)/],
      ['an alias under alias\/aws\/', { alias: 'alias/aws/jobs' }, /alias is 'alias\/aws\/jobs'; it must be 'alias\/' and a name, at most 256 characters in all, of letters, digits, '\/', '_' and '-', not starting with 'alias\/aws\/'/],
      ['an alias with a space', { alias: 'my jobs' }, /alias is 'my jobs'; it must be 'alias\/' and a name/],
      ['an alias of the prefix alone', { alias: 'alias/' }, /alias is 'alias\/'; it must be 'alias\/' and a name/],
      ['an alias over 256 characters', { alias: 'a'.repeat(251) }, /alias is 'a{251}'; it must be 'alias\/' and a name, at most 256 characters in all/],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      const stack = newStack({ withEnv: true });
      expect(() => new GuardedKey(stack, 'Key', props)).toThrow(message);
      // Nothing is left behind in the stack.
      expect(stack.node.tryFindChild('Key')).toBeUndefined();
    });

    test('refuses a stage known only at deploy time, saying why', () => {
      const stack = newStack({ withEnv: true });
      expect(() => new GuardedKey(stack, 'Key', { stage: deployTimeValues(stack).text as DeploymentStage })).toThrow(
        "GuardedKey 'TestStack/Key' has 1 invalid prop:\n  - stage is a token, only known at deploy time; it must be a value known at synth: "
        + 'it decides whether the key is kept when it leaves the stack.');
    });

    test('accepts the limits themselves', () => {
      expect(() => build({ description: 'x'.repeat(8192), alias: 'a'.repeat(250) })).not.toThrow();
      expect(() => build({ alias: 'alias/team_a/jobs-1' })).not.toThrow();
    });
  });

  describe('values known only at deploy time', () => {
    it.each<[string, (t: ReturnType<typeof deployTimeValues>) => GuardedKeyProps, string, unknown]>([
      ['description', (t) => ({ description: t.text }), 'AWS::KMS::Key', { Description: { Ref: 'DeployTimeText' } }],
      ['alias', (t) => ({ alias: t.text }), 'AWS::KMS::Alias', { AliasName: { Ref: 'DeployTimeText' } }],
    ])('accepts a token for %s', (_prop, props, type, properties) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      new GuardedKey(stack, 'Key', props(t));
      Template.fromStack(stack).hasResourceProperties(type, properties);
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new GuardedKey(new Stack(app, 'Defaults'), 'Key');
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV, with an alias and a description: no unacknowledged finding', () => {
      const app = newApp();
      new GuardedKey(new Stack(app, 'Dev', { env: TEST_ENV }), 'Key', { stage: DeploymentStage.DEV, alias: 'jobs', description: 'Encrypts the jobs topic' });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('cdk-nag 2.x reports nothing on it, and does report a plain key without rotation', () => {
      const app = newApp();
      const stack = new Stack(app, 'V2');
      new GuardedKey(stack, 'Key');
      new kms.Key(stack, 'Plain');
      const findings = runNagV2Packs(app);
      expect(findings.filter((finding) => finding.endsWith(' at V2/Key') || finding.includes(' at V2/Key/'))).toEqual([]);
      expect(findings).toContain('AwsSolutions-KMS5 at V2/Plain/Resource');
    });
  });
});
