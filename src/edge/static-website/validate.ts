import { Duration, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { MAX_CACHE_AGE } from './deployer';
import type { StaticWebsiteProps } from './static-website';
import { ACM_CERTIFICATE_ARN } from '../../core/certificates';
import { checkDomainName } from '../../core/domain-names';
import { PropValidator } from '../../core/prop-validator';
import { checkProductionInUsEast1, UsEast1Metrics } from '../../core/us-east-1';
import { CLOUDFRONT_WEB_ACL_ARN } from '../../core/web-acl';

// CloudFront's limits: alternate domain names per distribution, and the length of the
// Content-Security-Policy header of a response headers policy.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
export const MAX_DOMAIN_NAMES = 100;
export const MAX_CSP_LENGTH = 1783;
// ACM's default quota of names per certificate, for the certificate the pattern requests.
export const MAX_CERTIFICATE_NAMES = 10;
const COUNTRY_CODE = /^[A-Z]{2}$/;
// An S3 object key as CloudFront's default root object and error pages take it.
const OBJECT_KEY = /^[^/\s][^\s]{0,1023}$/;

/**
 * What a rule reads: the site's props (their stage resolved), the region of its stack (a token
 * when the stack is env-agnostic) and the stack's path, which messages name.
 */
export interface SiteToValidate {
  readonly props: StaticWebsiteProps;
  readonly region: string;
  readonly stack: string;
}

/**
 * One rule of the table: records, on the validator, the errors of one prop or of a few props that
 * only make sense together.
 */
export type StaticWebsiteRule = (v: PropValidator, site: SiteToValidate) => void;

/**
 * A PROD site's stack is in us-east-1, known at synth (see `checkProductionInUsEast1`): CloudFront
 * publishes its metrics only there (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/viewing-cloudfront-metrics.html),
 * and a web ACL of scope CLOUDFRONT is created only there too
 * (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html).
 */
const productionIsInUsEast1: StaticWebsiteRule = (v, { props, region, stack }) => {
  checkProductionInUsEast1(v, props.stage, region, stack, cloudFrontMetrics(props.webAclArn === undefined ? 'its alarms and its web ACL' : 'its alarms'));
};

/** What the region's error and warning say of CloudFront; `lost`, what the site would lose elsewhere. */
export function cloudFrontMetrics(lost: string): UsEast1Metrics {
  return {
    kind: 'StaticWebsite',
    publisher: 'CloudFront publishes its metrics',
    why: `, where the alarms on them must be, and a web ACL for CloudFront can only be created there, so elsewhere the site would lose ${lost}`,
    stackOf: "the site's stack",
    note: 'CloudFront serves the site from every edge location whatever region its stack is in',
  };
}

/** At most 100 names, each a host name (in the hosted zone, when there is one). */
const domainNamesAreHostNames: StaticWebsiteRule = (v, { props }) => {
  const domainNames = props.domainNames ?? [];
  v.check(domainNames.length <= MAX_DOMAIN_NAMES, 'domainNames', `${domainNames.length} names`,
    `at most ${MAX_DOMAIN_NAMES} names (CloudFront's limit of alternate domain names)`);
  // A list from a parameter serves as the distribution's aliases, but each name of a hosted zone
  // gets records of its own, so then the names must be known.
  if (props.hostedZone) {
    v.knownAtSynth('domainNames', domainNames, 'each name gets alias records of its own in hostedZone');
  }
  for (const name of Token.isUnresolved(domainNames) ? [] : domainNames) {
    checkDomainName(v, 'domainNames', name, props.hostedZone);
  }
};

/** domainNames, certificate and hostedZone come together: names need a way to HTTPS, and back. */
const customDomainIsComplete: StaticWebsiteRule = (v, { props }) => {
  const domainNames = props.domainNames ?? [];
  v.check(domainNames.length === 0 || props.certificate !== undefined || props.hostedZone !== undefined, 'domainNames', domainNames,
    'given with a certificate or a hostedZone, so CloudFront can serve them over HTTPS');
  v.check(props.certificate === undefined || domainNames.length > 0, 'certificate', props.certificate?.node.path, 'given with the domainNames it covers');
  v.check(props.hostedZone === undefined || domainNames.length > 0, 'hostedZone', props.hostedZone?.node.path, 'given with the domainNames to create records for');
};

/** A given certificate is an ACM certificate in us-east-1, the only region CloudFront takes. */
const certificateIsInUsEast1: StaticWebsiteRule = (v, { props }) => {
  const certificateArn = props.certificate && !Token.isUnresolved(props.certificate.certificateArn) ? props.certificate.certificateArn : undefined;
  const certificateRegion = certificateArn === undefined ? undefined : ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1];
  v.check(certificateArn === undefined || certificateRegion !== undefined, 'certificate', certificateArn,
    'the ARN of an ACM certificate, arn:<partition>:acm:us-east-1:<account>:certificate/<id>');
  v.check(certificateRegion === undefined || certificateRegion === 'us-east-1', 'certificate', certificateArn,
    'a certificate in us-east-1, the only region CloudFront takes certificates from');
};

/** The certificate the pattern requests through hostedZone: only in us-east-1, within ACM's quota. */
const requestedCertificateIsPossible: StaticWebsiteRule = (v, { props, region }) => {
  if (!props.hostedZone || props.certificate) {
    return;
  }
  const domainNames = props.domainNames ?? [];
  v.check(region === 'us-east-1', 'hostedZone', props.hostedZone.node.path,
    'given with a certificate unless the stack is in us-east-1: CloudFront takes certificates only from us-east-1, so request one there'
    + ` (a stack with env region us-east-1 and crossRegionReferences) and pass it; this stack's region is ${Token.isUnresolved(region) ? 'unknown at synth time' : region}`);
  v.check(domainNames.length <= MAX_CERTIFICATE_NAMES, 'domainNames', `${domainNames.length} names`,
    `at most ${MAX_CERTIFICATE_NAMES} names for the certificate the pattern requests (ACM's default quota); pass a certificate for more`);
};

/** The index and error documents are object keys; a single-page application has no error document. */
const documentsAreObjectKeys: StaticWebsiteRule = (v, { props }) => {
  for (const [prop, key] of [['indexDocument', props.indexDocument], ['errorDocument', props.errorDocument]] as const) {
    v.check(key === undefined || Token.isUnresolved(key) || OBJECT_KEY.test(key), prop, key,
      'an object key such as index.html: no leading /, no spaces, at most 1,024 characters');
  }
  v.check(!(props.singlePageApplication && props.errorDocument !== undefined), 'errorDocument', props.errorDocument,
    'left unset for a single-page application, whose missing paths answer the index document');
};

/** The Content-Security-Policy is one non-empty header line within CloudFront's length limit. */
const contentSecurityPolicyFits: StaticWebsiteRule = (v, { props }) => {
  const csp = props.contentSecurityPolicy;
  v.check(csp === undefined || Token.isUnresolved(csp) || (csp.trim().length > 0 && csp.length <= MAX_CSP_LENGTH && !/[\r\n]/.test(csp)),
    'contentSecurityPolicy', csp && csp.length > 80 ? `${csp.length} characters` : csp,
    `a non-empty header value on one line, at most ${MAX_CSP_LENGTH} characters (CloudFront's limit)`);
};

/** A given web ACL is of scope CLOUDFRONT: a regional one cannot protect a distribution. */
const webAclIsGlobal: StaticWebsiteRule = (v, { props }) => {
  v.check(props.webAclArn === undefined || Token.isUnresolved(props.webAclArn) || CLOUDFRONT_WEB_ACL_ARN.test(props.webAclArn), 'webAclArn', props.webAclArn,
    'the ARN of a web ACL of scope CLOUDFRONT, arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>');
};

/** Countries are allowed or blocked, not both, as non-empty lists of ISO codes known at synth. */
const countriesAreIsoCodes: StaticWebsiteRule = (v, { props }) => {
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
};

/** S3 lifecycle rules count noncurrent days in whole days, from 1. */
const noncurrentVersionsKeptWholeDays: StaticWebsiteRule = (v, { props }) => {
  v.wholeDays('noncurrentVersionExpiration', props.noncurrentVersionExpiration, 1);
};

/** Error-rate thresholds are percentages; origin latency is published only with additional metrics. */
const alarmThresholdsAreReachable: StaticWebsiteRule = (v, { props }) => {
  for (const [prop, threshold] of [['errorRate5xxThreshold', props.errorRate5xxThreshold], ['errorRate4xxThreshold', props.errorRate4xxThreshold]] as const) {
    v.percentage(prop, threshold);
  }
  v.check(props.originLatencyThreshold === undefined || props.publishAdditionalMetrics === true, 'originLatencyThreshold',
    props.originLatencyThreshold?.toHumanString(), 'left unset unless publishAdditionalMetrics is true (CloudFront publishes origin latency only then)');
};

/** Cache ages apply to the files the pattern deploys, so only with sources, and up to a year. */
const cacheAgesApplyToSources: StaticWebsiteRule = (v, { props }) => {
  const ages: Array<[string, Duration | undefined]> = [['assetCacheMaxAge', props.assetCacheMaxAge], ['htmlCacheMaxAge', props.htmlCacheMaxAge]];
  for (const [prop, value] of ages) {
    if (props.sources) {
      v.secondsInRange(prop, value, 0, MAX_CACHE_AGE.toSeconds());
    } else {
      v.check(value === undefined, prop, value?.toHumanString(), 'left unset without sources (the pattern sets Cache-Control on the files it deploys)');
    }
  }
};

/** A price class from untyped configuration is one CloudFront has. */
const priceClassExists: StaticWebsiteRule = (v, { props }) => {
  v.oneOf('priceClass', props.priceClass, cloudfront.PriceClass, 'cloudfront.PriceClass');
};

/**
 * Every rule a StaticWebsite's props must satisfy, in the order their errors are listed.
 */
export const STATIC_WEBSITE_RULES: readonly StaticWebsiteRule[] = [
  productionIsInUsEast1,
  domainNamesAreHostNames,
  customDomainIsComplete,
  certificateIsInUsEast1,
  requestedCertificateIsPossible,
  documentsAreObjectKeys,
  contentSecurityPolicyFits,
  webAclIsGlobal,
  countriesAreIsoCodes,
  noncurrentVersionsKeptWholeDays,
  alarmThresholdsAreReachable,
  cacheAgesApplyToSources,
  priceClassExists,
];

/**
 * Checks a StaticWebsite's props against every rule and throws one error listing all that fail.
 *
 * @param v the pattern's validator, which names the construct in the error
 * @param site the props, the stack's region and its path
 */
export function validateStaticWebsiteProps(v: PropValidator, site: SiteToValidate): void {
  for (const rule of STATIC_WEBSITE_RULES) {
    rule(v, site);
  }
  v.throwIfInvalid();
}
