import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { deployWebsite } from './deployer';
import { createSecurityHeadersPolicy, DEFAULT_INDEX_DOCUMENT, distributionMetric, errorResponses, regionalName } from './distribution';
import { cloudFrontMetrics, validateStaticWebsiteProps } from './validate';
import { createAccessLogBucket } from '../../core/access-log-bucket';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS } from '../../core/nag';
import { PatternPrelude } from '../../core/pattern-prelude';
import { PatternProps } from '../../core/pattern-props';
import { warnOutsideUsEast1 } from '../../core/us-east-1';
import { createManagedRulesWebAcl } from '../../core/web-acl';

/**
 * The id of the warning a DEV site outside us-east-1 gets: it has no alarms.
 */
const OUTSIDE_US_EAST_1_WARNING = 'cdk-best-practice-patterns:staticWebsiteOutsideUsEast1';

/**
 * Properties of a StaticWebsite.
 */
export interface StaticWebsiteProps extends PatternProps {
  /**
   * What to deploy into the bucket, such as `Source.asset('./site')` for a local folder.
   *
   * Files are copied on every deployment that changes them, stale ones removed, and the
   * distribution's cache invalidated. HTML is copied after everything else, so a new page never
   * links to an asset that is not there yet.
   *
   * @default - nothing is deployed; upload the files yourself
   */
  readonly sources?: s3deploy.ISource[];

  /**
   * The object CloudFront answers for the site's root, `/`: an object key, without a leading `/`.
   *
   * @default 'index.html'
   */
  readonly indexDocument?: string;

  /**
   * Whether the site is a single-page application: a path without an object (S3 answers 403 to
   * CloudFront for it, since CloudFront may not list the bucket) answers the index document with
   * status 200, so the application's router can show it.
   *
   * @default false
   */
  readonly singlePageApplication?: boolean;

  /**
   * The object CloudFront answers, with status 404, for a path that has no object: an object key,
   * without a leading `/`. Not with `singlePageApplication`.
   *
   * @default - CloudFront passes on S3's own error (403 Access Denied for a missing key)
   */
  readonly errorDocument?: string;

  /**
   * The Content-Security-Policy header every response carries, at most 1,783 characters.
   *
   * @default "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"
   */
  readonly contentSecurityPolicy?: string;

  /**
   * How long browsers and CloudFront may keep files other than HTML (`Cache-Control: max-age` on
   * upload), from 0 seconds to 1 year. Raise it to a year when file names carry a content hash.
   * Only with `sources`.
   *
   * @default Duration.days(1)
   */
  readonly assetCacheMaxAge?: Duration;

  /**
   * How long browsers may keep HTML files without asking again (`Cache-Control: max-age` on
   * upload), from 0 seconds to 1 year. Short, so a deployment shows at once; CloudFront keeps
   * them at least 1 second, and each deployment invalidates its cache. Only with `sources`.
   *
   * @default Duration.seconds(0)
   */
  readonly htmlCacheMaxAge?: Duration;

  /**
   * The edge locations that serve the site.
   *
   * @default - PriceClass.PRICE_CLASS_ALL in PROD, PriceClass.PRICE_CLASS_100 (North America and
   * Europe) in DEV
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * The ARN of a web ACL of scope CLOUDFRONT (always in us-east-1) to protect the distribution with.
   *
   * @default - in PROD, a new web ACL of AWS managed rule groups (PROD requires a stack in
   * us-east-1, where such a web ACL can be created); DEV gets none
   */
  readonly webAclArn?: string;

  /**
   * The only countries that may see the site, as ISO 3166-1 alpha-2 codes (`'DE'`). Not with
   * `blockedCountries`.
   *
   * @default - every country
   */
  readonly allowedCountries?: string[];

  /**
   * Countries that may not see the site, as ISO 3166-1 alpha-2 codes (`'KP'`). Not with
   * `allowedCountries`.
   *
   * @default - none
   */
  readonly blockedCountries?: string[];

  /**
   * The site's own host names, at most 100. Needs `certificate` or `hostedZone`.
   *
   * @default - the distribution's `*.cloudfront.net` name only
   */
  readonly domainNames?: string[];

  /**
   * The certificate for `domainNames`: an ACM certificate in us-east-1 that covers all of them.
   *
   * @default - with `hostedZone`, a new DNS-validated certificate; else none
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The Route 53 zone that holds `domainNames`: the pattern adds an A and an AAAA alias record per
   * name, and without a `certificate`, creates one validated through the zone (in a stack whose
   * region is us-east-1, where CloudFront requires its certificates).
   *
   * @default - no DNS records; point the names at the distribution yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * A customer-managed KMS key to encrypt the site's objects with. The pattern lets CloudFront
   * decrypt with it (see the docs for the scope of that statement).
   *
   * @default - S3-managed keys (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the bucket keeps a replaced or deleted version of an object, in whole days, at least
   * 1: the window in which a bad deployment can be undone object by object.
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * The share of requests, in percent, answered with a 5xx error at which the alarm fires (5-minute
   * average), from 0 to 100.
   *
   * @default 1
   */
  readonly errorRate5xxThreshold?: number;

  /**
   * The share of requests, in percent, answered with a 4xx error at which the alarm fires (5-minute
   * average), from 0 to 100. Crawlers probing for pages that do not exist make some
   * 4xx normal, so it sits higher than the 5xx one.
   *
   * @default 10
   */
  readonly errorRate4xxThreshold?: number;

  /**
   * Whether CloudFront publishes its additional metrics (origin latency, cache hit rate and error
   * rates per status code), billed as custom CloudWatch metrics. With them, an alarm watches
   * origin latency.
   *
   * @default false
   */
  readonly publishAdditionalMetrics?: boolean;

  /**
   * The p90 origin latency at which the alarm fires. Only with `publishAdditionalMetrics`.
   *
   * @default Duration.seconds(1)
   */
  readonly originLatencyThreshold?: Duration;
}

/**
 * A website of static files that only CloudFront can read, served over HTTPS from the edge with
 * security headers, access logs and alarms.
 *
 * Applies: a private bucket (all public access blocked, no ACLs, TLS-only, encrypted, versioned,
 * access-logged) that admits only this distribution through origin access control; HTTP redirected
 * to HTTPS, HTTP/2 and HTTP/3, compression and IPv6; HSTS, X-Content-Type-Options, X-Frame-Options,
 * Referrer-Policy and a Content-Security-Policy on every response; assets cached long and HTML
 * short, the cache invalidated on deployment; single-page-application or error-document mapping;
 * standard access logs; a managed-rules web ACL in PROD; a custom domain with TLS 1.2 at least and
 * its DNS records; alarms on error rates; the bucket retained in PROD.
 *
 * In PROD the stack must be in us-east-1 (`env: { region: 'us-east-1' }`), where CloudFront
 * publishes its metrics and web ACLs for CloudFront are created: anywhere else, or in an
 * env-agnostic stack, the constructor throws and says so. DEV elsewhere goes without alarms, with
 * a warning.
 *
 * @example
 * import { StaticWebsite } from 'cdk-best-practice-patterns';
 *
 * // `this` is a stack with env: { region: 'us-east-1' }, which PROD, the default stage, requires.
 * const site = new StaticWebsite(this, 'Site', {
 *   sources: [s3deploy.Source.asset('./dist')],
 *   singlePageApplication: true,
 * });
 * new CfnOutput(this, 'SiteUrl', { value: site.url });
 */
export class StaticWebsite extends Construct {
  /**
   * The bucket holding the site's files. Only the distribution may read it.
   */
  public readonly bucket: s3.Bucket;

  /**
   * The CloudFront distribution serving the site.
   */
  public readonly distribution: cloudfront.Distribution;

  /**
   * The bucket holding the distribution's and the content bucket's access logs, under `cloudfront/`
   * and `s3/`.
   */
  public readonly logBucket: s3.Bucket;

  /**
   * The site's address: `https://` and the first of `domainNames`, else the distribution's name.
   */
  public readonly url: string;

  /**
   * The certificate the distribution serves for `domainNames`: the given one, or the one the
   * pattern requested through `hostedZone`.
   */
  public readonly certificate?: acm.ICertificate;

  /**
   * The web ACL the pattern created, when it created one.
   */
  public readonly webAcl?: wafv2.CfnWebACL;

  /**
   * The alarms of this pattern: the 5xx and 4xx error rates, and origin latency with
   * `publishAdditionalMetrics`. CloudFront publishes its metrics in us-east-1 only, so only a stack
   * in us-east-1 gets them; a DEV site elsewhere has none (PROD elsewhere is refused).
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: StaticWebsiteProps = {}) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'StaticWebsite', props);
    props = prelude.props;
    this.alarms = prelude.alarms;

    const production = prelude.production;
    const removalPolicy = prelude.removalPolicy;
    const region = Stack.of(this).region;
    const inUsEast1 = region === 'us-east-1';
    validateStaticWebsiteProps(prelude.validator, { props, region, stack: Stack.of(this).node.path });

    // CloudFront's standard logging writes with ACLs, so this bucket, unlike the content bucket,
    // lets the object writer set them; it still blocks every public ACL and policy.
    this.logBucket = createAccessLogBucket(this, 'LogBucket', {
      production,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      sseS3Reason: 'S3 server access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3), which this bucket uses.',
    });
    this.bucket = this.createBucket(props, production, removalPolicy);

    const domainNames = props.domainNames ?? [];
    this.certificate = props.certificate ?? (props.hostedZone ? new acm.Certificate(this, 'Certificate', {
      domainName: domainNames[0],
      subjectAlternativeNames: domainNames.slice(1),
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    }) : undefined);

    // PROD gets AWS's managed rule groups; a web ACL of scope CLOUDFRONT can only be created in
    // us-east-1, which the validation above requires of PROD.
    this.webAcl = !props.webAclArn && production ? createManagedRulesWebAcl(this, 'CLOUDFRONT', removalPolicy) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Static website ${this.node.path}`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
            originAccessControlName: regionalName(this, 'OriginAccessControl', 64),
            description: `Lets ${this.node.path} read its bucket`,
          }),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Caches by the objects' own Cache-Control (set on upload), from 1 second to a year.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: createSecurityHeadersPolicy(this, props.contentSecurityPolicy),
        compress: true,
      },
      defaultRootObject: props.indexDocument ?? DEFAULT_INDEX_DOCUMENT,
      errorResponses: errorResponses(props),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? (production ? cloudfront.PriceClass.PRICE_CLASS_ALL : cloudfront.PriceClass.PRICE_CLASS_100),
      domainNames: props.domainNames,
      certificate: this.certificate,
      minimumProtocolVersion: this.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: props.webAclArn ?? this.webAcl?.attrArn,
      geoRestriction: props.allowedCountries ? cloudfront.GeoRestriction.allowlist(...props.allowedCountries)
        : props.blockedCountries ? cloudfront.GeoRestriction.denylist(...props.blockedCountries) : undefined,
      publishAdditionalMetrics: props.publishAdditionalMetrics,
    });
    this.acknowledgeDistributionFindings(props, production);
    if (props.encryptionKey) {
      // aws-cdk-lib lets CloudFront use the key for any distribution of the account: naming this
      // one would make key, bucket and distribution depend on each other (aws-cdk #21771). S3
      // authorizes a request by the bucket policy, which names this distribution only, before it
      // asks KMS to decrypt, so no other distribution can read these objects.
      Annotations.of(props.encryptionKey.node.scope ?? props.encryptionKey).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
        'The bucket policy, which S3 checks before it decrypts, admits only this distribution.');
    }

    this.url = `https://${domainNames[0] ?? this.distribution.distributionDomainName}`;
    if (props.hostedZone) {
      this.createAliasRecords(props.hostedZone, domainNames);
    }
    if (props.sources) {
      deployWebsite(this, {
        sources: props.sources,
        bucket: this.bucket,
        distribution: this.distribution,
        assetCacheMaxAge: props.assetCacheMaxAge,
        htmlCacheMaxAge: props.htmlCacheMaxAge,
        encryptionKey: props.encryptionKey,
        removalPolicy,
      });
    }
    this.createAlarms(prelude, inUsEast1);
  }

  private createBucket(props: StaticWebsiteProps, production: boolean, removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      // One data key per bucket instead of a KMS request per object CloudFront fetches.
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      versioned: true,
      lifecycleRules: [{
        noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      removalPolicy,
      autoDeleteObjects: !production,
    });
    this.logAccessTo(bucket);
    if (!props.encryptionKey) {
      acknowledgeNagRule(bucket, COMPLIANCE_PACKS, 'S3DefaultEncryptionKMS',
        'The files are public through the distribution; S3-managed keys encrypt them at rest at no cost, and encryptionKey uses a customer key.');
    }
    acknowledgeNagRule(bucket, COMPLIANCE_PACKS, 'S3BucketReplicationEnabled',
      'The bucket holds a copy of the site deployed from its sources, versioned; a lost region is recovered by deploying the sources again.');
    return bucket;
  }

  /**
   * S3 server access logs, delivered under a bucket policy that admits S3's logging service for
   * this bucket only. Set here rather than through `serverAccessLogsBucket`, which, without the
   * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag, grants the log bucket a legacy ACL.
   */
  private logAccessTo(bucket: s3.Bucket): void {
    const prefix = 's3/';
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: this.logBucket.bucketName, logFilePrefix: prefix };
    this.logBucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.logBucket.arnForObjects(`${prefix}*`)],
      conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
  }

  private acknowledgeDistributionFindings(props: StaticWebsiteProps, production: boolean): void {
    // PROD always has a web ACL (its own or webAclArn's): only DEV goes without, on purpose.
    if (!production && !props.webAclArn) {
      acknowledgeNagFinding(this.distribution, 'AwsSolutions-CFR2',
        'Waived for DEV: a DEV site skips the web ACL (about $8 a month) to keep sandboxes cheap; PROD always has one, its own or webAclArn\'s.');
    }
    if (!props.allowedCountries && !props.blockedCountries) {
      acknowledgeNagFinding(this.distribution, 'AwsSolutions-CFR1',
        'The site is for every country; allowedCountries or blockedCountries restrict it where the law requires.');
    }
    if (!this.certificate) {
      acknowledgeNagFinding(this.distribution, 'AwsSolutions-CFR4', production
        ? "Without domainNames the site has only CloudFront's *.cloudfront.net certificate, whose TLS policy CloudFront fixes; a custom domain gets TLS 1.2 at least."
        : "A DEV site without domainNames uses CloudFront's *.cloudfront.net certificate, whose TLS policy CloudFront fixes; a custom domain gets TLS 1.2 at least.");
    }
  }

  private createAliasRecords(zone: route53.IHostedZone, domainNames: string[]): void {
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
    for (const name of domainNames) {
      new route53.ARecord(this, `AliasA-${name}`, { zone, recordName: name, target });
      new route53.AaaaRecord(this, `AliasAAAA-${name}`, { zone, recordName: name, target });
    }
  }

  private createAlarms(prelude: PatternPrelude<StaticWebsiteProps>, inUsEast1: boolean): void {
    const props = prelude.props;
    const rate5xx = distributionMetric(this.distribution, '5xxErrorRate', cloudwatch.Stats.AVERAGE);
    const rate4xx = distributionMetric(this.distribution, '4xxErrorRate', cloudwatch.Stats.AVERAGE);
    if (!inUsEast1) {
      // Only DEV gets here: the validation refuses PROD outside us-east-1.
      warnOutsideUsEast1(this, OUTSIDE_US_EAST_1_WARNING, Stack.of(this).region, cloudFrontMetrics('its alarms'));
    } else {
      const threshold5xx = props.errorRate5xxThreshold ?? 1;
      const threshold4xx = props.errorRate4xxThreshold ?? 10;
      prelude.alarm('Error5xxRateAlarm', {
        metric: rate5xx,
        threshold: threshold5xx,
        description: `More than ${threshold5xx}% of the requests to ${this.node.path} fail with a 5xx error`,
      });
      prelude.alarm('Error4xxRateAlarm', {
        metric: rate4xx,
        threshold: threshold4xx,
        description: `More than ${threshold4xx}% of the requests to ${this.node.path} fail with a 4xx error`,
      });
      if (props.publishAdditionalMetrics) {
        const latency = props.originLatencyThreshold ?? Duration.seconds(1);
        prelude.alarm('OriginLatencyAlarm', {
          metric: distributionMetric(this.distribution, 'OriginLatency', cloudwatch.Stats.p(90)),
          threshold: latency.toMilliseconds(),
          description: `10% of the requests ${this.node.path} forwards to its bucket take longer than ${latency.toHumanString()}`,
        });
      }
    }
    // Dashboards, unlike alarms, can read another region's metrics.
    const metricsRegion = 'us-east-1';
    prelude.dashboard([
      { title: 'Requests', region: metricsRegion, metrics: [distributionMetric(this.distribution, 'Requests', cloudwatch.Stats.SUM)] },
      { title: 'Error rates (%)', region: metricsRegion, metrics: [rate4xx, rate5xx] },
    ]);
  }
}
