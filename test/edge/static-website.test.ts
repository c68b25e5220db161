import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { DeploymentStage, StaticWebsite, StaticWebsiteProps } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/abcd1234';
const page = () => s3deploy.Source.data('index.html', '<!doctype html><title>Hello</title><h1>Hello</h1>');

interface Built {
  readonly stack: Stack;
  readonly site: StaticWebsite;
  readonly template: Template;
}

/** A site in a stack of TEST_ENV (us-east-1) unless `stack` says otherwise. */
function build(props: StaticWebsiteProps = {}, stack: Stack = newStack({ withEnv: true })): Built {
  const site = new StaticWebsite(stack, 'Site', props);
  return { stack, site, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): StaticWebsiteProps {
  return {
    stage: DeploymentStage.PROD,
    sources: [page(), s3deploy.Source.data('app.js', 'console.log("hello");')],
    singlePageApplication: true,
    contentSecurityPolicy: "default-src 'self'; img-src 'self' data:",
    assetCacheMaxAge: Duration.days(365),
    htmlCacheMaxAge: Duration.seconds(60),
    priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
    webAclArn: WEB_ACL_ARN,
    blockedCountries: ['KP'],
    domainNames: ['www.example.com', 'example.com'],
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'example.com' }),
    encryptionKey: new kms.Key(stack, 'SiteKey', { enableKeyRotation: true }),
    noncurrentVersionExpiration: Duration.days(7),
    errorRate5xxThreshold: 0.5,
    errorRate4xxThreshold: 20,
    publishAdditionalMetrics: true,
    originLatencyThreshold: Duration.millis(500),
  };
}

const id = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
const distributionConfig = (template: Template) => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new StaticWebsite(stack, 'Site', fullyConfigured(stack));
    fullNag = runNagPacksOfBothMajors(app);
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('StaticWebsite', () => {
  // Built once and read by many tests: a PROD site in us-east-1 with a page to deploy.
  const prod = build({ sources: [page()] });
  const dev = build({ stage: DeploymentStage.DEV });

  describe('snapshots', () => {
    // In us-east-1: PROD, the default stage, refuses any other region and env-agnostic stacks.
    test('defaults', () => {
      const stack = newStack({ withEnv: true });
      new StaticWebsite(stack, 'Site');
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: a custom domain, a single-page application, a web ACL and sources', () => {
      const stack = newStack({ withEnv: true });
      new StaticWebsite(stack, 'Site', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });
  });

  describe('the bucket', () => {
    test('blocks all public access, takes no ACLs, encrypts with S3-managed keys and keeps versions 30 days', () => {
      prod.template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      });
    });

    test('logs access to the log bucket, under s3/, which admits S3 logging for this bucket only', () => {
      const bucketId = id(prod.stack, prod.site.bucket);
      const logBucketId = id(prod.stack, prod.site.logBucket);
      prod.template.hasResourceProperties('AWS::S3::Bucket', {
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 's3/' },
      });
      prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logBucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
          })]),
        },
      });
    });

    test('its policy lets only this distribution read, through origin access control, and denies plain HTTP and TLS below 1.2', () => {
      const bucketId = id(prod.stack, prod.site.bucket);
      const policy = Object.values(prod.template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === bucketId)!;
      const statements: any[] = policy.Properties.PolicyDocument.Statement;
      expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: id(prod.stack, prod.site.distribution) }]] } } },
      })]);
      expect(statements).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]));
      const [origin] = distributionConfig(prod.template).Origins;
      expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SiteOriginAccessControl/), 'Id'] });
      expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      prod.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
      prod.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4', Name: Match.stringLikeRegexp('-us-east-1$') },
      });
    });

    test('with a customer key: encrypts with it, one bucket key, and lets CloudFront decrypt without a dependency cycle or a warning', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'SiteKey', { enableKeyRotation: true });
      const { template } = build({ encryptionKey: key }, stack);
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [id(stack, key), 'Arn'] } },
            BucketKeyEnabled: true,
          }],
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 'kms:Decrypt',
          })]),
        },
      });
      const keyPolicy = JSON.stringify(template.toJSON().Resources[id(stack, key)].Properties.KeyPolicy);
      // Any distribution of this account: naming this one would be a cycle (see the docs); the bucket policy names it.
      expect(keyPolicy).toMatch(/"ArnLike":\{"AWS:SourceArn":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":cloudfront::",\{"Ref":"AWS::AccountId"\},":distribution\/\*"\]\]\}\}/);
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });

    test('PROD retains both buckets; DEV destroys them with their objects', () => {
      prod.template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      prod.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
      dev.template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
      dev.template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    });
  });

  describe('the distribution', () => {
    test('serves index.html at the root, redirects HTTP to HTTPS, speaks HTTP/2 and HTTP/3 over IPv6 and compresses', () => {
      const config = distributionConfig(prod.template);
      expect(config).toMatchObject({ DefaultRootObject: 'index.html', HttpVersion: 'http2and3', IPV6Enabled: true });
      expect(config.DefaultCacheBehavior).toMatchObject({
        ViewerProtocolPolicy: 'redirect-to-https',
        Compress: true,
        AllowedMethods: ['GET', 'HEAD'],
        // The managed CachingOptimized policy: honours each object's Cache-Control, 1 second to a year.
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      });
    });

    test('answers with HSTS for a year, nosniff, no framing, a strict referrer policy and a content security policy', () => {
      prod.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: {
          Name: Match.stringLikeRegexp('-us-east-1$'),
          SecurityHeadersConfig: {
            StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
            ContentTypeOptions: { Override: true },
            FrameOptions: { FrameOption: 'DENY', Override: true },
            ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
            ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'", Override: true },
          },
        },
      });
      const headersId = prod.stack.getLogicalId(prod.site.node.findChild('SecurityHeaders').node.defaultChild as any);
      expect(distributionConfig(prod.template).DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: headersId });
    });

    test('passes S3 errors on by default; maps 403 and 404 to the error document, or to the index with 200 for a single-page application', () => {
      expect(distributionConfig(prod.template).CustomErrorResponses).toBeUndefined();
      expect(distributionConfig(build({ errorDocument: '404.html' }).template).CustomErrorResponses).toEqual([403, 404].map((code) => ({
        ErrorCode: code, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 0,
      })));
      expect(distributionConfig(build({ singlePageApplication: true, indexDocument: 'app.html' }).template)).toMatchObject({
        DefaultRootObject: 'app.html',
        CustomErrorResponses: [403, 404].map((code) => ({ ErrorCode: code, ResponseCode: 200, ResponsePagePath: '/app.html', ErrorCachingMinTTL: 0 })),
      });
    });

    test('writes standard access logs under cloudfront/ to a log bucket that blocks public access and expires them', () => {
      const logBucketId = id(prod.stack, prod.site.logBucket);
      expect(distributionConfig(prod.template).Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logBucketId, 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
      const logBucket = prod.template.toJSON().Resources[logBucketId].Properties;
      expect(logBucket).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        // CloudFront's standard logging writes with ACLs: enabled here, never on the content bucket.
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
      });
      // No legacy canned ACL (cfn-lint W3045), whatever the app's feature flags.
      expect(logBucket.AccessControl).toBeUndefined();
      const devLogs = dev.template.toJSON().Resources[id(dev.stack, dev.site.logBucket)].Properties;
      expect(devLogs.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(30);
    });

    test('uses every edge location in PROD and the cheapest price class in DEV; a price class prop wins', () => {
      expect(distributionConfig(prod.template).PriceClass).toBe('PriceClass_All');
      expect(distributionConfig(dev.template).PriceClass).toBe('PriceClass_100');
      expect(distributionConfig(build({ priceClass: cloudfront.PriceClass.PRICE_CLASS_200 }).template).PriceClass).toBe('PriceClass_200');
    });

    test('PROD in us-east-1 gets a CLOUDFRONT web ACL of managed rules; DEV (anywhere) and webAclArn create none', () => {
      prod.template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'CLOUDFRONT',
        Rules: Match.arrayWith([Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' })]),
      });
      expect(distributionConfig(prod.template).WebACLId).toEqual({ 'Fn::GetAtt': [prod.stack.getLogicalId(prod.site.webAcl!), 'Arn'] });
      prod.template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
      dev.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      build({ stage: DeploymentStage.DEV }, new Stack(newApp(), 'Ireland', { env: { ...TEST_ENV, region: 'eu-west-1' } })).template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      const given = build({ webAclArn: WEB_ACL_ARN });
      given.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      expect(distributionConfig(given.template).WebACLId).toBe(WEB_ACL_ARN);
    });

    test('restricts countries on request, by allow list or deny list', () => {
      expect(distributionConfig(prod.template).Restrictions).toBeUndefined();
      expect(distributionConfig(build({ allowedCountries: ['DE', 'AT'] }).template).Restrictions)
        .toEqual({ GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE', 'AT'] } });
      expect(distributionConfig(build({ blockedCountries: ['KP'] }).template).Restrictions)
        .toEqual({ GeoRestriction: { RestrictionType: 'blacklist', Locations: ['KP'] } });
    });
  });

  describe('custom domain', () => {
    test('a given certificate serves the names with TLS 1.2 at least, by SNI', () => {
      const stack = newStack({ withEnv: true });
      const { template, site } = build({
        domainNames: ['www.example.com'],
        certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      }, stack);
      expect(distributionConfig(template)).toMatchObject({
        Aliases: ['www.example.com'],
        ViewerCertificate: { AcmCertificateArn: CERTIFICATE_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      });
      expect(site.url).toBe('https://www.example.com');
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
    });

    test('a hosted zone gets a DNS-validated certificate for every name, and an A and an AAAA alias per name', () => {
      const stack = newStack({ withEnv: true });
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'example.com' });
      const { template, site } = build({ domainNames: ['example.com', 'www.example.com'], hostedZone: zone }, stack);
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'example.com',
        SubjectAlternativeNames: ['www.example.com'],
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'example.com', HostedZoneId: 'Z0123456789' }, { DomainName: 'www.example.com', HostedZoneId: 'Z0123456789' }],
      });
      expect(distributionConfig(template).ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021' });
      for (const type of ['A', 'AAAA']) {
        for (const name of ['example.com.', 'www.example.com.']) {
          template.hasResourceProperties('AWS::Route53::RecordSet', {
            Name: name,
            Type: type,
            HostedZoneId: 'Z0123456789',
            AliasTarget: { DNSName: { 'Fn::GetAtt': [id(stack, site.distribution), 'DomainName'] }, HostedZoneId: Match.anyValue() },
          });
        }
      }
      expect(site.certificate).toBeDefined();
    });

    test("without one, the URL is the distribution's own name", () => {
      expect(prod.stack.resolve(prod.site.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(prod.stack, prod.site.distribution), 'DomainName'] }]] });
    });
  });

  describe('content', () => {
    test('copies assets with a one-day cache, then HTML with none, and only the HTML pass invalidates', () => {
      const deployments = prod.template.findResources('Custom::CDKBucketDeployment');
      const [assets, html] = ['SiteAssetsDeployment', 'SiteHtmlDeployment'].map((prefix) =>
        Object.entries(deployments).find(([logicalId]) => logicalId.startsWith(prefix))!);
      expect(assets[1].Properties).toMatchObject({ Exclude: ['*.html'], SystemMetadata: { 'cache-control': 'public, max-age=86400' }, Prune: true });
      expect(assets[1].Properties.DistributionId).toBeUndefined();
      expect(html[1].Properties).toMatchObject({
        Exclude: ['*'],
        Include: ['*.html'],
        SystemMetadata: { 'cache-control': 'public, max-age=0, must-revalidate' },
        // The handler invalidates /* when no paths are given: one invalidation path per deployment.
        DistributionId: { Ref: id(prod.stack, prod.site.distribution) },
      });
      expect(html[1].Properties.DistributionPaths).toBeUndefined();
      expect(html[1].DependsOn).toEqual(expect.arrayContaining([assets[0]]));
    });

    test("the deployment's role writes only this bucket and invalidates only this distribution, through a managed policy", () => {
      const policies = Object.values(prod.template.findResources('AWS::IAM::ManagedPolicy'));
      expect(policies).toHaveLength(1);
      const statements: any[] = policies[0].Properties.PolicyDocument.Statement;
      expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
      expect(statements).toEqual(expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
          Resource: { 'Fn::Join': ['', ['arn:aws:cloudfront::123456789012:distribution/', { Ref: id(prod.stack, prod.site.distribution) }]] },
        },
        expect.objectContaining({
          Action: expect.arrayContaining(['s3:PutObject', 's3:DeleteObject*']),
          Resource: [
            { 'Fn::GetAtt': [id(prod.stack, prod.site.bucket), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(prod.stack, prod.site.bucket), 'Arn'] }, '/*']] },
          ],
        }),
      ]));
      prod.template.resourceCountIs('AWS::IAM::Policy', 0);
      prod.template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, LoggingConfig: { LogGroup: Match.anyValue() } });
      prod.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    });

    test('two sites with sources in one stack share one deployment function, each invalidating its own distribution', () => {
      const stack = newStack({ withEnv: true });
      const one = new StaticWebsite(stack, 'One', { sources: [page()] });
      const two = new StaticWebsite(stack, 'Two', { sources: [page()], stage: DeploymentStage.DEV });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudFront::Distribution', 2);
      expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((k) => k.startsWith('CustomCDKBucketDeployment'))).toHaveLength(1);
      const statements: any[] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;
      const invalidated = JSON.stringify(statements.filter((s) => [s.Action].flat().includes('cloudfront:CreateInvalidation')).map((s) => s.Resource));
      for (const site of [one, two]) {
        expect(invalidated).toContain(`:distribution/",{"Ref":"${id(stack, site.distribution)}"}`);
      }
      expect(invalidated).not.toContain('"*"');
    });
  });

  describe('sharing the deployment function', () => {
    const otherDeployment = (stack: Stack) => new s3deploy.BucketDeployment(stack, 'Other', {
      sources: [page()],
      destinationBucket: new s3.Bucket(stack, 'OtherBucket'),
      distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'OtherCdn', { distributionId: 'E123', domainName: 'x.cloudfront.net' }),
      memoryLimit: 512,
    });

    test('a 512 MB BucketDeployment created before the site is refused with the fix', () => {
      const stack = newStack({ withEnv: true });
      otherDeployment(stack);
      expect(() => new StaticWebsite(stack, 'Site', { sources: [page()] }))
        .toThrow(/another BucketDeployment of TestStack with memoryLimit 512 was created first.*Give that deployment another memoryLimit, or create this site first/);
    });

    test('one created after it keeps its own grants: only the sites\' invalidations are narrowed', () => {
      const stack = newStack({ withEnv: true });
      const site = new StaticWebsite(stack, 'Site', { sources: [page()] });
      otherDeployment(stack);
      const statements: any[] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;
      const invalidations = statements.filter((st) => [st.Action].flat().includes('cloudfront:CreateInvalidation'));
      const resources = invalidations.flatMap((st) => [st.Resource].flat()).map((r) => JSON.stringify(r));
      expect(resources).toContain('"*"');
      expect(resources).toContainEqual(expect.stringContaining(`{"Ref":"${id(stack, site.distribution)}"}`));
    });
  });

  describe('alarms and dashboard', () => {
    test('in us-east-1: the 5xx and 4xx error rates, notifying the stack alarm topic', () => {
      expect(prod.site.alarms).toHaveLength(2);
      prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/CloudFront',
        MetricName: '5xxErrorRate',
        Threshold: 1,
        Statistic: 'Average',
        Period: 300,
        // CloudFront publishes its metrics with Region=Global; without it an alarm watches nothing.
        Dimensions: [{ Name: 'DistributionId', Value: { Ref: id(prod.stack, prod.site.distribution) } }, { Name: 'Region', Value: 'Global' }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }],
      });
      prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4xxErrorRate', Threshold: 10 });
    });

    test('with additional metrics, origin latency too', () => {
      const { site, template } = build({ publishAdditionalMetrics: true, originLatencyThreshold: Duration.millis(800) });
      expect(site.alarms).toHaveLength(3);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OriginLatency', ExtendedStatistic: 'p90', Threshold: 800 });
      template.hasResourceProperties('AWS::CloudFront::MonitoringSubscription', Match.anyValue());
    });

    test('DEV elsewhere, where CloudFront publishes no metrics: no alarms, a warning saying so, and dashboard graphs read from us-east-1', () => {
      const stack = new Stack(newApp(), 'Ireland', { env: { ...TEST_ENV, region: 'eu-west-1' } });
      const { site, template } = build({ stage: DeploymentStage.DEV }, stack);
      expect(site.alarms).toEqual([]);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      Annotations.fromStack(stack).hasWarning('/Ireland/Site', Match.stringLikeRegexp(
        "^Ireland/Site is DEV in a stack whose region is eu-west-1, so it has no alarms: CloudFront publishes its metrics in us-east-1 only.*PROD refuses this; deploy the site's stack with env: \\{ region: 'us-east-1' \\}.*\\[ack: cdk-best-practice-patterns:staticWebsiteOutsideUsEast1\\]$"));
      const body = JSON.stringify(stack.resolve(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody));
      expect(body).toContain('AWS/CloudFront');
      expect(body).toMatch(/\\"region\\":\\"us-east-1\\",\\"metrics\\":\[\[\\"AWS\/CloudFront\\",\\"Requests\\"/);
    });

    test('DEV in an env-agnostic stack: the warning says its region is unknown; in us-east-1 no warning', () => {
      const stack = newStack();
      expect(new StaticWebsite(stack, 'Site', { stage: DeploymentStage.DEV }).alarms).toEqual([]);
      Annotations.fromStack(stack).hasWarning('/TestStack/Site', Match.stringLikeRegexp('region is unknown at synth \\(env-agnostic\\), so it has no alarms'));
      expect(dev.site.alarms).toHaveLength(2);
      Annotations.fromStack(dev.stack).hasNoWarning('*', Match.anyValue());
      Annotations.fromStack(prod.stack).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('validation', () => {
    const zone = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    const certificate = (stack: Stack, region = 'us-east-1') =>
      acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN.replace('us-east-1', region));
    const invalid: Array<[string, (stack: Stack) => StaticWebsiteProps, RegExp]> = [
      ['101 domain names', (s) => ({ domainNames: Array.from({ length: 101 }, (_, i) => `s${i}.example.com`), certificate: certificate(s) }),
        /domainNames is '101 names'; it must be at most 100 names/],
      ['a punycode top-level domain that is not one', (s) => ({ domainNames: ['shop.xn--'], certificate: certificate(s) }), /domainNames is 'shop.xn--'; it must be a host name/],
      ['a domain name that is no host name', (s) => ({ domainNames: ['www example.com'], certificate: certificate(s) }), /domainNames is 'www example.com'; it must be a host name/],
      ['domain names without a certificate or zone', () => ({ domainNames: ['www.example.com'] }), /domainNames is \["www.example.com"\]; it must be given with a certificate or a hostedZone/],
      ['a certificate without domain names', (s) => ({ certificate: certificate(s) }), /certificate is 'TestStack\/Certificate'; it must be given with the domainNames it covers/],
      ['a certificate outside us-east-1', (s) => ({ domainNames: ['www.example.com'], certificate: certificate(s, 'eu-west-1') }),
        /certificate is 'arn:aws:acm:eu-west-1:.*'; it must be a certificate in us-east-1/],
      ['a certificate ARN that is no ACM ARN', (s) => ({ domainNames: ['www.example.com'], certificate: acm.Certificate.fromCertificateArn(s, 'Certificate', 'my-certificate') }),
        /certificate is 'my-certificate'; it must be the ARN of an ACM certificate, arn:<partition>:acm:us-east-1:<account>:certificate\/<id>\./],
      ['a hosted zone without domain names', (s) => ({ hostedZone: zone(s) }), /hostedZone is 'TestStack\/Zone'; it must be given with the domainNames/],
      ['a name outside the hosted zone', (s) => ({ domainNames: ['www.example.org'], hostedZone: zone(s) }), /domainNames is 'www.example.org'; it must be a name in the hosted zone example.com/],
      ['11 names for a requested certificate', (s) => ({ domainNames: Array.from({ length: 11 }, (_, i) => `s${i}.example.com`), hostedZone: zone(s) }),
        /domainNames is '11 names'; it must be at most 10 names for the certificate the pattern requests/],
      ['an index document with a leading slash', () => ({ indexDocument: '/index.html' }), /indexDocument is '\/index.html'; it must be an object key/],
      ['an error document with a leading slash', () => ({ errorDocument: '/404.html' }), /errorDocument is '\/404.html'; it must be an object key/],
      ['an error document for a single-page application', () => ({ singlePageApplication: true, errorDocument: '404.html' }),
        /errorDocument is '404.html'; it must be left unset for a single-page application/],
      ['an empty content security policy', () => ({ contentSecurityPolicy: ' ' }), /contentSecurityPolicy is ' '; it must be a non-empty header value/],
      ['a content security policy over 1,783 characters', () => ({ contentSecurityPolicy: `default-src ${'a'.repeat(1780)}` }),
        /contentSecurityPolicy is '1792 characters'; it must be a non-empty header value on one line, at most 1783 characters/],
      ['a regional web ACL', () => ({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/site/abcd' }), /webAclArn is 'arn:aws:wafv2:us-east-1:123456789012:regional\/webacl\/site\/abcd'; it must be the ARN of a web ACL of scope CLOUDFRONT/],
      ['allowed and blocked countries', () => ({ allowedCountries: ['DE'], blockedCountries: ['KP'] }), /blockedCountries is \["KP"\]; it must be left unset when allowedCountries is set/],
      ['a lower-case country code', () => ({ allowedCountries: ['de'] }), /allowedCountries is 'de'; it must be an ISO 3166-1 alpha-2 country code/],
      ['a three-letter country code', () => ({ blockedCountries: ['PRK'] }), /blockedCountries is 'PRK'; it must be an ISO 3166-1 alpha-2 country code/],
      ['an empty country list', () => ({ allowedCountries: [] }), /allowedCountries is \[\]; it must be at least one country code/],
      ['noncurrent versions kept under a day', () => ({ noncurrentVersionExpiration: Duration.hours(12) }), /noncurrentVersionExpiration is '12 hours'; it must be a whole number of days, at least 1/],
      ['a negative 5xx threshold', () => ({ errorRate5xxThreshold: -1 }), /errorRate5xxThreshold is -1; it must be a percentage from 0 to 100/],
      ['a 4xx threshold over 100', () => ({ errorRate4xxThreshold: 101 }), /errorRate4xxThreshold is 101; it must be a percentage from 0 to 100/],
      ['an origin latency threshold without additional metrics', () => ({ originLatencyThreshold: Duration.seconds(2) }),
        /originLatencyThreshold is '2 seconds'; it must be left unset unless publishAdditionalMetrics is true/],
      ['an asset cache over a year', () => ({ sources: [page()], assetCacheMaxAge: Duration.days(366) }), /assetCacheMaxAge is 366 days; it must be a whole number of seconds from 0 seconds to 365 days/],
      ['an HTML cache over a year', () => ({ sources: [page()], htmlCacheMaxAge: Duration.days(400) }), /htmlCacheMaxAge is 400 days/],
      ['a cache age without sources', () => ({ htmlCacheMaxAge: Duration.minutes(1) }), /htmlCacheMaxAge is '1 minute'; it must be left unset without sources/],
      ['a price class CloudFront does not have, as untyped configuration gives it', () => ({ priceClass: 'PriceClass_300' as cloudfront.PriceClass }),
        /^ {2}- priceClass is 'PriceClass_300'; it must be one of cloudfront\.PriceClass's values: 'PriceClass_100', 'PriceClass_200', 'PriceClass_All'\.$/m],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      const stack = newStack({ withEnv: true });
      expect(() => new StaticWebsite(stack, 'Site', props(stack))).toThrow(message);
    });

    test('PROD in eu-west-1 is refused, naming the stack, its region and the fix, with webAclArn too', () => {
      const ireland = () => new Stack(newApp(), 'Ireland', { env: { ...TEST_ENV, region: 'eu-west-1' } });
      expect(() => new StaticWebsite(ireland(), 'Site')).toThrow(new RegExp("^StaticWebsite 'Ireland/Site' has 1 invalid prop:\n"
        + "  - the region of stack 'Ireland' is 'eu-west-1'; it must be us-east-1 for a PROD StaticWebsite: CloudFront publishes its metrics only in us-east-1.*"
        + "would lose its alarms and its web ACL\\. Deploy the site's stack with env: \\{ region: 'us-east-1' \\}"));
      expect(() => new StaticWebsite(ireland(), 'Site', { webAclArn: WEB_ACL_ARN, stage: DeploymentStage.PROD }))
        .toThrow(/the region of stack 'Ireland' is 'eu-west-1'; .* so elsewhere the site would lose its alarms\. Deploy/);
    });

    test('PROD in an env-agnostic stack, the default, is refused, saying why and the fix', () => {
      expect(() => new StaticWebsite(newStack(), 'Site')).toThrow(
        /the region of stack 'TestStack' is unset; it must be us-east-1 for a PROD StaticWebsite, known at synth \(an env-agnostic stack deploys wherever the CLI points\):.*Deploy the site's stack with env: \{ region: 'us-east-1' \}/);
    });

    test('a hosted zone without a certificate needs a stack in us-east-1, in DEV too', () => {
      for (const stack of [newStack(), new Stack(newApp(), 'Ireland', { env: { ...TEST_ENV, region: 'eu-west-1' } })]) {
        expect(() => new StaticWebsite(stack, 'Site', { stage: DeploymentStage.DEV, domainNames: ['www.example.com'], hostedZone: zone(stack) }))
          .toThrow(/hostedZone is '.*Zone'; it must be given with a certificate unless the stack is in us-east-1/);
      }
    });

    test('collects every error into one message', () => {
      expect(() => build({ errorRate5xxThreshold: -1, allowedCountries: ['x'], indexDocument: '/' })).toThrow(/has 3 invalid props:/);
    });

    // Every validated prop takes a value known only at deploy time; the validator skips it.
    const certificateOf = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
    test.each<[string, (t: DeployTimeValues, stack: Stack) => StaticWebsiteProps]>([
      ['a name of domainNames', (t, stack) => ({ domainNames: [t.text, 'www.example.com'], certificate: certificateOf(stack) })],
      ['domainNames as a whole, with a certificate', (t, stack) => ({ domainNames: t.list, certificate: certificateOf(stack) })],
      ["the certificate's ARN", (t, stack) => ({ domainNames: ['www.example.com'], certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', t.text) })],
      ['indexDocument', (t) => ({ indexDocument: t.text })],
      ['errorDocument', (t) => ({ errorDocument: t.text })],
      ['contentSecurityPolicy', (t) => ({ contentSecurityPolicy: t.text })],
      ['webAclArn', (t) => ({ webAclArn: t.text })],
      ['noncurrentVersionExpiration', (t) => ({ noncurrentVersionExpiration: Duration.days(t.number) })],
      ['errorRate5xxThreshold', (t) => ({ errorRate5xxThreshold: t.number })],
      ['errorRate4xxThreshold', (t) => ({ errorRate4xxThreshold: t.number })],
      ['originLatencyThreshold', (t) => ({ publishAdditionalMetrics: true, originLatencyThreshold: Duration.millis(t.number) })],
      ['assetCacheMaxAge', (t) => ({ sources: [page()], assetCacheMaxAge: t.duration })],
      ['htmlCacheMaxAge', (t) => ({ sources: [page()], htmlCacheMaxAge: t.duration })],
      ['priceClass', (t) => ({ priceClass: t.text as cloudfront.PriceClass })],
    ])('accepts a token for %s', (_prop, props) => {
      const stack = newStack({ withEnv: true });
      new StaticWebsite(stack, 'Site', props(deployTimeValues(stack), stack));
      // The parameter reaches the template, not a value the pattern made up in its place.
      expect(JSON.stringify(Template.fromStack(stack).toJSON().Resources)).toMatch(/\{"Ref":"DeployTime(Number|Text|List)"\}/);
    });

    test.each<[string, (t: DeployTimeValues, stack: Stack) => StaticWebsiteProps, string]>([
      ['domainNames as a whole, with a hosted zone', (t, stack) => ({ domainNames: t.list, certificate: certificateOf(stack), hostedZone: zone(stack) }),
        'domainNames is a token, only known at deploy time; it must be a value known at synth: each name gets alias records of its own in hostedZone.'],
      ['a code of allowedCountries', (t) => ({ allowedCountries: [t.text, 'DE'] }),
        "allowedCountries is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's geographic restriction checks each code at synth."],
      ['blockedCountries as a whole', (t) => ({ blockedCountries: t.list }),
        "blockedCountries is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's geographic restriction checks each code at synth."],
    ])('refuses a token for %s, saying why', (_prop, props, message) => {
      const stack = newStack({ withEnv: true });
      expect(() => new StaticWebsite(stack, 'Site', props(deployTimeValues(stack), stack))).toThrow(message);
    });

    test('passes a token on to the template', () => {
      const stack = newStack({ withEnv: true });
      const { template } = build({ priceClass: Token.asString({ Ref: 'PriceClass' }) as cloudfront.PriceClass }, stack);
      template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ PriceClass: { Ref: 'PriceClass' } }) });
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new StaticWebsite(new Stack(app, 'Defaults', { env: TEST_ENV }), 'Site');
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV in an env-agnostic stack: no unacknowledged finding', () => {
      const app = newApp();
      new StaticWebsite(new Stack(app, 'Dev'), 'Site', { stage: DeploymentStage.DEV });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV in us-east-1, with sources: no unacknowledged finding', () => {
      const app = newApp();
      new StaticWebsite(new Stack(app, 'Dev', { env: TEST_ENV }), 'Site', { stage: DeploymentStage.DEV, sources: [page()] });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured: no unacknowledged finding', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged', () => {
      expect(fullyConfiguredNag().v2).toEqual([]);
    });

    test('the acknowledgements say why; the web ACL one only in DEV, waived for DEV, wherever the stack is', () => {
      const reasons = (stack: Stack) => JSON.stringify(stack.resolve((stack.node.findChild('Site').node.findChild('Distribution').node.defaultChild as any).getMetadata('cdk_nag')));
      const elsewhere = new Stack(newApp(), 'Ireland', { env: { ...TEST_ENV, region: 'eu-west-1' } });
      new StaticWebsite(elsewhere, 'Site', { stage: DeploymentStage.DEV });
      for (const stack of [elsewhere, dev.stack]) {
        expect(reasons(stack)).toMatch(/"reason":"Waived for DEV: [^}]*"id":"AwsSolutions-CFR2"/);
      }
      expect(reasons(elsewhere)).toMatch(/A DEV site without domainNames[^}]*"id":"AwsSolutions-CFR4"/);
      expect(reasons(prod.stack)).toMatch(/Without domainNames[^}]*"id":"AwsSolutions-CFR4"/);
      // PROD has a web ACL, its own or webAclArn's, and DEV with webAclArn too: nothing to acknowledge.
      expect(reasons(prod.stack)).not.toMatch(/CFR2/);
      expect(reasons(build({ webAclArn: WEB_ACL_ARN }).stack)).not.toMatch(/CFR2/);
      expect(reasons(build({ stage: DeploymentStage.DEV, webAclArn: WEB_ACL_ARN }).stack)).not.toMatch(/CFR2/);
    });
  });

  describe('composition', () => {
    test('two sites in one stack synthesize, with distinct CloudFront configuration names', () => {
      const stack = newStack({ withEnv: true });
      new StaticWebsite(stack, 'Docs');
      new StaticWebsite(stack, 'Shop', { singlePageApplication: true });
      const template = Template.fromStack(stack);
      const names = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy')).map((p) => p.Properties.ResponseHeadersPolicyConfig.Name);
      expect(new Set(names).size).toBe(2);
      template.resourceCountIs('AWS::CloudFront::Distribution', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new StaticWebsite(stack, 'Site', fullyConfigured(stack));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});
