import { Annotations, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { createAccessLogBucket } from '../core/access-log-bucket';
import { checkDomainName } from '../core/domain-names';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding, acknowledgeNagRule, NagPackPrefix, nagResourceText } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';
import { CLOUDFRONT_WEB_ACL_ARN, createManagedRulesWebAcl } from '../core/web-acl';

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
   * @default - in PROD, a stack in us-east-1 gets a new web ACL of AWS managed rule groups; other
   * stacks, which cannot create one, and DEV get none
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
   * average), above 0 and at most 100.
   *
   * @default 1
   */
  readonly errorRate5xxThreshold?: number;

  /**
   * The share of requests, in percent, answered with a 4xx error at which the alarm fires (5-minute
   * average), above 0 and at most 100. Crawlers probing for pages that do not exist make some
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

// Cache-Control max-age beyond a year is ignored by CloudFront's managed caching-optimized policy.
const MAX_CACHE_AGE = Duration.days(365);
// CloudFront's limits: alternate domain names per distribution, and the length of the
// Content-Security-Policy header of a response headers policy.
const MAX_DOMAIN_NAMES = 100;
const MAX_CSP_LENGTH = 1783;
// ACM's default quota of names per certificate, for the certificate the pattern requests.
const MAX_CERTIFICATE_NAMES = 10;
const DEFAULT_CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";
// The last label is letters, or an internationalized top-level domain in punycode (xn--...).
// An ACM certificate's ARN; its first group is the region.
const ACM_CERTIFICATE_ARN = /^arn:[a-z-]+:acm:([a-z0-9-]+):\d{12}:certificate\/.+$/;
const COUNTRY_CODE = /^[A-Z]{2}$/;
// The memory the deployment's function gets: more than Lambda's 128 MB default for `aws s3 sync`
// of a whole site, and a handler of its own (aws-cdk-lib shares one per stack and memory size),
// so no other BucketDeployment of the stack shares this pattern's narrowly granted role.
const DEPLOYMENT_MEMORY_MB = 512;

/**
 * A website of static files that only CloudFront can read, served over HTTPS from the edge with
 * security headers, access logs and alarms.
 *
 * Applies: a private bucket (all public access blocked, no ACLs, TLS-only, encrypted, versioned,
 * access-logged) that admits only this distribution through origin access control; HTTP redirected
 * to HTTPS, HTTP/2 and HTTP/3, compression and IPv6; HSTS, X-Content-Type-Options, X-Frame-Options,
 * Referrer-Policy and a Content-Security-Policy on every response; assets cached long and HTML
 * short, the cache invalidated on deployment; single-page-application or error-document mapping;
 * standard access logs; a managed-rules web ACL in PROD (us-east-1 stacks); a custom domain with
 * TLS 1.2 at least and its DNS records; alarms on error rates; the bucket retained in PROD.
 *
 * @example
 * import { StaticWebsite } from 'cdk-best-practice-patterns';
 *
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
   * in us-east-1 gets them; elsewhere this is empty.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: StaticWebsiteProps = {}) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, props);
    props = prelude.props;
    this.alarms = prelude.alarms;

    const production = prelude.production;
    const removalPolicy = prelude.removalPolicy;
    const region = Stack.of(this).region;
    const inUsEast1 = region === 'us-east-1';
    this.validate(props, prelude.validator, region);

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

    // PROD gets AWS's managed rule groups, but a web ACL of scope CLOUDFRONT can only be created in
    // us-east-1: a stack elsewhere passes webAclArn.
    this.webAcl = !props.webAclArn && production && inUsEast1 ? createManagedRulesWebAcl(this, 'CLOUDFRONT', removalPolicy) : undefined;
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
        responseHeadersPolicy: this.createResponseHeadersPolicy(props),
        compress: true,
      },
      defaultRootObject: props.indexDocument ?? 'index.html',
      errorResponses: this.errorResponses(props),
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
    this.acknowledgeDistributionFindings(props, production, inUsEast1);
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
      this.deploy(props, removalPolicy);
    }
    this.createAlarms(prelude, inUsEast1);
  }

  private validate(props: StaticWebsiteProps, v: PropValidator, region: string): void {
    const domainNames = props.domainNames ?? [];
    v.check(domainNames.length <= MAX_DOMAIN_NAMES, 'domainNames', `${domainNames.length} names`, `at most ${MAX_DOMAIN_NAMES} names (CloudFront's limit of alternate domain names)`);
    // A list from a parameter serves as the distribution's aliases, but each name of a hosted zone
    // gets records of its own, so then the names must be known.
    const namesKnown = !Token.isUnresolved(domainNames);
    if (props.hostedZone) {
      v.knownAtSynth('domainNames', domainNames, 'each name gets alias records of its own in hostedZone');
    }
    for (const name of namesKnown ? domainNames : []) {
      checkDomainName(v, 'domainNames', name, props.hostedZone);
    }
    v.check(domainNames.length === 0 || props.certificate !== undefined || props.hostedZone !== undefined, 'domainNames', domainNames,
      'given with a certificate or a hostedZone, so CloudFront can serve them over HTTPS');
    v.check(props.certificate === undefined || domainNames.length > 0, 'certificate', props.certificate?.node.path, 'given with the domainNames it covers');
    v.check(props.hostedZone === undefined || domainNames.length > 0, 'hostedZone', props.hostedZone?.node.path, 'given with the domainNames to create records for');
    const certificateArn = props.certificate && !Token.isUnresolved(props.certificate.certificateArn) ? props.certificate.certificateArn : undefined;
    const certificateRegion = certificateArn === undefined ? undefined : ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1];
    v.check(certificateArn === undefined || certificateRegion !== undefined, 'certificate', certificateArn,
      'the ARN of an ACM certificate, arn:<partition>:acm:us-east-1:<account>:certificate/<id>');
    v.check(certificateRegion === undefined || certificateRegion === 'us-east-1', 'certificate', certificateArn,
      'a certificate in us-east-1, the only region CloudFront takes certificates from');
    if (props.hostedZone) {
      if (!props.certificate) {
        v.check(region === 'us-east-1', 'hostedZone', props.hostedZone.node.path,
          'given with a certificate unless the stack is in us-east-1: CloudFront takes certificates only from us-east-1, so request one there'
          + ` (a stack with env region us-east-1 and crossRegionReferences) and pass it; this stack's region is ${Token.isUnresolved(region) ? 'unknown at synth time' : region}`);
        v.check(domainNames.length <= MAX_CERTIFICATE_NAMES, 'domainNames', `${domainNames.length} names`,
          `at most ${MAX_CERTIFICATE_NAMES} names for the certificate the pattern requests (ACM's default quota); pass a certificate for more`);
      }
    }
    for (const [prop, key] of [['indexDocument', props.indexDocument], ['errorDocument', props.errorDocument]] as const) {
      v.check(key === undefined || Token.isUnresolved(key) || /^[^/\s][^\s]{0,1023}$/.test(key), prop, key,
        'an object key such as index.html: no leading /, no spaces, at most 1,024 characters');
    }
    v.check(!(props.singlePageApplication && props.errorDocument !== undefined), 'errorDocument', props.errorDocument,
      'left unset for a single-page application, whose missing paths answer the index document');
    const csp = props.contentSecurityPolicy;
    v.check(csp === undefined || Token.isUnresolved(csp) || (csp.trim().length > 0 && csp.length <= MAX_CSP_LENGTH && !/[\r\n]/.test(csp)),
      'contentSecurityPolicy', csp && csp.length > 80 ? `${csp.length} characters` : csp,
      `a non-empty header value on one line, at most ${MAX_CSP_LENGTH} characters (CloudFront's limit)`);
    v.check(props.webAclArn === undefined || Token.isUnresolved(props.webAclArn) || CLOUDFRONT_WEB_ACL_ARN.test(props.webAclArn), 'webAclArn', props.webAclArn,
      'the ARN of a web ACL of scope CLOUDFRONT, arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>');
    v.check(!(props.allowedCountries && props.blockedCountries), 'blockedCountries', props.blockedCountries,
      'left unset when allowedCountries is set: a distribution either allows or blocks countries');
    for (const [prop, codes] of [['allowedCountries', props.allowedCountries], ['blockedCountries', props.blockedCountries]] as const) {
      if (codes === undefined) {
        continue;
      }
      // aws-cdk-lib's GeoRestriction checks each code at synth and cannot read a token.
      const why = "aws-cdk-lib's geographic restriction checks each code at synth";
      v.knownAtSynth(prop, codes, why);
      v.check(codes.length > 0, prop, codes, 'at least one country code, or unset');
      for (const code of Token.isUnresolved(codes) ? [] : codes) {
        v.knownAtSynth(prop, code, why);
        v.check(Token.isUnresolved(code) || COUNTRY_CODE.test(code), prop, code, 'an ISO 3166-1 alpha-2 country code: two capital letters, such as DE');
      }
    }
    const noncurrentDays = props.noncurrentVersionExpiration && !props.noncurrentVersionExpiration.isUnresolved()
      ? props.noncurrentVersionExpiration.toDays({ integral: false }) : undefined;
    v.check(noncurrentDays === undefined || (Number.isInteger(noncurrentDays) && noncurrentDays >= 1), 'noncurrentVersionExpiration',
      noncurrentDays === undefined ? undefined : `${noncurrentDays} days`, 'a whole number of days, at least 1');
    for (const [prop, threshold] of [['errorRate5xxThreshold', props.errorRate5xxThreshold], ['errorRate4xxThreshold', props.errorRate4xxThreshold]] as const) {
      v.check(threshold === undefined || Token.isUnresolved(threshold) || (threshold > 0 && threshold <= 100), prop, threshold, 'a percentage above 0 and at most 100');
    }
    v.check(props.originLatencyThreshold === undefined || props.publishAdditionalMetrics === true, 'originLatencyThreshold',
      props.originLatencyThreshold?.toHumanString(), 'left unset unless publishAdditionalMetrics is true (CloudFront publishes origin latency only then)');
    if (props.sources) {
      v.secondsInRange('assetCacheMaxAge', props.assetCacheMaxAge, 0, MAX_CACHE_AGE.toSeconds());
      v.secondsInRange('htmlCacheMaxAge', props.htmlCacheMaxAge, 0, MAX_CACHE_AGE.toSeconds());
    } else {
      for (const [prop, value] of [['assetCacheMaxAge', props.assetCacheMaxAge], ['htmlCacheMaxAge', props.htmlCacheMaxAge]] as const) {
        v.check(value === undefined, prop, value?.toHumanString(), 'left unset without sources (the pattern sets Cache-Control on the files it deploys)');
      }
    }
    v.oneOf('priceClass', props.priceClass, cloudfront.PriceClass, 'cloudfront.PriceClass');
    v.throwIfInvalid();
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
    const all = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];
    if (!props.encryptionKey) {
      acknowledgeNagRule(bucket, all, 'S3DefaultEncryptionKMS',
        'The files are public through the distribution; S3-managed keys encrypt them at rest at no cost, and encryptionKey uses a customer key.');
    }
    acknowledgeNagRule(bucket, all, 'S3BucketReplicationEnabled',
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

  /**
   * HSTS, MIME sniffing off, no framing, a strict referrer policy and the content security policy,
   * overriding whatever the objects say.
   */
  private createResponseHeadersPolicy(props: StaticWebsiteProps): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: regionalName(this, 'SecurityHeaders', 128),
      comment: `Security headers of ${this.node.path}`.slice(0, 128),
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy ?? DEFAULT_CSP, override: true },
      },
    });
  }

  /**
   * Under origin access control CloudFront may not list the bucket, so S3 answers 403, not 404,
   * for a key that does not exist: both are mapped.
   */
  private errorResponses(props: StaticWebsiteProps): cloudfront.ErrorResponse[] | undefined {
    const ttl = props.htmlCacheMaxAge ?? Duration.seconds(0);
    if (props.singlePageApplication) {
      const index = `/${props.indexDocument ?? 'index.html'}`;
      return [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: index, ttl }));
    }
    if (props.errorDocument) {
      return [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 404, responsePagePath: `/${props.errorDocument}`, ttl }));
    }
    return undefined;
  }

  private acknowledgeDistributionFindings(props: StaticWebsiteProps, production: boolean, inUsEast1: boolean): void {
    if (!props.webAclArn && !this.webAcl) {
      acknowledgeNagFinding(this.distribution, 'AwsSolutions-CFR2', production
        ? 'A web ACL for CloudFront can only be created in us-east-1 and this stack is elsewhere (or its region is unknown): pass webAclArn.'
        : 'DEV skips the web ACL (about $8 a month) to keep sandboxes cheap; PROD in us-east-1 creates one, and webAclArn attaches any.');
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
    if (!inUsEast1) {
      Annotations.of(this).addInfo(`CloudFront publishes its metrics in us-east-1 only, so ${this.node.path} has no alarms in this stack `
        + '(its region is not us-east-1); see the StaticWebsite docs for watching it from a us-east-1 stack.');
    }
  }

  private createAliasRecords(zone: route53.IHostedZone, domainNames: string[]): void {
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
    for (const name of domainNames) {
      new route53.ARecord(this, `AliasA-${name}`, { zone, recordName: name, target });
      new route53.AaaaRecord(this, `AliasAAAA-${name}`, { zone, recordName: name, target });
    }
  }

  /**
   * Copies the sources in two passes: everything but HTML first, with the long cache, then the
   * HTML, with the short one, which also invalidates the distribution's cache once the new pages
   * are in place.
   */
  private deploy(props: StaticWebsiteProps, removalPolicy: RemovalPolicy): void {
    const deployer = WebsiteDeployer.of(this, removalPolicy);
    const common = {
      sources: props.sources!,
      destinationBucket: this.bucket,
      role: deployer.role,
      logGroup: deployer.logGroup,
      memoryLimit: DEPLOYMENT_MEMORY_MB,
    };
    const assets = new s3deploy.BucketDeployment(this, 'AssetsDeployment', {
      ...common,
      exclude: ['*.html'],
      cacheControl: [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(props.assetCacheMaxAge ?? Duration.days(1))],
    });
    if (assets.handlerRole !== deployer.role) {
      // aws-cdk-lib picks a stack's deployment function by memory size alone, and ignores the role
      // of every deployment after the first.
      throw new Error(`StaticWebsite '${this.node.path}' cannot deploy its sources: another BucketDeployment of ${Stack.of(this).node.path} with `
        + `memoryLimit ${DEPLOYMENT_MEMORY_MB} was created first, and aws-cdk-lib would run this site's deployment with its role. `
        + 'Give that deployment another memoryLimit, or create this site first.');
    }
    deployer.role.invalidating = this.distribution;
    const html = new s3deploy.BucketDeployment(this, 'HtmlDeployment', {
      ...common,
      exclude: ['*'],
      include: ['*.html'],
      cacheControl: [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(props.htmlCacheMaxAge ?? Duration.seconds(0)),
        s3deploy.CacheControl.mustRevalidate()],
      distribution: this.distribution,
    });
    deployer.role.invalidating = undefined;
    html.node.addDependency(assets);
    deployer.acknowledgeGrantsFor(this.bucket, props.encryptionKey);
  }

  private createAlarms(prelude: PatternPrelude<StaticWebsiteProps>, inUsEast1: boolean): void {
    const props = prelude.props;
    const rate5xx = this.metric('5xxErrorRate', cloudwatch.Stats.AVERAGE);
    const rate4xx = this.metric('4xxErrorRate', cloudwatch.Stats.AVERAGE);
    if (inUsEast1) {
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
          metric: this.metric('OriginLatency', cloudwatch.Stats.p(90)),
          threshold: latency.toMilliseconds(),
          description: `10% of the requests ${this.node.path} forwards to its bucket take longer than ${latency.toHumanString()}`,
        });
      }
    }
    // Dashboards, unlike alarms, can read another region's metrics.
    const region = 'us-east-1';
    prelude.dashboard([
      { title: 'Requests', region, metrics: [this.metric('Requests', cloudwatch.Stats.SUM)] },
      { title: 'Error rates (%)', region, metrics: [rate4xx, rate5xx] },
    ]);
  }

  /**
   * One of the distribution's metrics over 5 minutes. CloudFront publishes them with a `Region`
   * dimension of `Global`, which aws-cdk-lib's `metric*` methods leave out (aws-cdk #19245): an
   * alarm on those would watch a metric that does not exist, and never fire.
   */
  private metric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global' },
      period: Duration.minutes(5),
      statistic,
    });
  }
}

/**
 * A name unique per stack and region, for CloudFront configurations whose names are global to the
 * account: aws-cdk-lib's default leaves the region out, so one stack deployed to two regions would
 * collide.
 */
function regionalName(scope: Construct, suffix: string, maxLength: number): string {
  const region = Stack.of(scope).region;
  const regionPart = Token.isUnresolved(region) ? '' : `-${region}`;
  return `${Names.uniqueResourceName(scope, { maxLength: maxLength - regionPart.length - suffix.length - 1 })}-${suffix}${regionPart}`;
}

const READ_ONLY_S3_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];

/**
 * The role of the stack's website deployment function, which every StaticWebsite of the stack
 * shares (aws-cdk-lib runs one such function per stack and memory size). Its grants land in a
 * managed policy; the cache invalidation aws-cdk-lib grants on every distribution of the account
 * is narrowed to each site's own distribution. A BucketDeployment of someone else that lands on
 * it (created later, with the same memory size) keeps its grants as they are.
 */
class WebsiteDeploymentRole extends ManagedPolicyRole {
  /** The buckets' objects it may read only: the source archives in the CDK asset bucket. */
  public readonly readOnlyObjects = new Set<string>();

  /**
   * The distribution of the site whose deployment is being created: aws-cdk-lib's invalidation
   * grant on `*` made meanwhile is narrowed to it. Any other deployment's statements pass as they are.
   */
  public invalidating?: cloudfront.IDistribution;

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (this.invalidating && statement.resources.includes('*') && statement.actions.every((action) => action.startsWith('cloudfront:'))) {
      return super.addToPrincipalPolicy(new iam.PolicyStatement({ actions: statement.actions, resources: [this.invalidating.distributionArn] }));
    }
    if (statement.actions.every((action) => READ_ONLY_S3_ACTIONS.includes(action))) {
      statement.resources.filter((resource) => resource.endsWith('/*')).forEach((resource) => this.readOnlyObjects.add(resource));
    }
    return super.addToPrincipalPolicy(statement);
  }
}

/**
 * The role and log group of the stack's website deployment function, created with the first site
 * that deploys sources.
 */
class WebsiteDeployer extends Construct {
  public static of(site: Construct, removalPolicy: RemovalPolicy): WebsiteDeployer {
    const stack = Stack.of(site);
    return (stack.node.tryFindChild(WebsiteDeployer.ID) as WebsiteDeployer | undefined) ?? new WebsiteDeployer(stack, removalPolicy);
  }

  private static readonly ID = 'StaticWebsiteDeployer';

  public readonly role: WebsiteDeploymentRole;
  public readonly logGroup: logs.LogGroup;
  private functionAcknowledged = false;

  private constructor(stack: Stack, removalPolicy: RemovalPolicy) {
    super(stack, WebsiteDeployer.ID);
    this.role = new WebsiteDeploymentRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the StaticWebsite sources of this stack into their buckets and invalidates their distributions',
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy });
    this.logGroup.grantWrite(this.role);
    const all = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];
    acknowledgeNagRule(this.logGroup, all, 'CloudWatchLogGroupEncrypted',
      'This log holds only the names of the files each deployment copied, no data worth a customer key ($1 a month).');
  }

  /**
   * Acknowledges what aws-cdk-lib's BucketDeployment grants, on the function and on its role: the
   * function is aws-cdk-lib's, run once per deployment, not this library's.
   */
  public acknowledgeGrantsFor(bucket: s3.Bucket, key: kms.IKey | undefined): void {
    const stack = Stack.of(this);
    const fn = stack.node.children.find((c): c is lambda.Function => c instanceof lambda.Function && c.role === this.role);
    if (!fn) {
      throw new Error(`The website deployment function of ${stack.node.path} was not found`);
    }
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    const syncReason = 'aws s3 sync reads, writes and deletes any file of the site: the wildcards are S3 action groups on this one bucket.';
    for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*',
      `Resource::<${bucketId}.Arn>/*`]) {
      acknowledgeNagFinding(this.role, `AwsSolutions-IAM5[${finding}]`, syncReason);
    }
    for (const objects of this.role.readOnlyObjects) {
      acknowledgeNagFinding(this.role, `AwsSolutions-IAM5[Resource::${nagResourceText(this, objects)}]`,
        'The deployment reads its source archives from the CDK asset bucket, whose keys are content hashes; read only.');
    }
    if (key) {
      for (const finding of ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*']) {
        acknowledgeNagFinding(this.role, `AwsSolutions-IAM5[${finding}]`, 'Writing objects to a bucket encrypted with a customer key needs these KMS action groups, on that key only.');
      }
    }
    if (this.functionAcknowledged) {
      return;
    }
    this.functionAcknowledged = true;
    const reason = "aws-cdk-lib's deployment function runs only while CloudFormation deploys the site, invoked by CloudFormation alone";
    const all = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];
    acknowledgeNagRule(fn, [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY], 'LambdaConcurrency', `${reason}: no traffic to cap.`);
    acknowledgeNagRule(fn, [...all, NagPackPrefix.SERVERLESS], 'LambdaDLQ', `${reason}, which receives its result directly; nothing is queued to lose.`);
    acknowledgeNagRule(fn, all, 'LambdaInsideVPC', `${reason}; it reaches only S3 and CloudFront, over TLS.`);
    const runtimeReason = "aws-cdk-lib sets and updates this function's runtime with its own releases; the library cannot choose it.";
    acknowledgeNagFinding(fn, 'AwsSolutions-L1', runtimeReason);
    acknowledgeNagFinding(fn, 'Serverless-LambdaLatestVersion', runtimeReason);
    acknowledgeNagFinding(fn, 'Serverless-LambdaTracing', `${reason}; its log records each deployment, tracing would add nothing.`);
  }
}
