import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { DeploymentStage } from '../../src';
import { PropValidator } from '../../src/core/prop-validator';
import type { StaticWebsiteProps } from '../../src/edge/static-website';
import { MAX_CACHE_AGE } from '../../src/edge/static-website/deployer';
import {
  MAX_CERTIFICATE_NAMES, MAX_CSP_LENGTH, MAX_DOMAIN_NAMES, STATIC_WEBSITE_RULES, validateStaticWebsiteProps,
} from '../../src/edge/static-website/validate';
import { newStack } from '../support/app';

// The rule table on its own: props and a region in, the validator's one error (or none) out. The
// construct's tests (static-website.test.ts) check that each rule reaches the user; these check
// the rules' edges, and what only the region decides.

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const page = () => s3deploy.Source.data('index.html', '<!doctype html><title>Hello</title>');

/** The error lines the rules record for `props`, without the construct's name; [] when valid. */
function errorsOf(props: StaticWebsiteProps, region = 'us-east-1'): string[] {
  try {
    validateStaticWebsiteProps(new PropValidator("StaticWebsite 'Stack/Site'"), { props, region, stack: 'Stack' });
    return [];
  } catch (e) {
    const [head, ...lines] = (e as Error).message.split('\n');
    expect(head).toMatch(/^StaticWebsite 'Stack\/Site' has \d+ invalid props?:$/);
    return lines.map((line) => line.replace(/^ {2}- /, ''));
  }
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `s${i}.example.com`);
const zone = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);

describe('the StaticWebsite rule table', () => {
  test('passes the defaults and a site that sets every prop within its limits', () => {
    const stack = newStack();
    expect(errorsOf({})).toEqual([]);
    expect(errorsOf({
      // DEV: a PROD site outside us-east-1 is refused (below).
      stage: DeploymentStage.DEV,
      sources: [page()],
      indexDocument: 'app/index.html',
      errorDocument: '404.html',
      contentSecurityPolicy: `default-src ${'a'.repeat(MAX_CSP_LENGTH - 'default-src '.length)}`,
      assetCacheMaxAge: MAX_CACHE_AGE,
      htmlCacheMaxAge: Duration.seconds(0),
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/abcd1234',
      allowedCountries: ['DE', 'FR'],
      domainNames: names(MAX_DOMAIN_NAMES),
      certificate: certificate(stack),
      hostedZone: zone(stack),
      noncurrentVersionExpiration: Duration.days(1),
      errorRate5xxThreshold: 100,
      errorRate4xxThreshold: 0.01,
      publishAdditionalMetrics: true,
      originLatencyThreshold: Duration.millis(250),
    }, 'eu-west-1')).toEqual([]);
  });

  test('lists the errors of all rules at once, in the order of the table', () => {
    expect(STATIC_WEBSITE_RULES).toHaveLength(13);
    const errors = errorsOf({
      priceClass: 'PriceClass_0' as cloudfront.PriceClass,
      errorRate5xxThreshold: -1,
      blockedCountries: ['kp'],
      errorDocument: '/404.html',
      domainNames: ['www example.com'],
    });
    expect(errors.map((line) => line.split(' ')[0])).toEqual(['domainNames', 'domainNames', 'errorDocument', 'blockedCountries', 'errorRate5xxThreshold', 'priceClass']);
  });

  test.each<[string, StaticWebsiteProps, string]>([
    ['a content security policy one character over the limit', { contentSecurityPolicy: 'a'.repeat(MAX_CSP_LENGTH + 1) },
      "contentSecurityPolicy is '1784 characters'; it must be a non-empty header value on one line, at most 1783 characters (CloudFront's limit)."],
    ['a content security policy on two lines', { contentSecurityPolicy: "default-src 'self';\nimg-src *" },
      "contentSecurityPolicy is 'default-src 'self';\nimg-src *'; it must be a non-empty header value on one line, at most 1783 characters (CloudFront's limit)."],
    ['an asset cache a second over a year', { sources: [page()], assetCacheMaxAge: MAX_CACHE_AGE.plus(Duration.seconds(1)) },
      'assetCacheMaxAge is 31536001 seconds; it must be a whole number of seconds from 0 seconds to 365 days.'],
    ['an asset cache age without sources', { assetCacheMaxAge: Duration.days(365) },
      "assetCacheMaxAge is '365 days'; it must be left unset without sources (the pattern sets Cache-Control on the files it deploys)."],
    ['noncurrent versions kept a day and a half', { noncurrentVersionExpiration: Duration.hours(36) },
      "noncurrentVersionExpiration is '36 hours'; it must be a whole number of days, at least 1."],
    ['an index document of 1,025 characters', { indexDocument: 'a'.repeat(1025) },
      expect.stringMatching(/^indexDocument is 'a+'; it must be an object key such as index.html: no leading \/, no spaces, at most 1,024 characters\.$/) as unknown as string],
    ['a 5xx threshold just over 100', { errorRate5xxThreshold: 100.5 }, 'errorRate5xxThreshold is 100.5; it must be a percentage from 0 to 100.'],
  ])('rejects %s', (_name, props, message) => {
    // One error, joined back: a value may itself hold a line break.
    expect(errorsOf(props).join('\n')).toEqual(message);
  });

  describe('a PROD site needs a stack in us-east-1, where its alarms and web ACL can be', () => {
    const agnostic = Token.asString({ Ref: 'AWS::Region' });

    test('is refused in eu-west-1, naming the stack, its region, what the site would lose and the fix', () => {
      expect(errorsOf({}, 'eu-west-1')).toEqual([
        "the region of stack 'Stack' is 'eu-west-1'; it must be us-east-1 for a PROD StaticWebsite: CloudFront publishes its metrics only in us-east-1,"
        + ' where the alarms on them must be, and a web ACL for CloudFront can only be created there, so elsewhere the site would lose its alarms and its web ACL.'
        + " Deploy the site's stack with env: { region: 'us-east-1' } (CloudFront serves the site from every edge location whatever region its stack is in).",
      ]);
    });

    test('is refused in an env-agnostic stack, which deploys wherever the CLI points', () => {
      const errors = errorsOf({ stage: DeploymentStage.PROD }, agnostic);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^the region of stack 'Stack' is unset; it must be us-east-1 for a PROD StaticWebsite, known at synth \(an env-agnostic stack deploys wherever the CLI points\):/);
      expect(errors[0]).toContain("Deploy the site's stack with env: { region: 'us-east-1' }");
    });

    test('with webAclArn, still refused for the alarms alone', () => {
      const errors = errorsOf({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/abcd1234' }, 'eu-west-1');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('so elsewhere the site would lose its alarms. Deploy');
    });

    test('passes PROD in us-east-1, and DEV anywhere (the construct warns)', () => {
      expect(errorsOf({ stage: DeploymentStage.PROD })).toEqual([]);
      expect(errorsOf({ stage: DeploymentStage.DEV }, 'eu-west-1')).toEqual([]);
      expect(errorsOf({ stage: DeploymentStage.DEV }, agnostic)).toEqual([]);
    });
  });

  describe('the certificate the pattern requests through hostedZone', () => {
    test.each<[string, string, string]>([
      ['eu-west-1', 'eu-west-1', "this stack's region is eu-west-1"],
      ['unknown (env-agnostic)', Token.asString({ Ref: 'AWS::Region' }), "this stack's region is unknown at synth time"],
    ])('is refused in a stack whose region is %s, saying which', (_name, region, says) => {
      const stack = newStack();
      const errors = errorsOf({ stage: DeploymentStage.DEV, domainNames: ['www.example.com'], hostedZone: zone(stack) }, region);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^hostedZone is '.*Zone'; it must be given with a certificate unless the stack is in us-east-1/);
      expect(errors[0]).toContain(says);
    });

    test(`covers at most ${MAX_CERTIFICATE_NAMES} names; a given certificate lifts the limit`, () => {
      const stack = newStack();
      const hostedZone = zone(stack);
      expect(errorsOf({ domainNames: names(MAX_CERTIFICATE_NAMES), hostedZone })).toEqual([]);
      expect(errorsOf({ domainNames: names(MAX_CERTIFICATE_NAMES + 1), hostedZone })).toEqual([
        "domainNames is '11 names'; it must be at most 10 names for the certificate the pattern requests (ACM's default quota); pass a certificate for more.",
      ]);
      expect(errorsOf({ domainNames: names(MAX_CERTIFICATE_NAMES + 1), hostedZone, certificate: certificate(stack) })).toEqual([]);
    });
  });

  test('a certificate in another partition is checked for its region alone', () => {
    const stack = newStack();
    const china = acm.Certificate.fromCertificateArn(stack, 'China', 'arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc');
    expect(errorsOf({ domainNames: ['www.example.com'], certificate: china })).toEqual([
      "certificate is 'arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc'; it must be a certificate in us-east-1, the only region CloudFront takes certificates from.",
    ]);
  });
});
