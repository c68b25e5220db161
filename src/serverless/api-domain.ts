import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { LambdaApiProps } from './lambda-api-props';
import { certificateLocation } from '../core/certificates';
import { checkDomainName } from '../core/domain-names';
import { PropValidator } from '../core/prop-validator';

// An edge-optimized custom domain is served by CloudFront, which takes certificates from this
// region only; a regional one takes them from its own region:
// https://repost.aws/knowledge-center/custom-domain-name-amazon-api-gateway
const EDGE_CERTIFICATE_REGION = 'us-east-1';

/**
 * Records every invalid custom-domain prop of an API pattern (LambdaApiProps' `domainName`,
 * `hostedZone`, `certificate`, `aliasRecord`, `executeApiEndpoint`). `edgeOptimized` says the
 * custom domain is edge-optimized (a RestApiLambda with endpoint EDGE), so its certificate must be
 * in us-east-1 rather than in the API's region.
 */
export function validateApiDomainProps(v: PropValidator, scope: Construct, props: LambdaApiProps, edgeOptimized: boolean): void {
  const { domainName, hostedZone, certificate } = props;
  if (domainName === undefined) {
    v.check(hostedZone === undefined, 'hostedZone', hostedZone?.node.path, 'given with the domainName to request a certificate and create records for');
    v.check(certificate === undefined, 'certificate', certificate?.node.path, 'given with the domainName it covers');
    v.check(props.aliasRecord === undefined, 'aliasRecord', props.aliasRecord, 'left unset without domainName');
    v.check(props.executeApiEndpoint !== false, 'executeApiEndpoint', props.executeApiEndpoint,
      'true or unset without domainName: with its default endpoint off and no custom domain, the API would answer nowhere');
    return;
  }
  checkDomainName(v, 'domainName', domainName, hostedZone);
  if (!Token.isUnresolved(domainName)) {
    v.check(!domainName.startsWith('*.'), 'domainName', domainName, 'one host name, not a wildcard: the alias records and the URL name one host');
    // aws-cdk-lib refuses them too for a REST API, without naming the prop.
    v.check(domainName === domainName.toLowerCase(), 'domainName', domainName, 'in lower case: API Gateway takes no upper-case letters in a custom domain name');
  }
  v.check(hostedZone !== undefined || certificate !== undefined, 'domainName', domainName,
    'given with a hostedZone (the pattern then requests its certificate) or a certificate, so API Gateway can serve it over HTTPS');
  v.check(props.aliasRecord === undefined || hostedZone !== undefined, 'aliasRecord', props.aliasRecord, 'left unset without hostedZone, where the records would go');
  const apiRegion = Stack.of(scope).region;
  if (certificate) {
    checkCertificateRegion(v, certificate, apiRegion, edgeOptimized);
  } else if (hostedZone && edgeOptimized) {
    // The pattern requests the certificate in its own stack, which must then be in us-east-1.
    v.check(apiRegion === EDGE_CERTIFICATE_REGION, 'hostedZone', hostedZone.node.path,
      `given with a certificate unless the stack is in ${EDGE_CERTIFICATE_REGION}: an edge-optimized custom domain takes its certificate from `
      + `${EDGE_CERTIFICATE_REGION} only, so request one there (a stack with env region ${EDGE_CERTIFICATE_REGION} and crossRegionReferences) and pass it; `
      + `this stack's region is ${Token.isUnresolved(apiRegion) ? 'unknown at synth time' : apiRegion}`);
  }
}

/**
 * Records an error when the given certificate is known to be in another region than its custom
 * domain takes it from (us-east-1 when edge-optimized, the API's region when regional), or its
 * ARN is not an ACM certificate's. The region comes from a literal ARN, else from the stack of a
 * certificate the app creates (an imported one's stack says nothing of where it lives); whatever
 * is a token is skipped.
 */
function checkCertificateRegion(v: PropValidator, certificate: acm.ICertificate, apiRegion: string, edgeOptimized: boolean): void {
  const { literalArn, region: certificateRegion, where } = certificateLocation(certificate);
  v.check(literalArn === undefined || certificateRegion !== undefined, 'certificate', literalArn,
    'the ARN of an ACM certificate, arn:<partition>:acm:<region>:<account>:certificate/<id> (API Gateway takes certificates from ACM only)');
  const required = edgeOptimized ? EDGE_CERTIFICATE_REGION : apiRegion;
  if (certificateRegion === undefined || Token.isUnresolved(certificateRegion) || Token.isUnresolved(required)) {
    return;
  }
  v.check(certificateRegion === required, 'certificate', where, edgeOptimized
    ? `in ${EDGE_CERTIFICATE_REGION}, not ${certificateRegion}: an edge-optimized custom domain takes its certificate from ${EDGE_CERTIFICATE_REGION} only`
    : `in the API's region, ${required}, not ${certificateRegion}: a regional custom domain takes its certificate from its own region only`);
}

/**
 * The certificate of an API's custom domain: the given one, else one requested for `domainName`
 * and validated through `hostedZone` (which the validation requires then), in the API's stack.
 * None without `domainName`.
 */
export function apiDomainCertificate(scope: Construct, props: LambdaApiProps): acm.ICertificate | undefined {
  if (props.domainName === undefined) {
    return undefined;
  }
  return props.certificate ?? new acm.Certificate(scope, 'Certificate', {
    domainName: props.domainName,
    validation: acm.CertificateValidation.fromDns(props.hostedZone),
  });
}

/**
 * The A and AAAA alias records of `domainName` to the API's custom domain, in `hostedZone`,
 * unless `aliasRecord` is false. The custom domains are dualstack, so the AAAA record answers.
 */
export function createApiAliasRecords(scope: Construct, props: LambdaApiProps, target: route53.IAliasRecordTarget): void {
  if (props.domainName === undefined || props.hostedZone === undefined || props.aliasRecord === false) {
    return;
  }
  const recordTarget = route53.RecordTarget.fromAlias(target);
  new route53.ARecord(scope, 'AliasA', { zone: props.hostedZone, recordName: props.domainName, target: recordTarget });
  new route53.AaaaRecord(scope, 'AliasAAAA', { zone: props.hostedZone, recordName: props.domainName, target: recordTarget });
}

/**
 * The API's `DisableExecuteApiEndpoint`: what `executeApiEndpoint` says, else true with a custom
 * domain (clients go through the name) and left out of the template without one (API Gateway's
 * default, the endpoint on, and the template of an API without a domain unchanged).
 */
export function disableExecuteApiEndpoint(props: LambdaApiProps): boolean | undefined {
  if (props.executeApiEndpoint !== undefined) {
    return !props.executeApiEndpoint;
  }
  return props.domainName !== undefined ? true : undefined;
}

/**
 * The URL of an API whose stage is mapped at the root of its custom domain.
 */
export function apiDomainUrl(domainName: string): string {
  return `https://${domainName}/`;
}
