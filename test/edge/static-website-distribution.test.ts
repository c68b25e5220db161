import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import {
  createSecurityHeadersPolicy, DEFAULT_CSP, distributionMetric, errorResponses, regionalName,
} from '../../src/edge/static-website/distribution';
import { newApp, newStack, TEST_ENV } from '../support/app';

// The distribution's parts on their own: names, headers, error mapping and metrics, each read from
// what it returns or what it adds to a bare stack.

const policyConfig = (stack: Stack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0].Properties.ResponseHeadersPolicyConfig;

describe('regionalName', () => {
  test('ends in the suffix and the region, within the length CloudFront allows', () => {
    const stack = newStack({ withEnv: true });
    const scope = new Construct(stack, 'A'.repeat(80));
    const name = regionalName(scope, 'OriginAccessControl', 64);
    expect(name).toMatch(/-OriginAccessControl-us-east-1$/);
    expect(name.length).toBeLessThanOrEqual(64);
  });

  test('differs between one stack deployed to two regions', () => {
    const [east, west] = ['us-east-1', 'us-west-2'].map((region) =>
      regionalName(new Construct(new Stack(newApp(), 'Web', { env: { ...TEST_ENV, region } }), 'Site'), 'SecurityHeaders', 128));
    expect(east).not.toEqual(west);
    expect(east.replace('us-east-1', 'us-west-2')).toEqual(west);
  });

  test('leaves the region out when it is only known at deploy time', () => {
    const name = regionalName(new Construct(newStack(), 'Site'), 'SecurityHeaders', 128);
    expect(name).toMatch(/-SecurityHeaders$/);
    expect(name).not.toContain('${Token');
  });
});

describe('createSecurityHeadersPolicy', () => {
  test('overrides HSTS for a year with subdomains, nosniff, DENY framing, the referrer policy and the default CSP', () => {
    const stack = newStack({ withEnv: true });
    createSecurityHeadersPolicy(new Construct(stack, 'Site'));
    expect(policyConfig(stack).SecurityHeadersConfig).toEqual({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
      ContentSecurityPolicy: { ContentSecurityPolicy: DEFAULT_CSP, Override: true },
    });
  });

  test('takes a given CSP, and keeps its comment within 128 characters under a deep path', () => {
    const stack = newStack({ withEnv: true });
    const deep = new Construct(new Construct(stack, 'B'.repeat(70)), 'C'.repeat(70));
    createSecurityHeadersPolicy(deep, "default-src 'self'; img-src data:");
    const config = policyConfig(stack);
    expect(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).toEqual("default-src 'self'; img-src data:");
    expect(config.Comment).toHaveLength(128);
    expect(config.Comment).toMatch(/^Security headers of TestStack\/B+\/C+$/);
    expect(config.Name.length).toBeLessThanOrEqual(128);
  });
});

describe('errorResponses', () => {
  test.each<[string, Parameters<typeof errorResponses>[0], cloudfront.ErrorResponse[] | undefined]>([
    ['none without a single-page application or error document: S3\'s own error passes on', {}, undefined],
    ['a single-page application: 403 and 404 answer the index with 200', { singlePageApplication: true }, [
      { httpStatus: 403, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(0) },
      { httpStatus: 404, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(0) },
    ]],
    ['a single-page application with its own index, cached as long as HTML', { singlePageApplication: true, indexDocument: 'app.html', htmlCacheMaxAge: Duration.minutes(5) }, [
      { httpStatus: 403, responseHttpStatus: 200, responsePagePath: '/app.html', ttl: Duration.minutes(5) },
      { httpStatus: 404, responseHttpStatus: 200, responsePagePath: '/app.html', ttl: Duration.minutes(5) },
    ]],
    ['an error document: 403 and 404 answer it with 404', { errorDocument: 'errors/404.html' }, [
      { httpStatus: 403, responseHttpStatus: 404, responsePagePath: '/errors/404.html', ttl: Duration.seconds(0) },
      { httpStatus: 404, responseHttpStatus: 404, responsePagePath: '/errors/404.html', ttl: Duration.seconds(0) },
    ]],
  ])('%s', (_name, props, expected) => {
    const responses = errorResponses(props);
    const seconds = (r?: cloudfront.ErrorResponse[]) => r?.map((e) => ({ ...e, ttl: e.ttl?.toSeconds() }));
    expect(seconds(responses)).toEqual(seconds(expected));
  });
});

describe('distributionMetric', () => {
  test("carries CloudFront's Region=Global dimension, over 5 minutes, with the statistic asked for", () => {
    const stack = newStack({ withEnv: true });
    const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Cdn', { distributionId: 'EABC', domainName: 'abc.cloudfront.net' });
    const metric = distributionMetric(distribution, '5xxErrorRate', 'Average');
    expect(metric.namespace).toEqual('AWS/CloudFront');
    expect(metric.metricName).toEqual('5xxErrorRate');
    expect(metric.dimensions).toEqual({ DistributionId: 'EABC', Region: 'Global' });
    expect(metric.period.toSeconds()).toEqual(300);
    expect(metric.statistic).toEqual('Average');
  });
});
