import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { deployStack, DeployedStack, motoClientConfig, physicalId } from './moto-server';
import { DeploymentStage, StaticWebsite } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const s3Client = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
let deployed: DeployedStack;
let bucketName: string;
let logBucketName: string;

beforeAll(async () => {
  const stack = new Stack(newApp({ stageAssets: true }), 'EmulatorStaticWebsite', { env: TEST_ENV });
  const site = new StaticWebsite(stack, 'Site', {
    stage: DeploymentStage.PROD,
    sources: [s3deploy.Source.data('index.html', '<h1>hello</h1>')],
  });
  deployed = await deployStack(stack, 'EmulatorStaticWebsite', [
    // CloudFront (the distribution, its origin access control and headers policy), WAF, alarms and
    // bucket policies are not in moto's CloudFormation.
    'AWS::CloudFront::Distribution',
    'AWS::CloudFront::OriginAccessControl',
    'AWS::CloudFront::ResponseHeadersPolicy',
    'AWS::CloudWatch::Alarm',
    // The deployment's AWS CLI layer: moto's CloudFormation creates no layer versions.
    'AWS::Lambda::LayerVersion',
    'AWS::S3::BucketPolicy',
    'AWS::SNS::TopicPolicy',
    'AWS::WAFv2::LoggingConfiguration',
    'AWS::WAFv2::WebACL',
  ]);
  const id = (bucket: s3.Bucket) => stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  bucketName = physicalId(deployed, id(site.bucket));
  logBucketName = physicalId(deployed, id(site.logBucket));
});

test('both buckets are created, encrypted with S3-managed keys', async () => {
  for (const Bucket of [bucketName, logBucketName]) {
    const { ServerSideEncryptionConfiguration } = await s3Client.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(ServerSideEncryptionConfiguration!.Rules![0].ApplyServerSideEncryptionByDefault!.SSEAlgorithm).toBe('AES256');
  }
});

// moto's CloudFormation applies a bucket's encryption and tags and nothing else. These stay
// template-only (test/edge/static-website.test.ts asserts them); if moto starts applying them, this
// test fails and they move into the runtime list of docs/TESTING.md.
test('moto leaves public access block, ownership, versioning, lifecycle and access logging unset', async () => {
  for (const Bucket of [bucketName, logBucketName]) {
    await expect(s3Client.send(new GetPublicAccessBlockCommand({ Bucket }))).rejects.toThrow(/public access block configuration was not found/);
    await expect(s3Client.send(new GetBucketOwnershipControlsCommand({ Bucket }))).rejects.toThrow(/ownership controls were not found/);
    expect((await s3Client.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await expect(s3Client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).rejects.toThrow(/lifecycle configuration does not exist/);
  }
  expect((await s3Client.send(new GetBucketLoggingCommand({ Bucket: bucketName }))).LoggingEnabled).toBeUndefined();
});

test('moto does not run the deployment (its handler needs Docker), so the bucket stays empty', async () => {
  // The harness answers both deployments' callbacks itself, so the stack completes.
  expect(deployed.answeredCustomResources.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['SiteAssetsDeploymentCustomResource512MiB', 'SiteHtmlDeploymentCustomResource512MiB']);
  expect((await s3Client.send(new ListObjectsV2Command({ Bucket: bucketName }))).KeyCount).toBe(0);
});
