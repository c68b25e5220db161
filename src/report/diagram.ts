/**
 * Draws a synthesized stack as a Mermaid flowchart, which GitHub renders natively: one box per
 * instance of this library's patterns (nested as the patterns nest) and per nested stack, the
 * resources a reader needs to follow the traffic and the messages, and the flows between them read
 * from each template's references. It reads only the cloud assembly, so it draws any app: a
 * resource type it has no words for is drawn under its type's name. IAM, security groups, routes,
 * policies and the like are left out; keys, log groups and alarms are counted, one node per box.
 */
import { templatesOf, treeNodeAt } from './assembly';
import { cacheEngineName, replicationGroupNodes } from './cost';
import { AssemblyStack, NestedStackTemplate, TemplateResource, TreeNode } from './model';

const PACKAGE = 'cdk-best-practice-patterns';
// Building blocks drawn as a resource of the pattern that holds them, not as a box of their own:
// every pattern's key is a GuardedKey.
const DRAWN_INLINE = new Set([`${PACKAGE}.DeadLetterQueue`, `${PACKAGE}.GuardedKey`]);

/** A box: a pattern instance or a nested stack. */
interface Group {
  readonly path: string;
  readonly label: string;
  readonly children: Group[];
}

type Shape = 'box' | 'round' | 'stadium' | 'cylinder';

interface Node {
  readonly id: string;
  readonly label: string;
  /** The path of the innermost box it is drawn in, or '' for the stack itself. */
  readonly group: string;
  readonly shape: Shape;
  /** Singular and plural, for a node that counts resources. */
  readonly counted?: [string, string];
}

/** How a resource type is drawn: a node of its own, or counted in one node per box. */
interface Drawing {
  /**
   * The node's label, from the resource's properties, its name below its box, the subnet tier it
   * runs in (`, private subnets`, or '' when the template does not say), and the properties of the
   * resource a value references, when it is in the same template.
   */
  readonly label: (props: any, name: string, subnets: string, propsOf: (value: any) => any) => string;
  readonly shape: Shape;
  /** Singular and plural, for a type counted in one node per box; a function of the properties when they decide which count. */
  readonly counted?: [string, string] | ((props: any) => [string, string]);
}

const DRAWN: Record<string, Drawing> = {
  'AWS::EC2::VPC': { label: (p) => joined(' ', 'VPC', p.CidrBlock), shape: 'box' },
  'AWS::EC2::InternetGateway': { label: () => 'Internet gateway', shape: 'round' },
  'AWS::EC2::NatGateway': { label: () => 'NAT gateway', shape: 'round', counted: ['NAT gateway', 'NAT gateways'] },
  'AWS::EC2::VPCEndpoint': { label: () => 'VPC endpoint', shape: 'round', counted: ['VPC endpoint', 'VPC endpoints'] },
  'AWS::EC2::Instance': { label: (p, _n, subnets) => `${joined(', ', 'EC2 instance', p.InstanceType)}${subnets}`, shape: 'box' },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    label: (p, _n, subnets) => `${joined(', ', `${p.Type === 'network' ? 'Network' : 'Application'} Load Balancer`, text(p.Scheme, 'internal'))}${subnets}`,
    shape: 'box',
  },
  'AWS::AutoScaling::AutoScalingGroup': { label: (p, _n, subnets) => `${joined(', ', 'Auto Scaling group', sizeRange(p.MinSize, p.MaxSize))}${subnets}`, shape: 'box' },
  'AWS::WAFv2::WebACL': { label: (p) => joined(', ', 'WAF web ACL', countOf(p.Rules, 'rule group', 'rule groups')), shape: 'round' },
  'AWS::S3::Bucket': {
    // LogBucket: "S3 log bucket"; a pattern's only bucket, Bucket: "S3 bucket".
    label: (_p, name) => ['S3', name.replace(/Bucket$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), 'bucket'].filter(Boolean).join(' '),
    shape: 'cylinder',
  },
  'AWS::CloudFront::Distribution': {
    label: (p) => joined(', ', 'CloudFront distribution', text(p.DistributionConfig?.PriceClass, 'PriceClass_All')?.replace(/^PriceClass_/, 'price class ')),
    shape: 'stadium',
  },
  'Custom::CDKBucketDeployment': { label: (_p, name) => `${name.replace(/ \/ CustomResource.*$/, '')} (BucketDeployment)`, shape: 'round' },
  'AWS::Events::EventBus': { label: () => 'EventBridge bus', shape: 'stadium' },
  'AWS::Events::Rule': {
    label: (p) => joined(', ', 'EventBridge rule', p.ScheduleExpression === undefined ? eventPatternLabel(p.EventPattern) : text(p.ScheduleExpression)),
    shape: 'round',
  },
  // Zero days, as leaving it out, keeps events for ever.
  'AWS::Events::Archive': {
    label: (p) => {
      const days = [0, '0'].includes(p.RetentionDays) ? 'unlimited' : text(p.RetentionDays, 'unlimited');
      return joined(', ', 'archive', days && `${days} days`);
    },
    shape: 'cylinder',
  },
  'AWS::StepFunctions::StateMachine': { label: (p) => joined(' ', 'Step Functions', text(p.StateMachineType, 'STANDARD'), 'workflow'), shape: 'box' },
  'AWS::Route53::RecordSet': {
    label: () => 'DNS record',
    shape: 'round',
    // An alias record points at a resource, drawn as an edge; the others (CNAME, TXT, ...) are counted apart.
    counted: (p) => (p.AliasTarget ? ['DNS alias record', 'DNS alias records'] : ['DNS record', 'DNS records']),
  },
  'AWS::Route53::HostedZone': { label: (p) => joined(' ', 'Route 53 hosted zone', text(p.Name)?.replace(/\.$/, '')), shape: 'round' },
  'AWS::Route53::HealthCheck': {
    // What it requests, which is what a learner needs to read the routing: `HTTPS app-eu.example.com/health`.
    label: (p) => joined(' ', 'Route 53 health check', text(p.HealthCheckConfig?.Type)?.replace(/_STR_MATCH$/, ''),
      text(p.HealthCheckConfig?.FullyQualifiedDomainName) && `${text(p.HealthCheckConfig?.FullyQualifiedDomainName)}${text(p.HealthCheckConfig?.ResourcePath) ?? ''}`),
    shape: 'round',
  },
  'AWS::SNS::Topic': { label: (p) => (p.FifoTopic ? 'SNS FIFO topic' : 'SNS topic'), shape: 'stadium' },
  'AWS::SQS::Queue': {
    // Inside a QueueWithDeadLetterQueue box, "Queue" and "DLQ" say enough; a queue named otherwise
    // (`Jobs`, in an app without the patterns) says what it is.
    label: (_p, name) => {
      const label = name.replace(/SubscriptionDeadLetterQueue/, 'subscription DLQ').replace(/DeadLetterQueue/, 'DLQ').replace(/ \/ /g, ' ');
      return /queue|DLQ/i.test(label) ? label : `SQS queue ${label}`;
    },
    shape: 'cylinder',
  },
  'AWS::Kinesis::Stream': { label: (_p, name) => `Kinesis stream ${name}`, shape: 'stadium' },
  'AWS::Lambda::Function': { label: (_p, name, subnets) => `Lambda ${name}${subnets}`, shape: 'box' },
  'AWS::Lambda::Alias': { label: (p) => joined(' ', 'alias', p.Name), shape: 'round' },
  'AWS::CodeDeploy::DeploymentGroup': { label: (p) => `CodeDeploy, ${deploymentStyle(p.DeploymentConfigName)}`, shape: 'round' },
  'AWS::ApiGateway::RestApi': { label: () => 'API Gateway REST API', shape: 'stadium' },
  'AWS::ApiGatewayV2::Api': { label: (p) => `API Gateway ${p.ProtocolType === 'WEBSOCKET' ? 'WebSocket' : 'HTTP'} API`, shape: 'stadium' },
  'AWS::AppSync::GraphQLApi': { label: () => 'AppSync GraphQL API', shape: 'stadium' },
  'AWS::AppSync::Api': { label: () => 'AppSync Events API', shape: 'stadium' },
  'AWS::Cognito::UserPool': { label: () => 'Cognito user pool', shape: 'round' },
  'AWS::ECS::Cluster': { label: (p) => `ECS cluster${containerInsights(p.ClusterSettings) ? ', Container Insights' : ''}`, shape: 'round' },
  'AWS::ECS::Service': {
    label: (p, _n, subnets, propsOf) => `ECS service on ${runsOnFargate(p, propsOf(p.TaskDefinition)) ? 'Fargate' : 'ECS'}${subnets}`
      + (p.DeploymentConfiguration?.DeploymentCircuitBreaker?.Rollback ? ', rolls back failed deployments' : ''),
    shape: 'box',
  },
  'AWS::RDS::DBInstance': {
    label: (p, _n, subnets) => {
      if (p.SourceDBInstanceIdentifier) return joined(', ', 'RDS read replica', p.DBInstanceClass);
      // A cluster's instance: the cluster node says the engine and where it runs; the instance,
      // its class and its failover tier (0 is the writer Aurora promotes first: where it starts).
      if (p.DBClusterIdentifier) {
        return joined(', ', String(p.Engine ?? '').startsWith('aurora') ? 'Aurora instance' : 'RDS cluster instance',
          p.DBInstanceClass === 'db.serverless' ? 'Serverless v2' : p.DBInstanceClass,
          typeof p.PromotionTier === 'number' ? `failover tier ${p.PromotionTier}` : undefined);
      }
      // Without an EngineVersion RDS picks the engine's default version: the label leaves it out.
      return `${joined(', ', joined(' ', 'RDS', p.Engine, p.EngineVersion), p.DBInstanceClass, availabilityZones(p.MultiAZ))}${subnets}`;
    },
    shape: 'cylinder',
  },
  'AWS::RDS::DBCluster': {
    label: (p, _n, subnets) => {
      const aurora = AURORA_ENGINE_NAMES[String(p.Engine)];
      const capacity = p.ServerlessV2ScalingConfiguration;
      return joined(', ', aurora ? joined(' ', aurora, p.EngineVersion) : joined(', ', 'RDS cluster', joined(' ', p.Engine, p.EngineVersion)),
        capacity ? `Serverless v2 ${text(capacity.MinCapacity) ?? '?'}-${text(capacity.MaxCapacity) ?? '?'} ACU` : undefined) + subnets;
    },
    shape: 'cylinder',
  },
  'AWS::RDS::DBProxy': {
    label: (p) => {
      const auth: any[] = Array.isArray(p.Auth) ? p.Auth : [];
      const iam = auth.length > 0 && auth.every((a) => a?.IAMAuth === 'REQUIRED');
      return joined(', ', 'RDS Proxy', [p.RequireTLS === true ? 'TLS' : '', iam ? 'IAM' : ''].filter(Boolean).join(' and '));
    },
    shape: 'round',
  },
  'AWS::DynamoDB::Table': { label: (_p, name) => tableLabel(name), shape: 'cylinder' },
  'AWS::DynamoDB::GlobalTable': {
    // aws-cdk-lib's TableV2 is a global table even in one region: only more regions are worth saying.
    label: (p, name) => joined(', ', tableLabel(name), Array.isArray(p.Replicas) && p.Replicas.length > 1 ? `${p.Replicas.length} regions` : ''),
    shape: 'cylinder',
  },
  // A replication group without an Engine runs Redis OSS, CloudFormation's default.
  'AWS::ElastiCache::ReplicationGroup': {
    label: (p, _n, subnets) => `${joined(', ', `ElastiCache ${cacheEngineName(text(p.Engine, 'redis') ?? 'redis')}`,
      nodes(replicationGroupNodes(p), p.CacheNodeType), p.MultiAZEnabled === true ? 'Multi-AZ' : '')}${subnets}`,
    shape: 'cylinder',
  },
  'AWS::ElastiCache::CacheCluster': {
    label: (p, _n, subnets) => `${joined(', ', joined(' ', 'ElastiCache', engineInWords(p.Engine)), nodes(Number(p.NumCacheNodes ?? 1), p.CacheNodeType))}${subnets}`,
    shape: 'cylinder',
  },
  'AWS::ElastiCache::ServerlessCache': {
    label: (p, _n, subnets) => `${joined(' ', 'ElastiCache Serverless', text(p.Engine) === undefined ? undefined : `(${engineInWords(p.Engine)})`)}${subnets}`,
    shape: 'cylinder',
  },
  'AWS::EFS::FileSystem': { label: (_p, name) => `EFS file system ${name}`, shape: 'cylinder' },
  'AWS::Backup::BackupPlan': { label: () => 'AWS Backup plan', shape: 'round' },
  'AWS::Backup::BackupVault': { label: () => 'AWS Backup vault', shape: 'cylinder' },
  'AWS::KMS::Key': { label: () => 'KMS key', shape: 'round', counted: ['KMS key', 'KMS keys'] },
  'AWS::Logs::LogGroup': { label: () => 'Log group', shape: 'cylinder', counted: ['log group', 'log groups'] },
  'AWS::CloudWatch::Alarm': { label: () => 'Alarm', shape: 'round', counted: ['alarm', 'alarms'] },
};

/**
 * The resource types left out of the diagram when DRAWN has no entry for them: plumbing, which says
 * how the architecture is wired rather than what it is. Any other type is drawn as a node under its
 * type's name, so an app built from other constructs still gets its data stores and compute drawn.
 * A `*` stands for any text: `AWS::IAM::*` is all of IAM, `*Policy` every service's policies. A
 * family whose main resource DRAWN has (`AWS::ApiGateway::*`, say) leaves out the rest of it.
 */
const LEFT_OUT = [
  // Who may do what; where it is a flow (publish, send, read, write), it is drawn as an edge.
  'AWS::IAM::*',
  '*Policy',
  // The network's wiring: the VPC and its gateways are drawn, and the subnet tiers go into labels.
  'AWS::EC2::SecurityGroup*',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::Route',
  'AWS::EC2::EIP',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::FlowLog',
  'AWS::EC2::LaunchTemplate',
  'AWS::ElastiCache::SecurityGroup*',
  // A cache's users and user groups say who may connect: its clients' edges say how (`IAM auth`).
  'AWS::ElastiCache::User*',
  // A link between two resources is an edge, or nothing.
  '*Association',
  '*Attachment',
  'AWS::SNS::Subscription',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventSourceMapping',
  // A drawn resource's versions, settings and layers.
  'AWS::Lambda::Version',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::LayerVersion',
  '*SubnetGroup',
  '*ParameterGroup',
  'AWS::RDS::OptionGroup',
  'AWS::RDS::DBProxy*',
  'AWS::SecretsManager::RotationSchedule',
  'AWS::CertificateManager::Certificate',
  'AWS::SSM::Parameter',
  // The parts of a drawn resource (an API's methods, resources, deployments and stages, a load
  // balancer's listeners and target groups, ...): the resource stands for them.
  'AWS::ApiGateway::*',
  'AWS::ApiGatewayV2::*',
  'AWS::AppSync::*',
  'AWS::ElasticLoadBalancingV2::*',
  'AWS::AutoScaling::*',
  'AWS::ApplicationAutoScaling::*',
  'AWS::ECS::*',
  'AWS::CodeDeploy::*',
  'AWS::CloudFront::*',
  'AWS::WAFv2::*',
  'AWS::Cognito::UserPool*',
  'AWS::EFS::*',
  'AWS::Backup::*',
  // Operations: alarms, log groups and keys are counted (DRAWN); dashboards, subscriptions, aliases are not.
  'AWS::CloudWatch::*',
  'AWS::Logs::*',
  'AWS::KMS::*',
  // CloudFormation's and the CDK's own: nested stacks are boxes, and custom resources act at deploy time.
  'AWS::CDK::Metadata',
  'AWS::CloudFormation::*',
  'Custom::*',
];

/**
 * Construct ids, in a resource's path, of aws-cdk-lib's custom-resource providers and other
 * singletons it adds to a stack: plumbing, not architecture, whatever their resources' types.
 */
const PROVIDER_IDS = [
  '/Custom::',
  '/AWS679f53fac002430cb0da5b7982bd2287',
  '/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a',
  '/BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
];

/** Whether a type matches a LEFT_OUT entry: itself, or around its one `*`. */
function matches(type: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return type === pattern;
  return type.startsWith(pattern.slice(0, star)) && type.endsWith(pattern.slice(star + 1));
}

/**
 * A DynamoDB table by its name, without a last `Table` the label already says: `Orders` and
 * `OrdersTable` are "DynamoDB table Orders"; a DynamoDbTable's own table, `Table` in its box, is
 * "DynamoDB table".
 */
function tableLabel(name: string): string {
  return joined(' ', 'DynamoDB table', name.replace(/ ?Table$/, ''));
}

/** `AWS::DynamoDB::GlobalTable` in words: `DynamoDB GlobalTable`. */
function typeInWords(type: string): string {
  return type.replace(/^AWS::/, '').split('::').join(' ');
}

/** How a type is drawn: its DRAWN entry, nothing when it is plumbing, else a node under its type's name. */
function drawingOf(type: string): Drawing | undefined {
  if (DRAWN[type]) return DRAWN[type];
  if (LEFT_OUT.some((pattern) => matches(type, pattern))) return undefined;
  return { label: (_p, name, subnets) => `${typeInWords(type)} ${name}${subnets}`, shape: 'box' };
}

/** An ElastiCache engine in words (`Valkey`, `Redis OSS`), or undefined when the template does not say it. */
function engineInWords(engine: unknown): string | undefined {
  const name = text(engine);
  return name === undefined ? undefined : cacheEngineName(name);
}

/** A cache's nodes: `2 nodes cache.r7g.large`, `1 node cache.t4g.micro`; the type alone when the count is not known. */
function nodes(count: number, nodeType: unknown): string | undefined {
  const type = text(nodeType);
  if (!Number.isInteger(count) || count < 1) return type;
  return joined(' ', `${count} ${count === 1 ? 'node' : 'nodes'}`, type);
}

/**
 * A template value as label text: a string or number as it is; else (an intrinsic function or
 * other token, a list, an empty string) undefined, so a label leaves it out rather than print
 * `[object Object]`. `absent` is what a property left out of the template means (CloudFormation's
 * default), as a property set by a token does not say it.
 */
function text(value: unknown, absent?: string): string | undefined {
  if (value === undefined) return absent;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The Aurora engines by their names for people. */
const AURORA_ENGINE_NAMES: Record<string, string> = { 'aurora-postgresql': 'Aurora PostgreSQL', 'aurora-mysql': 'Aurora MySQL' };

/** The parts that are text (see `text`), joined: a property set by a token, or not at all, says nothing. */
function joined(separator: string, ...parts: unknown[]): string {
  return parts.map((p) => text(p)).filter((p) => p !== undefined).join(separator);
}

/** An instance group's size: `2-4 instances`, `at least 2 instances`, `up to 4 instances`, or undefined when tokens set both. */
function sizeRange(min: unknown, max: unknown): string | undefined {
  const [low, high] = [text(min), text(max)];
  if (low !== undefined && high !== undefined) return `${low}-${high} instances`;
  if (low !== undefined) return `at least ${low} instances`;
  return high === undefined ? undefined : `up to ${high} instances`;
}

/** How many items a list property holds, in words (`3 rule groups`); none when absent; undefined when a token sets it. */
function countOf(list: unknown, singular: string, plural: string): string | undefined {
  const length = list === undefined ? 0 : Array.isArray(list) ? list.length : undefined;
  return length === undefined ? undefined : `${length} ${length === 1 ? singular : plural}`;
}

/** `Multi-AZ` or `single-AZ` (CloudFormation's default), or undefined when a token decides. */
function availabilityZones(multiAz: unknown): string | undefined {
  if (multiAz === undefined || [false, 'false'].includes(multiAz as any)) return 'single-AZ';
  return [true, 'true'].includes(multiAz as any) ? 'Multi-AZ' : undefined;
}

/** CodeDeploy's predefined Lambda configs, in words: `CodeDeployDefault.LambdaCanary10Percent5Minutes` is a 10% canary for 5 minutes. */
function deploymentStyle(configName: unknown): string {
  const name = typeof configName === 'string' ? configName.replace(/^CodeDeployDefault\.Lambda/, '') : '';
  const shifted = /^(Canary|Linear)(\d+)Percent(Every)?(\d+)Minutes?$/.exec(name);
  if (name === 'AllAtOnce') return 'all at once';
  if (!shifted) return name || 'custom config';
  const [, kind, percent, , minutes] = shifted;
  const span = minutes === '1' ? 'minute' : `${minutes} minutes`;
  return kind === 'Canary' ? `canary ${percent}% for ${span}` : `linear ${percent}% every ${span}`;
}

/** What a rule matches, in a few words: its detail types, else its sources. */
function eventPatternLabel(pattern: any): string {
  // A value matched by content filter (`{ prefix: 'aws.' }`) says nothing in a few words.
  const words = [pattern?.['detail-type'], pattern?.source].find((v) => Array.isArray(v)) ?? [];
  return joined(', ', ...words) || 'event pattern';
}

/** Whether a cluster's settings turn Container Insights on: `enabled`, or `enhanced` observability. */
function containerInsights(settings: unknown): boolean {
  return Array.isArray(settings) && settings.some((s) => s?.Name === 'containerInsights' && ['enabled', 'enhanced'].includes(s?.Value));
}

const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

/**
 * Whether an ECS service's tasks run on Fargate: its launch type says so, or, without one (a
 * FargateService with capacity provider strategies has none), its providers are all Fargate's, or,
 * without those either, its task definition can run nowhere else.
 */
function runsOnFargate(service: any, taskDefinition: any): boolean {
  if (service.LaunchType !== undefined) return service.LaunchType === 'FARGATE';
  const strategy = service.CapacityProviderStrategy;
  if (Array.isArray(strategy) && strategy.length > 0) return strategy.every((s: any) => FARGATE_PROVIDERS.includes(s?.CapacityProvider));
  const compatibilities = taskDefinition?.RequiresCompatibilities;
  return Array.isArray(compatibilities) && compatibilities.length > 0 && compatibilities.every((c: unknown) => c === 'FARGATE');
}

/** Every logical id referenced anywhere inside a value. */
function references(value: any, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => references(v, found));
  } else if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    if (Array.isArray(value['Fn::GetAtt'])) found.add(value['Fn::GetAtt'][0]);
    Object.values(value).forEach((v) => references(v, found));
  }
  return found;
}

const sanitize = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_');
const quote = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;

// ---------------------------------------------------------------------------------------------
// Boxes

/**
 * The boxes of a stack: its pattern instances and nested stacks, nested as they nest. Without the
 * stack's node in the tree (an assembly synthesized without tree.json, a subtree aws-cdk-lib moved
 * out of it into a file of its own, an assembly of another tool) nothing says which constructs are
 * patterns, so only the nested stacks are boxes.
 */
function groupsOf(stack: AssemblyStack, tree: TreeNode | undefined): Group[] {
  const stackNode = treeNodeAt(tree, stack.path);
  if (!stackNode) return nestedStackGroups(stack.nestedStacks, stack.path);
  const groups = treeGroups(stackNode, stack.path, nestedStackPaths(stack.nestedStacks));
  // A nested stack the tree does not place (its parent's template has no path metadata) gets a box at the top.
  const placed = new Set(flatten(groups).map((g) => g.path));
  return [...groups, ...nestedStackGroups(stack.nestedStacks.filter((n) => !placed.has(n.path)), stack.path)];
}

/** The boxes below a tree node: a child is one when it is a pattern or a nested stack, else its children may be. */
function treeGroups(node: TreeNode, parentPath: string, nestedStacks: Set<string>): Group[] {
  return Object.values(node.children ?? {}).flatMap((child) => {
    const kind = boxKind(child, nestedStacks);
    if (!kind) return treeGroups(child, parentPath, nestedStacks);
    const name = child.path.slice(parentPath.length + 1);
    return [{ path: child.path, label: `${name}: ${kind}`, children: treeGroups(child, child.path, nestedStacks) }];
  });
}

/** What a construct's box says it is (`SnsFanOut`, `nested stack`), or undefined when it gets none: only this library's patterns do. */
function boxKind(node: TreeNode, nestedStacks: Set<string>): string | undefined {
  if (nestedStacks.has(node.path)) return 'nested stack';
  const fqn = node.constructInfo?.fqn ?? '';
  if (!fqn.startsWith(`${PACKAGE}.`) || DRAWN_INLINE.has(fqn)) return undefined;
  return fqn.slice(PACKAGE.length + 1);
}

function nestedStackGroups(nested: NestedStackTemplate[], parentPath: string): Group[] {
  return nested.map((n) => ({
    path: n.path,
    label: `${n.path.startsWith(`${parentPath}/`) ? n.path.slice(parentPath.length + 1) : n.path}: nested stack`,
    children: nestedStackGroups(n.nestedStacks, n.path),
  }));
}

function nestedStackPaths(nested: NestedStackTemplate[]): Set<string> {
  return new Set(nested.flatMap((n) => [n.path, ...nestedStackPaths(n.nestedStacks)]));
}

function flatten(groups: Group[]): Group[] {
  return groups.flatMap((g) => [g, ...flatten(g.children)]);
}

function innermostGroup(groups: Group[], resourcePath: string, outer = ''): string {
  for (const g of groups) {
    if (resourcePath.startsWith(`${g.path}/`)) return innermostGroup(g.children, resourcePath, g.path);
  }
  return outer;
}

/** A short, readable name for a resource: its construct path below its box, without `/Resource` or any `Default`. */
function shortName(resourcePath: string, box: string): string {
  const below = withoutHiddenIds(resourcePath.slice(box.length + 1));
  return below.split('/').filter((s) => !/^[A-Za-z0-9]+[0-9A-F]{8}$/.test(s)).join(' / ') || below;
}

/**
 * A construct path without its `Default` components and a last `Resource`, as aws-cdk-lib leaves
 * them out of logical ids (`HIDDEN_ID` and `HIDDEN_FROM_HUMAN_ID` in core/lib/private/uniqueid.ts):
 * a construct that groups others under the id `Default` (the load balancer front of the web
 * tiers) changes neither a node's id nor its name.
 */
function withoutHiddenIds(path: string): string {
  return path.split('/').filter((c) => c !== 'Default').join('/').replace(/\/Resource$/, '');
}

// ---------------------------------------------------------------------------------------------
// Nodes and edges

/** What is drawn so far, over every template of the stack. */
class Diagram {
  readonly nodes = new Map<string, Node>();
  /** How many resources each counted node stands for. */
  readonly counts = new Map<string, number>();
  readonly edges = new Set<string>();
  readonly linked = new Set<string>();

  edge(from: string | undefined, to: string | undefined, label: string, style: 'solid' | 'dotted' | 'long' = 'solid'): void {
    if (!from || !to || from === to) return;
    // A long link puts its target one column further, next to its source rather than past another's.
    const arrow = { solid: '-->', dotted: '-.->', long: '--->' }[style];
    this.edges.add(label ? `${from} ${arrow}|${quote(label)}| ${to}` : `${from} ${arrow} ${to}`);
    this.linked.add(from).add(to);
  }
}

/**
 * One template: its resources and the node each logical id is drawn as. Edges are read within one
 * template, where references are `Ref` and `Fn::GetAtt`; across stacks they are exports and
 * parameters, which name no resource.
 */
class Sheet {
  /** The node each logical id is drawn as: its own, or its box's counted node. */
  readonly nodeOf = new Map<string, string>();
  /** The tier of each subnet (`private`, `public`, `isolated`), from the tag aws-cdk-lib gives it. */
  private readonly subnetTiers: Map<string, string | undefined>;

  constructor(readonly resources: Record<string, TemplateResource>) {
    this.subnetTiers = new Map(this.ofType('AWS::EC2::Subnet').map(([id, p]) => [id,
      text([p.Tags].flat().find((t: any) => t?.Key === 'aws-cdk:subnet-type')?.Value)?.toLowerCase()]));
  }

  ofType(type: string): Array<[string, any]> {
    return Object.entries(this.resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => [id, r.Properties ?? {}]);
  }

  firstRef(value: any, type?: string): string | undefined {
    return [...references(value)].find((id) => !type || this.resources[id]?.Type === type);
  }

  /** The first referenced resource that is drawn, whatever its type. */
  firstDrawn(value: any): string | undefined {
    return [...references(value)].map((id) => this.node(id)).find(Boolean);
  }

  node(id: string | undefined): string | undefined {
    return id ? this.nodeOf.get(id) : undefined;
  }

  /** The function a caller invokes: the alias, for a HardenedFunction's callers, else the function. */
  invoked(value: any): string | undefined {
    return this.firstRef(value, 'AWS::Lambda::Alias') ?? this.firstRef(value, 'AWS::Lambda::Function');
  }

  /** The properties of the resource a value references, when it is in this template. */
  propsOf(value: any): any {
    return this.resources[this.firstRef(value) ?? '']?.Properties;
  }

  /**
   * Where a resource runs, for its label: `, private subnets`. Drawn as edges to the VPC,
   * placements dragged the network box across the whole diagram.
   */
  subnets(props: any): string {
    const subnetGroup = this.propsOf(props.DBSubnetGroupName ?? props.CacheSubnetGroupName);
    const subnets = props.Subnets ?? props.SubnetIds ?? props.SubnetId ?? props.VPCZoneIdentifier ?? props.VpcConfig?.SubnetIds
      ?? props.NetworkConfiguration?.AwsvpcConfiguration?.Subnets ?? subnetGroup?.SubnetIds;
    const tier = [...references(subnets)].map((id) => this.subnetTiers.get(id)).find(Boolean);
    return tier ? `, ${tier} subnets` : '';
  }

  /** An instance group's launch template: its own, or the one its mixed instances policy names. */
  launchTemplate(groupProps: any): any {
    return this.resources[this.firstRef(groupProps.LaunchTemplate ?? groupProps.MixedInstancesPolicy, 'AWS::EC2::LaunchTemplate') ?? '']?.Properties;
  }
}

/** A template's nodes: one per drawn resource, or its box's counted node. */
function drawNodes(diagram: Diagram, sheet: Sheet, groups: Group[], templatePath: string): void {
  for (const [id, r] of Object.entries(sheet.resources)) {
    const drawing = drawingOf(r.Type);
    const resourcePath: string = r.Metadata?.['aws:cdk:path'] ?? `${templatePath}/${id}`;
    if (!drawing || PROVIDER_IDS.some((marker) => resourcePath.includes(marker))) continue;
    const group = innermostGroup(groups, resourcePath);
    const box = group || templatePath;
    const props = r.Properties ?? {};
    const counted = typeof drawing.counted === 'function' ? drawing.counted(props) : drawing.counted;
    if (counted) {
      const nodeId = `${sanitize(box)}__${sanitize(counted[1])}`;
      diagram.counts.set(nodeId, (diagram.counts.get(nodeId) ?? 0) + 1);
      diagram.nodes.set(nodeId, { id: nodeId, label: counted[1], group, shape: drawing.shape, counted });
      sheet.nodeOf.set(id, nodeId);
    } else {
      const nodeId = sanitize(withoutHiddenIds(resourcePath));
      const label = drawing.label(props, shortName(resourcePath, box), sheet.subnets(props), (value) => sheet.propsOf(value));
      diagram.nodes.set(nodeId, { id: nodeId, label, group, shape: drawing.shape });
      sheet.nodeOf.set(id, nodeId);
    }
  }
}

/** Entry points from outside: internet-facing load balancers, APIs. */
function entryEdges(d: Diagram, s: Sheet): void {
  const listeners = s.ofType('AWS::ElasticLoadBalancingV2::Listener');
  for (const [id, p] of s.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    if (p.Scheme === 'internet-facing') {
      const protocols = [...new Set(listeners.filter(([, l]) => s.firstRef(l.LoadBalancerArn) === id).map(([, l]) => text(l.Protocol)))].sort();
      // Without a listener in the template, no protocol is known: the edge says none.
      d.edge('internet', s.node(id), joined(', ', ...protocols));
    }
    const logBucket = (p.LoadBalancerAttributes ?? []).find((a: any) => a.Key === 'access_logs.s3.bucket');
    d.edge(s.node(id), s.node(s.firstRef(logBucket?.Value)), 'access logs', 'dotted');
  }
  const apis = ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api', 'AWS::AppSync::GraphQLApi', 'AWS::AppSync::Api'];
  for (const [id, p] of apis.flatMap((type) => s.ofType(type))) {
    d.edge('clients', s.node(id), p.ProtocolType === 'WEBSOCKET' ? 'WSS' : 'HTTPS');
  }
}

/** A static website: the distribution reads its bucket, logs, is filtered, named and refreshed. */
function staticSiteEdges(d: Diagram, s: Sheet): void {
  for (const [id, p] of s.ofType('AWS::CloudFront::Distribution')) {
    const config = p.DistributionConfig ?? {};
    d.edge('clients', s.node(id), 'HTTPS');
    (config.Origins ?? []).forEach((origin: any) =>
      d.edge(s.node(id), s.node(s.firstRef(origin.DomainName)), origin.OriginAccessControlId ? 'reads, origin access control' : 'reads'));
    d.edge(s.node(id), s.node(s.firstRef(config.Logging?.Bucket)), 'access logs', 'dotted');
    d.edge(s.node(s.firstRef(config.WebACLId)), s.node(id), 'filters', 'dotted');
  }
  for (const [id, p] of s.ofType('AWS::S3::Bucket')) {
    d.edge(s.node(id), s.node(s.firstRef(p.LoggingConfiguration?.DestinationBucketName)), 'access logs', 'dotted');
  }
  for (const [id, p] of s.ofType('Custom::CDKBucketDeployment')) {
    d.edge(s.node(id), s.node(s.firstRef(p.DestinationBucketName)), 'copies files');
    d.edge(s.node(id), s.node(s.firstRef(p.DistributionId)), 'invalidates', 'dotted');
  }
  for (const [id, p] of s.ofType('AWS::Route53::RecordSet')) {
    d.edge(s.node(id), s.firstDrawn(p.AliasTarget?.DNSName), 'alias', 'dotted');
  }
}

/** Events: a bus's rules, each rule's targets and dead-letter queue, a workflow's functions. */
function eventEdges(d: Diagram, s: Sheet): void {
  for (const [id, p] of s.ofType('AWS::Events::Rule')) {
    d.edge(s.node(s.firstRef(p.EventBusName)), s.node(id), 'matches');
    for (const target of p.Targets ?? []) {
      const to = s.firstRef(target.Arn, 'AWS::Lambda::Alias') ?? s.firstRef(target.Arn);
      const toType = s.resources[to ?? '']?.Type;
      const verb = toType === 'AWS::StepFunctions::StateMachine' ? 'starts' : toType === 'AWS::SQS::Queue' ? 'sends' : 'invokes';
      d.edge(s.node(id), s.node(to), verb);
      d.edge(s.node(id), s.node(s.firstRef(target.DeadLetterConfig?.Arn)), 'failed events', 'dotted');
    }
  }
  for (const [id, p] of s.ofType('AWS::Events::Archive')) {
    d.edge(s.node(s.firstRef(p.SourceArn)), s.node(id), 'archives', 'dotted');
  }
  for (const [id, p] of s.ofType('AWS::StepFunctions::StateMachine')) {
    for (const ref of references(p.DefinitionString)) {
      if (['AWS::Lambda::Alias', 'AWS::Lambda::Function'].includes(s.resources[ref]?.Type)) d.edge(s.node(id), s.node(ref), 'invokes');
    }
  }
}

/** Load balancer to instances or containers, through the target group, and the WAF in front. */
function loadBalancerEdges(d: Diagram, s: Sheet): void {
  const computeByTargetGroup = new Map<string, string>();
  for (const [id, p] of s.ofType('AWS::AutoScaling::AutoScalingGroup')) {
    references(p.TargetGroupARNs).forEach((tg) => computeByTargetGroup.set(tg, id));
  }
  for (const [id, p] of s.ofType('AWS::ECS::Service')) {
    references(p.LoadBalancers).forEach((tg) => computeByTargetGroup.set(tg, id));
  }
  for (const [, l] of s.ofType('AWS::ElasticLoadBalancingV2::Listener')) {
    for (const tg of references(l.DefaultActions)) d.edge(s.node(s.firstRef(l.LoadBalancerArn)), s.node(computeByTargetGroup.get(tg)), 'forwards');
  }
  for (const [, p] of s.ofType('AWS::WAFv2::WebACLAssociation')) {
    d.edge(s.node(s.firstRef(p.WebACLArn)), s.firstDrawn(p.ResourceArn), 'filters', 'dotted');
  }
}

/** APIs to their functions (or to the alias a HardenedFunction's callers invoke) and data sources. */
function apiEdges(d: Diagram, s: Sheet): void {
  for (const [, p] of s.ofType('AWS::ApiGateway::Method')) {
    d.edge(s.node(s.firstRef(p.RestApiId)), s.node(s.invoked(p.Integration)), 'proxies');
  }
  for (const [, p] of s.ofType('AWS::ApiGatewayV2::Integration')) {
    d.edge(s.node(s.firstRef(p.ApiId)), s.node(s.invoked(p.IntegrationUri)), 'proxies');
  }
  for (const [, p] of s.ofType('AWS::AppSync::DataSource')) {
    const config = p.DynamoDBConfig ?? p.LambdaConfig ?? p.RelationalDatabaseConfig ?? p.EventBridgeConfig ?? p.OpenSearchServiceConfig;
    d.edge(s.node(s.firstRef(p.ApiId)), s.firstDrawn(config), 'resolves');
  }
}

/** Safe deploys: the alias runs a published version of its function, and CodeDeploy shifts it. */
function safeDeployEdges(d: Diagram, s: Sheet): void {
  const versions = new Map(s.ofType('AWS::Lambda::Version').map(([id, p]) => [id, s.firstRef(p.FunctionName)]));
  for (const [id, p] of s.ofType('AWS::Lambda::Alias')) {
    d.edge(s.node(id), s.node(versions.get(s.firstRef(p.FunctionVersion) ?? '') ?? s.firstRef(p.FunctionName)), 'runs version');
    const update = (s.resources[id] as any).UpdatePolicy?.CodeDeployLambdaAliasUpdate;
    d.edge(s.node(s.firstRef(update?.DeploymentGroupName)), s.node(id), 'shifts', 'dotted');
  }
}

/** A function's dead-letter queue, where its failed asynchronous events wait. */
const deadLetterTarget = (s: Sheet, functionProps: any) => s.firstRef(functionProps.DeadLetterConfig?.TargetArn);

/** Messages: topic to queues, queues to dead-letter queues and consumers. */
function messageEdges(d: Diagram, s: Sheet): void {
  for (const [, p] of s.ofType('AWS::SNS::Subscription')) {
    const topic = s.node(s.firstRef(p.TopicArn));
    d.edge(topic, s.node(s.firstRef(p.Endpoint)), p.FilterPolicy ? 'filtered' : 'all messages');
    d.edge(topic, s.node(s.firstRef(p.RedrivePolicy)), 'undeliverable', 'dotted');
  }
  for (const [id, p] of s.ofType('AWS::SQS::Queue')) {
    const receives = text(p.RedrivePolicy?.maxReceiveCount);
    d.edge(s.node(id), s.node(s.firstRef(p.RedrivePolicy)), receives ? `after ${receives} receives` : 'redrives', 'dotted');
  }
  for (const [, p] of s.ofType('AWS::Lambda::EventSourceMapping')) {
    d.edge(s.node(s.firstRef(p.EventSourceArn)), s.node(s.invoked(p.FunctionName)), 'batches', 'long');
  }
  for (const [id, p] of s.ofType('AWS::Lambda::Function')) {
    d.edge(s.node(id), s.node(deadLetterTarget(s, p)), 'failed async events', 'dotted');
  }
}

/** The action names that make a grant a flow worth an edge; the rest (describe, decrypt, ...) are not. */
const FLOWS: Array<{ verb: string; actions: string[] }> = [
  { verb: 'publishes', actions: ['sns:Publish'] },
  { verb: 'sends', actions: ['sqs:SendMessage'] },
  { verb: 'puts events', actions: ['events:PutEvents'] },
  { verb: 'starts', actions: ['states:StartExecution'] },
  { verb: 'puts records', actions: ['kinesis:PutRecord', 'kinesis:PutRecords'] },
  { verb: 'reads and writes', actions: ['dynamodb:*'] },
  { verb: 'writes', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] },
  { verb: 'reads', actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'] },
];

/** What a policy statement's actions let its holder do, in words: `reads and writes`; undefined for no flow. */
function flowOf(actions: string[]): string | undefined {
  const verbs = FLOWS.filter((f) => f.actions.some((a) => actions.includes(a))).map((f) => f.verb);
  // aws-cdk-lib's grantReadWriteData puts both in one statement.
  if (verbs.includes('writes') && verbs.includes('reads')) return 'reads and writes';
  return verbs[0];
}

/** The compute (function, instances, container service) that assumes each role. */
function computeByRole(s: Sheet): Map<string, string> {
  const byRole = new Map<string, string>();
  const profiles = new Map(s.ofType('AWS::IAM::InstanceProfile').map(([id, p]) => [id, s.firstRef(p.Roles)]));
  for (const [id, p] of s.ofType('AWS::Lambda::Function')) byRole.set(s.firstRef(p.Role) ?? '', id);
  for (const [id, p] of s.ofType('AWS::AutoScaling::AutoScalingGroup')) {
    byRole.set(profiles.get(s.firstRef(s.launchTemplate(p)?.LaunchTemplateData?.IamInstanceProfile) ?? '') ?? '', id);
  }
  for (const [id, p] of s.ofType('AWS::EC2::Instance')) byRole.set(profiles.get(s.firstRef(p.IamInstanceProfile) ?? '') ?? '', id);
  for (const [id, p] of s.ofType('AWS::ECS::Service')) byRole.set(s.firstRef(s.propsOf(p.TaskDefinition)?.TaskRoleArn) ?? '', id);
  byRole.delete('');
  return byRole;
}

/** Who may publish, send, read or write what: a policy granting it to the role of a function, instances or containers. */
function permissionEdges(d: Diagram, s: Sheet): void {
  const byRole = computeByRole(s);
  for (const [, p] of [...s.ofType('AWS::IAM::ManagedPolicy'), ...s.ofType('AWS::IAM::Policy')]) {
    for (const statement of p.PolicyDocument?.Statement ?? []) {
      const verb = flowOf([statement.Action].flat());
      if (!verb) continue;
      for (const role of references(p.Roles)) {
        const compute = byRole.get(role);
        const deadLetterQueue = deadLetterTarget(s, s.resources[compute ?? '']?.Properties ?? {});
        for (const target of references(statement.Resource)) {
          // A function's permission to its own dead-letter queue is drawn as what it is, by messageEdges.
          if (target !== deadLetterQueue) d.edge(s.node(compute), s.node(target), verb);
        }
      }
    }
  }
}

/** Data stores their clients reach through security groups: where each lists its groups, and what the clients speak. */
const STORES: Record<string, { groups: string; protocol: (props: any, s: Sheet) => string }> = {
  'AWS::RDS::DBInstance': {
    groups: 'VPCSecurityGroups',
    protocol: (p, s) => sqlProtocol(p.DBParameterGroupName === undefined ? {} : s.propsOf(p.DBParameterGroupName), forcesTlsByDefault(p)),
  },
  'AWS::RDS::DBCluster': { groups: 'VpcSecurityGroupIds', protocol: (p, s) => sqlProtocol(s.propsOf(p.DBClusterParameterGroupName)) },
  'AWS::RDS::DBProxy': { groups: 'VpcSecurityGroupIds', protocol: (p) => (p.RequireTLS === true ? 'SQL over TLS' : 'SQL') },
  'AWS::ElastiCache::ReplicationGroup': { groups: 'SecurityGroupIds', protocol: (p, s) => cacheProtocol(p, s, text(p.Engine, 'redis'), requiresTls(p)) },
  'AWS::ElastiCache::CacheCluster': { groups: 'VpcSecurityGroupIds', protocol: (p, s) => cacheProtocol(p, s, text(p.Engine), requiresTls(p)) },
  // A serverless cache serves TLS only.
  'AWS::ElastiCache::ServerlessCache': { groups: 'SecurityGroupIds', protocol: (p, s) => cacheProtocol(p, s, text(p.Engine), true) },
};

/** Whether a node-based cache refuses plain connections: in-transit encryption on, and not in its `preferred` (migration) mode. */
function requiresTls(cache: any): boolean {
  return cache.TransitEncryptionEnabled === true && cache.TransitEncryptionMode !== 'preferred';
}

/**
 * What a cache's clients speak: `Valkey over TLS, IAM auth` when TLS is required and a user group
 * of the cache holds an IAM-authenticated user (role-based access control with IAM tokens),
 * `connects` when the engine is not known.
 */
function cacheProtocol(cache: any, s: Sheet, engine: string | undefined, tls: boolean): string {
  const users = [...references([cache.UserGroupIds, cache.UserGroupId])]
    .flatMap((group) => [...references(s.resources[group]?.Properties?.UserIds)])
    .map((user) => s.resources[user]?.Properties);
  const iam = users.some((user) => user?.AuthenticationMode?.Type === 'iam');
  return joined(', ', engine === undefined ? 'connects' : `${cacheEngineName(engine)}${tls ? ' over TLS' : ''}`, iam ? 'IAM auth' : '');
}

/**
 * Whether an RDS instance refuses connections without TLS unless its parameter group says
 * otherwise: RDS for PostgreSQL 15 and later has `rds.force_ssl` on in its default parameter group
 * (and so in a custom group of that family that leaves it alone). Aurora's clusters do not.
 */
function forcesTlsByDefault(instance: any): boolean {
  const major = typeof instance.EngineVersion === 'string' ? parseInt(instance.EngineVersion, 10) : NaN;
  return instance.Engine === 'postgres' && major >= 15;
}

/**
 * `SQL over TLS` when the database's parameter group refuses connections without TLS (PostgreSQL,
 * MySQL), or leaves on the default that does (`forcedByDefault`), else `SQL`. A parameter group
 * that is not in the template (undefined here) cannot be read: `SQL`.
 */
function sqlProtocol(parameterGroup: any, forcedByDefault = false): string {
  if (!parameterGroup) return 'SQL';
  const parameters = parameterGroup.Parameters ?? {};
  const forceSsl = parameters['rds.force_ssl'];
  const forced = (forceSsl === undefined ? forcedByDefault : String(forceSsl) === '1')
    || ['1', 'ON'].includes(String(parameters.require_secure_transport ?? '').toUpperCase());
  return forced ? 'SQL over TLS' : 'SQL';
}

/** The compute each security group belongs to: functions, container services, instances. */
function computeBySecurityGroup(s: Sheet): Map<string, string> {
  const owners = new Map<string, string>();
  const own = (groups: any, id: string) => references(groups).forEach((g) => owners.set(g, id));
  for (const [id, p] of s.ofType('AWS::Lambda::Function')) own(p.VpcConfig?.SecurityGroupIds, id);
  for (const [id, p] of s.ofType('AWS::ECS::Service')) own(p.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups, id);
  for (const [id, p] of s.ofType('AWS::EC2::Instance')) own(p.SecurityGroupIds, id);
  for (const [id, p] of s.ofType('AWS::AutoScaling::AutoScalingGroup')) {
    const data = s.launchTemplate(p)?.LaunchTemplateData;
    own([data?.SecurityGroupIds, data?.NetworkInterfaces?.map((n: any) => n.Groups)], id);
  }
  return owners;
}

/**
 * The data tier: replicas copy their primary, a cluster runs on its instances, a proxy pools
 * connections, and the clients a store's security group admits connect.
 */
function dataEdges(d: Diagram, s: Sheet): void {
  for (const [id, p] of s.ofType('AWS::RDS::DBInstance')) {
    d.edge(s.node(id), s.node(s.firstRef(p.SourceDBInstanceIdentifier, 'AWS::RDS::DBInstance')), 'replicates from', 'dotted');
    d.edge(s.node(s.firstRef(p.DBClusterIdentifier, 'AWS::RDS::DBCluster')), s.node(id), 'runs on', 'dotted');
  }
  for (const [, p] of s.ofType('AWS::RDS::DBProxyTargetGroup')) {
    d.edge(s.node(s.firstRef(p.DBProxyName)), s.node(s.firstRef(p.DBInstanceIdentifiers) ?? s.firstRef(p.DBClusterIdentifiers)), 'pools connections');
  }
  const owners = computeBySecurityGroup(s);
  const ingress = s.ofType('AWS::EC2::SecurityGroupIngress');
  for (const [type, store] of Object.entries(STORES)) {
    for (const [id, p] of s.ofType(type)) {
      // A read replica shares its primary's groups; its clients connect to the primary.
      if (p.SourceDBInstanceIdentifier) continue;
      const storeGroups = references(p[store.groups]);
      for (const [, rule] of ingress) {
        if (storeGroups.has(s.firstRef(rule.GroupId) ?? '')) d.edge(s.node(owners.get(s.firstRef(rule.SourceSecurityGroupId) ?? '')), s.node(id), store.protocol(p, s));
      }
    }
  }
}

/** Inside the VPC: which tier reaches the internet, and how. */
function networkEdges(d: Diagram, s: Sheet): void {
  for (const [id] of s.ofType('AWS::EC2::VPC')) {
    const vpc = s.node(id);
    const nat = [...d.nodes.values()].find((n) => n.label === 'NAT gateways' && n.group === d.nodes.get(vpc ?? '')?.group);
    const attachment = s.ofType('AWS::EC2::VPCGatewayAttachment').map(([, a]) => a).find((a) => s.firstRef(a.VpcId) === id);
    const igw = s.node(s.firstRef(attachment?.InternetGatewayId));
    d.edge(vpc, nat?.id, 'private egress');
    d.edge(nat?.id, igw, 'egress');
    // Its own Internet node: the entry one would draw a loop across the whole diagram.
    d.edge(igw, 'internet_out', 'egress');
  }
}

/** Operations: alarms to whoever is notified, flow logs to their log group, backups to their vault. */
function operationsEdges(d: Diagram, s: Sheet): void {
  for (const [id, p] of s.ofType('AWS::CloudWatch::Alarm')) {
    d.edge(s.node(id), s.node(s.firstRef(p.AlarmActions, 'AWS::SNS::Topic')), 'notify', 'dotted');
  }
  for (const [, p] of s.ofType('AWS::EC2::FlowLog')) {
    d.edge(s.node(s.firstRef(p.ResourceId)), s.node(s.firstRef(p.LogGroupName) ?? s.firstRef(p.LogDestination)), 'flow logs', 'dotted');
  }
  for (const [id, p] of s.ofType('AWS::Backup::BackupPlan')) {
    for (const rule of p.BackupPlan?.BackupPlanRule ?? []) d.edge(s.node(id), s.node(s.firstRef(rule.TargetBackupVault)), 'stores in', 'dotted');
  }
  for (const [, p] of s.ofType('AWS::Backup::BackupSelection')) {
    for (const target of references(p.BackupSelection?.Resources)) d.edge(s.node(s.firstRef(p.BackupPlanId)), s.node(target), 'backs up', 'dotted');
  }
}

const EDGES = [entryEdges, staticSiteEdges, eventEdges, loadBalancerEdges, apiEdges, safeDeployEdges, messageEdges,
  permissionEdges, dataEdges, networkEdges, operationsEdges];

// ---------------------------------------------------------------------------------------------
// Rendering

const countLabel = (d: Diagram, n: Node) => `${d.counts.get(n.id)} ${n.counted![d.counts.get(n.id) === 1 ? 0 : 1]}`;

/**
 * A box's counted nodes that nothing links to (alarms, keys, ...) become one muted node, so they
 * do not crowd the flow.
 */
function muteUnlinked(d: Diagram, stackPath: string): void {
  const unlinked = [...d.nodes.values()].filter((n) => n.counted && !d.linked.has(n.id));
  unlinked.forEach((n) => d.nodes.delete(n.id));
  const byGroup = new Map<string, Node[]>();
  unlinked.forEach((n) => byGroup.set(n.group, [...(byGroup.get(n.group) ?? []), n]));
  for (const [group, members] of byGroup) {
    const id = `${sanitize(group || stackPath)}__operations`;
    d.nodes.set(id, { id, label: members.map((n) => countLabel(d, n)).join(' · '), group, shape: 'round' });
  }
}

function render(d: Diagram, groups: Group[], stackPath: string): string {
  muteUnlinked(d, stackPath);
  const shape = (n: Node, label: string) => ({
    box: `${n.id}[${quote(label)}]`,
    round: `${n.id}(${quote(label)})`,
    stadium: `${n.id}([${quote(label)}])`,
    cylinder: `${n.id}[(${quote(label)})]`,
  })[n.shape];
  const renderNode = (n: Node) => shape(n, n.counted ? countLabel(d, n) : n.label);

  // Outside nodes, then the stack's own nodes, then each box with its nodes, then the edges.
  const lines = ['flowchart LR'];
  for (const [id, label] of [['internet', 'Internet'], ['clients', 'Clients'], ['internet_out', 'Internet']]) {
    if (d.linked.has(id)) lines.push(`  ${id}((${label})):::external`);
  }
  const inGroup = (g: string) => [...d.nodes.values()].filter((n) => n.group === g).sort((a, b) => a.id.localeCompare(b.id));
  inGroup('').forEach((n) => lines.push(`  ${renderNode(n)}`));
  const renderGroup = (g: Group, indent: string) => {
    lines.push(`${indent}subgraph ${sanitize(g.path)}[${quote(g.label)}]`);
    inGroup(g.path).forEach((n) => lines.push(`${indent}  ${renderNode(n)}`));
    g.children.forEach((c) => renderGroup(c, `${indent}  `));
    lines.push(`${indent}end`);
  };
  groups.forEach((g) => renderGroup(g, '  '));
  [...d.edges].sort().forEach((e) => lines.push(`  ${e}`));
  lines.push('  classDef external fill:#fff,stroke:#333,stroke-width:2px');
  lines.push('  classDef operations fill:#f4f4f4,stroke:#bbb,color:#555,stroke-dasharray:3 3');
  const muted = [...d.nodes.keys()].filter((id) => id.endsWith('__operations')).sort();
  if (muted.length) lines.push(`  class ${muted.join(',')} operations`);
  return `${lines.join('\n')}\n`;
}

/**
 * The Mermaid flowchart of a stack of a cloud assembly, its nested stacks' resources each in a box
 * of their own. `tree` is the assembly's tree.json: without it, or without a node at the stack's
 * path, the patterns get no boxes.
 */
export function architectureDiagram(stack: AssemblyStack, tree: TreeNode | undefined): string {
  const groups = groupsOf(stack, tree);
  const diagram = new Diagram();
  for (const { path, template } of templatesOf(stack)) {
    const sheet = new Sheet(template.Resources ?? {});
    drawNodes(diagram, sheet, groups, path);
    EDGES.forEach((draw) => draw(diagram, sheet));
  }
  return render(diagram, groups, stack.path);
}
