import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS, NagPackPrefix, nagResourceText, NIST_AND_HIPAA_PACKS } from '../../core/nag';

// Cache-Control max-age beyond a year is ignored by CloudFront's managed caching-optimized policy.
export const MAX_CACHE_AGE = Duration.days(365);
/** How long files other than HTML are cached when `assetCacheMaxAge` is not given. */
export const DEFAULT_ASSET_CACHE_MAX_AGE = Duration.days(1);
/** How long HTML is cached when `htmlCacheMaxAge` is not given: not at all, so a deployment shows at once. */
export const DEFAULT_HTML_CACHE_MAX_AGE = Duration.seconds(0);
// The memory the deployment's function gets: more than Lambda's 128 MB default for `aws s3 sync`
// of a whole site, and a handler of its own (aws-cdk-lib shares one per stack and memory size),
// so no other BucketDeployment of the stack shares this pattern's narrowly granted role.
export const DEPLOYMENT_MEMORY_MB = 512;

/**
 * The Cache-Control of files other than HTML: public, kept `maxAge` by browsers and CloudFront.
 */
export function assetCacheControl(maxAge: Duration = DEFAULT_ASSET_CACHE_MAX_AGE): s3deploy.CacheControl[] {
  return [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(maxAge)];
}

/**
 * The Cache-Control of HTML: public, kept `maxAge`, then asked for again, so a page never outlives
 * the deployment that replaced it by more than that.
 */
export function htmlCacheControl(maxAge: Duration = DEFAULT_HTML_CACHE_MAX_AGE): s3deploy.CacheControl[] {
  return [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(maxAge), s3deploy.CacheControl.mustRevalidate()];
}

/**
 * What a site deploys, where to, and how long its files are cached.
 */
export interface WebsiteContent {
  /** The sources to copy. */
  readonly sources: s3deploy.ISource[];
  /** The site's bucket. */
  readonly bucket: s3.Bucket;
  /** The distribution whose cache the HTML pass invalidates. */
  readonly distribution: cloudfront.IDistribution;
  /** @default DEFAULT_ASSET_CACHE_MAX_AGE */
  readonly assetCacheMaxAge?: Duration;
  /** @default DEFAULT_HTML_CACHE_MAX_AGE */
  readonly htmlCacheMaxAge?: Duration;
  /**
   * The bucket's customer key, whose KMS grants are acknowledged.
   *
   * @default - the bucket uses S3-managed keys
   */
  readonly encryptionKey?: kms.IKey;
  /** The removal policy of the stack's deployment log group, when this site creates it. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Copies a site's sources into its bucket in two passes, as `AssetsDeployment` and `HtmlDeployment`
 * under `site`: everything but HTML first, with the long cache, then the HTML, with the short one,
 * which also invalidates the distribution's cache once the new pages are in place. A new page
 * therefore never links to an asset that is not there yet.
 */
export function deployWebsite(site: Construct, content: WebsiteContent): void {
  const deployer = WebsiteDeployer.of(site, content.removalPolicy);
  const common = {
    sources: content.sources,
    destinationBucket: content.bucket,
    role: deployer.role,
    logGroup: deployer.logGroup,
    memoryLimit: DEPLOYMENT_MEMORY_MB,
  };
  const assets = new s3deploy.BucketDeployment(site, 'AssetsDeployment', {
    ...common,
    exclude: ['*.html'],
    cacheControl: assetCacheControl(content.assetCacheMaxAge),
  });
  if (assets.handlerRole !== deployer.role) {
    // aws-cdk-lib picks a stack's deployment function by memory size alone, and ignores the role
    // of every deployment after the first.
    throw new Error(`StaticWebsite '${site.node.path}' cannot deploy its sources: another BucketDeployment of ${Stack.of(site).node.path} with `
      + `memoryLimit ${DEPLOYMENT_MEMORY_MB} was created first, and aws-cdk-lib would run this site's deployment with its role. `
      + 'Give that deployment another memoryLimit, or create this site first.');
  }
  deployer.role.invalidating = content.distribution;
  const html = new s3deploy.BucketDeployment(site, 'HtmlDeployment', {
    ...common,
    exclude: ['*'],
    include: ['*.html'],
    cacheControl: htmlCacheControl(content.htmlCacheMaxAge),
    distribution: content.distribution,
  });
  deployer.role.invalidating = undefined;
  html.node.addDependency(assets);
  deployer.acknowledgeGrantsFor(content.bucket, content.encryptionKey);
}

const READ_ONLY_S3_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];

/**
 * The role of the stack's website deployment function, which every StaticWebsite of the stack
 * shares (aws-cdk-lib runs one such function per stack and memory size). Its grants land in a
 * managed policy; the cache invalidation aws-cdk-lib grants on every distribution of the account
 * is narrowed to each site's own distribution. A BucketDeployment of someone else that lands on
 * it (created later, with the same memory size) keeps its grants as they are.
 */
export class WebsiteDeploymentRole extends ManagedPolicyRole {
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
export class WebsiteDeployer extends Construct {
  /**
   * The stack's deployer: the one an earlier site created, else a new one.
   *
   * @param removalPolicy the log group's, when this call creates it
   */
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
    acknowledgeNagRule(this.logGroup, COMPLIANCE_PACKS, 'CloudWatchLogGroupEncrypted',
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
    acknowledgeNagRule(fn, NIST_AND_HIPAA_PACKS, 'LambdaConcurrency', `${reason}: no traffic to cap.`);
    acknowledgeNagRule(fn, [...COMPLIANCE_PACKS, NagPackPrefix.SERVERLESS], 'LambdaDLQ', `${reason}, which receives its result directly; nothing is queued to lose.`);
    acknowledgeNagRule(fn, COMPLIANCE_PACKS, 'LambdaInsideVPC', `${reason}; it reaches only S3 and CloudFront, over TLS.`);
    const runtimeReason = "aws-cdk-lib sets and updates this function's runtime with its own releases; the library cannot choose it.";
    acknowledgeNagFinding(fn, 'AwsSolutions-L1', runtimeReason);
    acknowledgeNagFinding(fn, 'Serverless-LambdaLatestVersion', runtimeReason);
    acknowledgeNagFinding(fn, 'Serverless-LambdaTracing', `${reason}; its log records each deployment, tracing would add nothing.`);
  }
}
