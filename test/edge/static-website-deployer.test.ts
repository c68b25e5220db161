import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  assetCacheControl, deployWebsite, DEPLOYMENT_MEMORY_MB, htmlCacheControl, WebsiteContent, WebsiteDeployer,
} from '../../src/edge/static-website/deployer';
import { newStack } from '../support/app';

// The deployer on its own: a bare construct stands for the site, with a plain bucket and an
// imported distribution, so these tests read the deployment rules without the rest of the pattern.

const page = () => s3deploy.Source.data('index.html', '<!doctype html><title>Hello</title>');
const DISTRIBUTION_ARN = 'arn:aws:cloudfront::123456789012:distribution/';

interface Site {
  readonly scope: Construct;
  readonly content: WebsiteContent;
}

function site(stack: Stack, id: string, overrides: Partial<WebsiteContent> = {}): Site {
  const scope = new Construct(stack, id);
  const content: WebsiteContent = {
    sources: [page()],
    bucket: new s3.Bucket(scope, 'Bucket'),
    distribution: cloudfront.Distribution.fromDistributionAttributes(scope, 'Cdn', { distributionId: `E${id.toUpperCase()}`, domainName: `${id}.cloudfront.net` }),
    removalPolicy: RemovalPolicy.RETAIN,
    ...overrides,
  };
  return { scope, content };
}

function deployed(stack: Stack, id: string, overrides: Partial<WebsiteContent> = {}): Site {
  const s = site(stack, id, overrides);
  deployWebsite(s.scope, s.content);
  return s;
}

const statementsOf = (template: Template): any[] =>
  Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
/** Each action of the managed policies with each resource it is granted on (the policy merges statements). */
const grantsOf = (template: Template): Array<[string, unknown]> => statementsOf(template).flatMap((s) =>
  [s.Action].flat().flatMap((action: string) => [s.Resource].flat().map((resource: unknown): [string, unknown] => [action, resource])));
const nagSuppressions = (construct: Construct): any[] => (construct.node.defaultChild as CfnResource).getMetadata('cdk_nag')?.rules_to_suppress ?? [];

describe('Cache-Control per kind of file', () => {
  test.each<[string, () => s3deploy.CacheControl[], string[]]>([
    ['assets by default: public, one day', () => assetCacheControl(), ['public', 'max-age=86400']],
    ['assets with a year for hashed names', () => assetCacheControl(Duration.days(365)), ['public', 'max-age=31536000']],
    ['HTML by default: public, not kept, asked for again', () => htmlCacheControl(), ['public', 'max-age=0', 'must-revalidate']],
    ['HTML kept a minute', () => htmlCacheControl(Duration.minutes(1)), ['public', 'max-age=60', 'must-revalidate']],
  ])('%s', (_name, cacheControl, values) => {
    expect(cacheControl().map((c) => c.value)).toEqual(values);
  });
});

describe('deployWebsite', () => {
  test('copies everything but HTML first, then HTML, which alone invalidates, each with its Cache-Control', () => {
    const stack = newStack({ withEnv: true });
    deployed(stack, 'Site', { assetCacheMaxAge: Duration.days(365), htmlCacheMaxAge: Duration.seconds(30) });
    const deployments = Object.entries(Template.fromStack(stack).findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const [[assetsId, assets], [, html]] = ['SiteAssetsDeployment', 'SiteHtmlDeployment'].map((prefix) =>
      deployments.find(([logicalId]) => logicalId.startsWith(prefix))!);
    expect(assets.Properties).toMatchObject({ Exclude: ['*.html'], SystemMetadata: { 'cache-control': 'public, max-age=31536000' } });
    expect(assets.Properties.DistributionId).toBeUndefined();
    expect(html.Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['*.html'],
      SystemMetadata: { 'cache-control': 'public, max-age=30, must-revalidate' },
      DistributionId: 'ESITE',
    });
    expect(html.DependsOn).toEqual(expect.arrayContaining([assetsId]));
  });

  test(`runs in a ${DEPLOYMENT_MEMORY_MB} MB function of its own whose role invalidates only the site's distribution`, () => {
    const stack = newStack({ withEnv: true });
    deployed(stack, 'Site');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: DEPLOYMENT_MEMORY_MB });
    expect(grantsOf(template).filter(([action]) => action.startsWith('cloudfront:'))).toEqual([
      ['cloudfront:CreateInvalidation', `${DISTRIBUTION_ARN}ESITE`],
      ['cloudfront:GetInvalidation', `${DISTRIBUTION_ARN}ESITE`],
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('two sites share one deployer, each invalidating its own distribution; the first decides the log group\'s removal', () => {
    const stack = newStack({ withEnv: true });
    deployed(stack, 'One', { removalPolicy: RemovalPolicy.DESTROY });
    deployed(stack, 'Two', { removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((k) => k.startsWith('CustomCDKBucketDeployment'))).toHaveLength(1);
    expect(stack.node.findAll().filter((c) => c instanceof WebsiteDeployer)).toHaveLength(1);
    const resources = grantsOf(template).filter(([action]) => action === 'cloudfront:CreateInvalidation').map(([, resource]) => resource);
    expect(resources.sort()).toEqual([`${DISTRIBUTION_ARN}EONE`, `${DISTRIBUTION_ARN}ETWO`]);
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]).toMatchObject({ DeletionPolicy: 'Delete', Properties: { RetentionInDays: 365 } });
  });

  test(`refuses to run under the role of a ${DEPLOYMENT_MEMORY_MB} MB BucketDeployment created before it, saying how to fix it`, () => {
    const stack = newStack({ withEnv: true });
    new s3deploy.BucketDeployment(stack, 'Other', { sources: [page()], destinationBucket: new s3.Bucket(stack, 'OtherBucket'), memoryLimit: DEPLOYMENT_MEMORY_MB });
    const s = site(stack, 'Site');
    expect(() => deployWebsite(s.scope, s.content)).toThrow(
      "StaticWebsite 'TestStack/Site' cannot deploy its sources: another BucketDeployment of TestStack with memoryLimit 512 was created first");
  });

  test('a BucketDeployment of another memory size runs apart, and keeps its own grants', () => {
    const stack = newStack({ withEnv: true });
    new s3deploy.BucketDeployment(stack, 'Other', {
      sources: [page()],
      destinationBucket: new s3.Bucket(stack, 'OtherBucket'),
      distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'OtherCdn', { distributionId: 'EOTHER', domainName: 'x.cloudfront.net' }),
    });
    deployed(stack, 'Site');
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((k) => k.startsWith('CustomCDKBucketDeployment'))).toHaveLength(2);
    const inline = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(inline).toContainEqual(expect.objectContaining({ Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'], Resource: '*' }));
  });

  test("acknowledges the sync's S3 action groups on the site's bucket, and the KMS ones only with a customer key", () => {
    const stack = newStack({ withEnv: true });
    const plain = deployed(stack, 'Plain');
    const role = WebsiteDeployer.of(plain.scope, RemovalPolicy.DESTROY).role;
    const appliesTo = () => nagSuppressions(role).flatMap((s) => s.applies_to ?? []);
    const bucketId = stack.getLogicalId(plain.content.bucket.node.defaultChild as s3.CfnBucket);
    expect(appliesTo()).toEqual(expect.arrayContaining(['Action::s3:DeleteObject*', `Resource::<${bucketId}.Arn>/*`]));
    expect(appliesTo()).not.toContain('Action::kms:GenerateDataKey*');

    const key = new kms.Key(stack, 'Key');
    deployed(stack, 'Encrypted', { bucket: new s3.Bucket(stack, 'EncryptedBucket', { encryptionKey: key }), encryptionKey: key });
    expect(appliesTo()).toEqual(expect.arrayContaining(['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*']));
  });
});

describe('WebsiteDeploymentRole', () => {
  function roleOf(stack: Stack) {
    return WebsiteDeployer.of(new Construct(stack, 'Anchor'), RemovalPolicy.DESTROY).role;
  }
  const invalidation = () => new iam.PolicyStatement({ actions: ['cloudfront:CreateInvalidation'], resources: ['*'] });

  test("narrows a CloudFront grant on '*' to the distribution being deployed, and only while one is", () => {
    const stack = newStack({ withEnv: true });
    const role = roleOf(stack);
    role.addToPrincipalPolicy(invalidation());
    role.invalidating = cloudfront.Distribution.fromDistributionAttributes(stack, 'Cdn', { distributionId: 'EABC', domainName: 'abc.cloudfront.net' });
    role.addToPrincipalPolicy(invalidation());
    // A statement that is not CloudFront's alone is not the invalidation grant: it passes as it is.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudfront:GetInvalidation', 's3:GetObject'], resources: ['*'] }));
    role.invalidating = undefined;
    role.addToPrincipalPolicy(invalidation());
    const grants = grantsOf(Template.fromStack(stack)).filter(([action]) => action !== 'logs:CreateLogStream' && action !== 'logs:PutLogEvents');
    expect(grants).toEqual([
      ['cloudfront:CreateInvalidation', '*'],
      ['cloudfront:CreateInvalidation', `${DISTRIBUTION_ARN}EABC`],
      ['cloudfront:GetInvalidation', '*'],
      ['s3:GetObject', '*'],
    ]);
  });

  test('records the objects it may only read, not those it may write', () => {
    const role = roleOf(newStack({ withEnv: true }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject*', 's3:List*'], resources: ['arn:aws:s3:::assets', 'arn:aws:s3:::assets/*'] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject*', 's3:PutObject'], resources: ['arn:aws:s3:::site/*'] }));
    expect([...role.readOnlyObjects]).toEqual(['arn:aws:s3:::assets/*']);
  });

  test('the deployer refuses to acknowledge grants before its function exists', () => {
    const stack = newStack({ withEnv: true });
    const deployer = WebsiteDeployer.of(new Construct(stack, 'Anchor'), RemovalPolicy.DESTROY);
    expect(() => deployer.acknowledgeGrantsFor(new s3.Bucket(stack, 'Bucket'), undefined)).toThrow('The website deployment function of TestStack was not found');
  });
});
