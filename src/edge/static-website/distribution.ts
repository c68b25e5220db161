import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DEFAULT_HTML_CACHE_MAX_AGE } from './deployer';
import type { StaticWebsiteProps } from './static-website';

/** The Content-Security-Policy of a site that gives none: its own origin only, no plugins, no framing. */
export const DEFAULT_CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";
/** The object CloudFront answers for `/` when `indexDocument` is not given. */
export const DEFAULT_INDEX_DOCUMENT = 'index.html';

/**
 * A name unique per stack and region, for CloudFront configurations whose names are global to the
 * account: aws-cdk-lib's default leaves the region out, so one stack deployed to two regions would
 * collide.
 */
export function regionalName(scope: Construct, suffix: string, maxLength: number): string {
  const region = Stack.of(scope).region;
  const regionPart = Token.isUnresolved(region) ? '' : `-${region}`;
  return `${Names.uniqueResourceName(scope, { maxLength: maxLength - regionPart.length - suffix.length - 1 })}-${suffix}${regionPart}`;
}

/**
 * HSTS, MIME sniffing off, no framing, a strict referrer policy and the content security policy,
 * overriding whatever the objects say. Created under `site` as `SecurityHeaders`.
 */
export function createSecurityHeadersPolicy(site: Construct, contentSecurityPolicy: string = DEFAULT_CSP): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(site, 'SecurityHeaders', {
    responseHeadersPolicyName: regionalName(site, 'SecurityHeaders', 128),
    comment: `Security headers of ${site.node.path}`.slice(0, 128),
    securityHeadersBehavior: {
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      contentSecurityPolicy: { contentSecurityPolicy, override: true },
    },
  });
}

/**
 * How the distribution answers a path without an object. Under origin access control CloudFront
 * may not list the bucket, so S3 answers 403, not 404, for a key that does not exist: both are
 * mapped, to the index with 200 for a single-page application, else to the error document with
 * 404, cached as long as HTML. Without either, S3's own error passes on.
 */
export function errorResponses(
  props: Pick<StaticWebsiteProps, 'singlePageApplication' | 'indexDocument' | 'errorDocument' | 'htmlCacheMaxAge'>,
): cloudfront.ErrorResponse[] | undefined {
  const ttl = props.htmlCacheMaxAge ?? DEFAULT_HTML_CACHE_MAX_AGE;
  if (props.singlePageApplication) {
    const index = `/${props.indexDocument ?? DEFAULT_INDEX_DOCUMENT}`;
    return [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: index, ttl }));
  }
  if (props.errorDocument) {
    return [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 404, responsePagePath: `/${props.errorDocument}`, ttl }));
  }
  return undefined;
}

/**
 * One of a distribution's metrics over 5 minutes. CloudFront publishes them with a `Region`
 * dimension of `Global`, which aws-cdk-lib's `metric*` methods leave out (aws-cdk #19245): an
 * alarm on those would watch a metric that does not exist, and never fire.
 */
export function distributionMetric(distribution: cloudfront.IDistribution, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    dimensionsMap: { DistributionId: distribution.distributionId, Region: 'Global' },
    period: Duration.minutes(5),
    statistic,
  });
}
