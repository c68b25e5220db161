import { ArnFormat, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { createLogEncryptionKey } from './log-encryption';
import { PropValidator } from './prop-validator';

// AWS's baseline rule groups: common exploits (OWASP top 10), known bad inputs, and addresses
// with a bad reputation.
const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'];

/**
 * Where a web ACL applies: `REGIONAL` for load balancers and API stages, `CLOUDFRONT` for
 * distributions (such a web ACL can only be created in us-east-1).
 */
export type WebAclScope = 'REGIONAL' | 'CLOUDFRONT';

/**
 * Protects a regional resource (a load balancer, a REST API stage) with a new web ACL of AWS
 * managed rule groups (see `createManagedRulesWebAcl`).
 */
export function protectWithManagedRules(scope: Construct, resourceArn: string, removalPolicy: RemovalPolicy, logKey?: kms.IKey): wafv2.CfnWebACL {
  const webAcl = createManagedRulesWebAcl(scope, 'REGIONAL', removalPolicy, logKey);
  associateWebAcl(scope, resourceArn, webAcl.attrArn);
  return webAcl;
}

/**
 * A new web ACL of AWS managed rule groups, logged to an encrypted log group kept one year: with
 * the pattern's own log key when it has one, else a new one. A distribution names it by ARN; a
 * regional resource needs an association (`protectWithManagedRules`).
 */
export function createManagedRulesWebAcl(
  scope: Construct, webAclScope: WebAclScope, removalPolicy: RemovalPolicy, logKey?: kms.IKey,
): wafv2.CfnWebACL {
  const webAcl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    scope: webAclScope,
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'WebAcl' },
    rules: MANAGED_RULE_GROUPS.map((name, priority) => ({
      name,
      priority,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      overrideAction: { none: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
    })),
  });

  // WAF only logs to log groups whose name starts with aws-waf-logs-, so this one is named.
  const logGroupName = `aws-waf-logs-${Names.uniqueResourceName(scope, { maxLength: 200 })}`;
  const logGroup = new logs.LogGroup(scope, 'WebAclLogs', {
    logGroupName,
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: logKey ?? createLogEncryptionKey(scope, 'WebAclLogKey', `Encrypts the WAF logs of ${scope.node.path}`, removalPolicy),
    removalPolicy,
  });
  const logging = new wafv2.CfnLoggingConfiguration(scope, 'WebAclLogging', {
    resourceArn: webAcl.attrArn,
    // WAF wants the log group's ARN without the ':*' that logGroupArn ends with.
    logDestinationConfigs: [Stack.of(scope).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  });
  logging.node.addDependency(logGroup);
  return webAcl;
}

/**
 * Associates an existing regional web ACL with a resource.
 */
export function associateWebAcl(scope: Construct, resourceArn: string, webAclArn: string): void {
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', { resourceArn, webAclArn });
}

/**
 * The shape of a regional WAFv2 web ACL ARN; its first group is the region.
 */
const REGIONAL_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:([a-z0-9-]+):\d{12}:regional\/webacl\/.+$/;

/**
 * Records an error unless `webAclArn` is the ARN of a regional WAFv2 web ACL in the region of the
 * resource it is to protect: WAF associates a web ACL only with resources of its own region
 * (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html), and
 * CloudFormation would learn that only when it creates the association. A token, or a region
 * unknown at synth (an environment-agnostic stack), is left to deploy time.
 *
 * @param region the region of the resource the web ACL protects, when known
 * @param resource what the web ACL protects, in the message: `the load balancer`
 */
export function checkRegionalWebAclArn(
  v: PropValidator, prop: string, webAclArn: string | undefined, region: string | undefined, resource: string,
): void {
  if (webAclArn === undefined || Token.isUnresolved(webAclArn)) {
    return;
  }
  const m = REGIONAL_WEB_ACL_ARN.exec(webAclArn);
  v.check(m !== null, prop, webAclArn, 'the ARN of a regional WAFv2 web ACL (arn:aws:wafv2:<region>:<account>:regional/webacl/...)');
  if (m !== null && region !== undefined && !Token.isUnresolved(region)) {
    v.check(m[1] === region, prop, webAclArn, `a web ACL in ${resource}'s region, ${region}, not ${m[1]}: WAF protects resources of its own region only`);
  }
}

/**
 * The shape of a web ACL ARN a CloudFront distribution can use: scope CLOUDFRONT, always in
 * us-east-1.
 */
export const CLOUDFRONT_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/;
