import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { DeploymentStage, StaticWebsite } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// The distribution must serve the deployed page over HTTPS with its security headers, and the
// bucket must refuse the same object to anyone who asks S3 directly.
const PAGE = '<!doctype html><title>integ</title><h1>Hello from the edge</h1>';
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'StaticWebsiteInteg');
const site = new StaticWebsite(stack, 'Site', {
  stage: DeploymentStage.DEV,
  sources: [s3deploy.Source.data('index.html', PAGE)],
});

const integ = new IntegTest(app, 'StaticWebsiteTest', {
  testCases: [stack],
  diffAssets: true,
});

// A new distribution takes minutes to reach every edge location.
const retry = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };
integ.assertions
  .httpApiCall(site.url)
  .expect(ExpectedResult.objectLike({
    status: 200,
    body: PAGE,
    headers: { 'strict-transport-security': ['max-age=31536000; includeSubDomains'], 'x-frame-options': ['DENY'] },
  }))
  .waitForAssertions(retry);
integ.assertions
  .httpApiCall(`https://${site.bucket.bucketRegionalDomainName}/index.html`)
  .expect(ExpectedResult.objectLike({ status: 403 }));
