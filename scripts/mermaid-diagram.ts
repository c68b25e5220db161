/**
 * Draws a synthesized stack as a Mermaid flowchart, which GitHub renders natively: one box per
 * pattern instance (nested as the patterns nest), the resources a reader needs to follow the
 * traffic and the messages, and the flows between them read from the template's references.
 * IAM, security groups, routes and policies are left out; keys, log groups and alarms are
 * counted, one node per pattern.
 */
import type { Template } from './stack-report';

/** The cloud assembly's tree.json, as far as this file reads it. */
export interface TreeNode {
  readonly id: string;
  readonly path: string;
  readonly constructInfo?: { fqn: string };
  readonly children?: Record<string, TreeNode>;
}

const PACKAGE = 'cdk-best-practice-patterns';
// Building blocks drawn as a resource of the pattern that holds them, not as a box of their own.
const DRAWN_INLINE = new Set([`${PACKAGE}.DeadLetterQueue`]);

interface Group {
  readonly path: string;
  readonly label: string;
  readonly children: Group[];
}

interface Node {
  readonly id: string;
  readonly label: string;
  readonly group: string;
  readonly shape: 'box' | 'round' | 'stadium' | 'cylinder';
  /** Singular and plural, for a node that counts resources. */
  readonly counted?: [string, string];
}

/** How a resource type is drawn: a node of its own, or counted in one node per pattern. */
const DRAWN: Record<string, { label: (props: any, name: string) => string; shape: Node['shape']; counted?: [string, string] }> = {
  'AWS::EC2::VPC': { label: (p) => `VPC ${typeof p.CidrBlock === 'string' ? p.CidrBlock : ''}`.trim(), shape: 'box' },
  'AWS::EC2::InternetGateway': { label: () => 'Internet gateway', shape: 'round' },
  'AWS::EC2::NatGateway': { label: () => 'NAT gateway', shape: 'round', counted: ['NAT gateway', 'NAT gateways'] },
  'AWS::EC2::VPCEndpoint': { label: () => 'VPC endpoint', shape: 'round', counted: ['VPC endpoint', 'VPC endpoints'] },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { label: (p) => `Application Load Balancer, ${p.Scheme ?? 'internal'}`, shape: 'box' },
  'AWS::AutoScaling::AutoScalingGroup': { label: (p) => `Auto Scaling group, ${p.MinSize}-${p.MaxSize} instances`, shape: 'box' },
  'AWS::WAFv2::WebACL': { label: (p) => `WAF web ACL, ${p.Rules?.length ?? 0} rule groups`, shape: 'round' },
  'AWS::S3::Bucket': {
    // LogBucket: "S3 log bucket"; a pattern's only bucket, Bucket: "S3 bucket".
    label: (_p, name) => ['S3', name.replace(/Bucket$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), 'bucket'].filter(Boolean).join(' '),
    shape: 'cylinder',
  },
  'AWS::CloudFront::Distribution': {
    label: (p) => `CloudFront distribution, ${String(p.DistributionConfig?.PriceClass ?? 'PriceClass_All').replace(/^PriceClass_/, 'price class ')}`,
    shape: 'stadium',
  },
  'Custom::CDKBucketDeployment': { label: (_p, name) => `${name.replace(/ \/ CustomResource.*$/, '')} (BucketDeployment)`, shape: 'round' },
  'AWS::Events::EventBus': { label: () => 'EventBridge bus', shape: 'stadium' },
  'AWS::Events::Rule': { label: (p) => `EventBridge rule, ${p.ScheduleExpression ?? eventPatternLabel(p.EventPattern)}`, shape: 'round' },
  'AWS::Events::Archive': { label: (p) => `archive, ${p.RetentionDays ?? 'unlimited'} days`, shape: 'cylinder' },
  'AWS::StepFunctions::StateMachine': { label: (p) => `Step Functions ${p.StateMachineType ?? 'STANDARD'} workflow`, shape: 'box' },
  'AWS::Route53::RecordSet': { label: () => 'DNS record', shape: 'round', counted: ['DNS alias record', 'DNS alias records'] },
  'AWS::SNS::Topic': { label: (p) => (p.FifoTopic ? 'SNS FIFO topic' : 'SNS topic'), shape: 'stadium' },
  'AWS::SQS::Queue': {
    // Inside a QueueWithDeadLetterQueue box, "Queue" and "DLQ" say enough.
    label: (_p, name) => name.replace(/SubscriptionDeadLetterQueue/, 'subscription DLQ').replace(/DeadLetterQueue/, 'DLQ').replace(/ \/ /g, ' '),
    shape: 'cylinder',
  },
  'AWS::Lambda::Function': { label: (_p, name) => `Lambda ${name}`, shape: 'box' },
  'AWS::Lambda::Alias': { label: (p) => `alias ${typeof p.Name === 'string' ? p.Name : ''}`.trim(), shape: 'round' },
  'AWS::CodeDeploy::DeploymentGroup': { label: (p) => `CodeDeploy, ${deploymentStyle(p.DeploymentConfigName)}`, shape: 'round' },
  'AWS::ApiGateway::RestApi': { label: () => 'API Gateway REST API', shape: 'stadium' },
  'AWS::ApiGatewayV2::Api': { label: () => 'API Gateway HTTP API', shape: 'stadium' },
  'AWS::Cognito::UserPool': { label: () => 'Cognito user pool', shape: 'round' },
  'AWS::ECS::Cluster': { label: () => 'ECS cluster, Container Insights', shape: 'round' },
  'AWS::ECS::Service': {
    label: (p) => `ECS service on ${p.LaunchType === 'FARGATE' ? 'Fargate' : 'ECS'}, private subnets${p.DeploymentConfiguration?.DeploymentCircuitBreaker?.Rollback ? ', rolls back failed deployments' : ''}`,
    shape: 'box',
  },
  'AWS::RDS::DBInstance': {
    label: (p) => p.SourceDBInstanceIdentifier
      ? `RDS read replica, ${p.DBInstanceClass}`
      : `RDS ${p.Engine} ${p.EngineVersion}, ${p.DBInstanceClass}, ${p.MultiAZ ? 'Multi-AZ' : 'single-AZ'}, isolated subnets`,
    shape: 'cylinder',
  },
  'AWS::RDS::DBProxy': { label: () => 'RDS Proxy, TLS and IAM', shape: 'round' },
  'AWS::KMS::Key': { label: () => 'KMS key', shape: 'round', counted: ['KMS key', 'KMS keys'] },
  'AWS::Logs::LogGroup': { label: () => 'Log group', shape: 'cylinder', counted: ['log group', 'log groups'] },
  'AWS::CloudWatch::Alarm': { label: () => 'Alarm', shape: 'round', counted: ['alarm', 'alarms'] },
};

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
  const words = [pattern?.['detail-type'], pattern?.source].find((v) => Array.isArray(v)) ?? [];
  return words.length ? words.join(', ') : 'event pattern';
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

/** The pattern instances of a tree, nested as they nest; everything else belongs to the stack. */
function patternGroups(node: TreeNode, parentPath = node.path): Group[] {
  return Object.values(node.children ?? {}).flatMap((child) => {
    const fqn = child.constructInfo?.fqn ?? '';
    if (!fqn.startsWith(`${PACKAGE}.`) || DRAWN_INLINE.has(fqn)) return patternGroups(child, parentPath);
    const name = child.path.slice(parentPath.length + 1);
    return [{ path: child.path, label: `${name}: ${fqn.slice(PACKAGE.length + 1)}`, children: patternGroups(child, child.path) }];
  });
}

function innermostGroup(groups: Group[], resourcePath: string, outer = ''): string {
  for (const g of groups) {
    if (resourcePath.startsWith(`${g.path}/`)) return innermostGroup(g.children, resourcePath, g.path);
  }
  return outer;
}

/** A short, readable name for a resource: its construct path below its pattern, without `/Resource` or `/Default`. */
function shortName(resourcePath: string, group: string, stackName: string): string {
  const below = resourcePath.slice((group || stackName).length + 1).replace(/\/Resource$/, '').replace(/\/Default$/, '');
  return below.split('/').filter((s) => !/^[A-Za-z0-9]+[0-9A-F]{8}$/.test(s)).join(' / ') || below;
}

export function architectureDiagram(template: Template, tree: TreeNode, stackName: string): string {
  const stackNode = tree.children?.[stackName];
  if (!stackNode) throw new Error(`tree.json has no stack ${stackName}`);
  const groups = patternGroups(stackNode);
  const resources = template.Resources ?? {};
  const pathOf = (id: string): string => (resources[id] as any)?.Metadata?.['aws:cdk:path'] ?? `${stackName}/${id}`;

  // The subnet tier each load balancer, instance group and function runs in goes into its label:
  // drawn as edges to the VPC, placements dragged the network box across the whole diagram.
  const subnetTier = new Map(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EC2::Subnet').map(([id, r]) => [id,
    (r.Properties?.Tags ?? []).find((t: any) => t.Key === 'aws-cdk:subnet-type')?.Value?.toLowerCase() as string | undefined]));
  const placement = (props: any) => {
    const subnets = props.Subnets ?? props.VPCZoneIdentifier ?? props.VpcConfig?.SubnetIds;
    const tier = [...references(subnets)].map((id) => subnetTier.get(id)).find(Boolean);
    return tier ? `, ${tier} subnets` : '';
  };

  // Which node stands for each logical id: its own, or its pattern's counted node.
  const nodes = new Map<string, Node>();
  const nodeOf = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const [id, r] of Object.entries(resources)) {
    const drawn = DRAWN[r.Type];
    const resourcePath = pathOf(id);
    // aws-cdk-lib's custom-resource providers are plumbing, not architecture.
    if (!drawn || resourcePath.includes('/Custom::') || resourcePath.includes('/AWS679f53fac002430cb0da5b7982bd2287')) continue;
    const group = innermostGroup(groups, resourcePath);
    if (drawn.counted) {
      const nodeId = `${sanitize(group || stackName)}__${sanitize(drawn.counted[1])}`;
      counts.set(nodeId, (counts.get(nodeId) ?? 0) + 1);
      nodes.set(nodeId, { id: nodeId, label: drawn.counted[1], group, shape: drawn.shape, counted: drawn.counted });
      nodeOf.set(id, nodeId);
    } else {
      const nodeId = sanitize(resourcePath.replace(/\/Resource$/, '').replace(/\/Default$/, ''));
      const props = r.Properties ?? {};
      const label = drawn.label(props, shortName(resourcePath, group, stackName)) + placement(props);
      nodes.set(nodeId, { id: nodeId, label, group, shape: drawn.shape });
      nodeOf.set(id, nodeId);
    }
  }

  const edges = new Set<string>();
  const linked = new Set<string>();
  const edge = (from: string | undefined, to: string | undefined, label: string, style: 'solid' | 'dotted' | 'long' = 'solid') => {
    if (!from || !to || from === to) return;
    // A long link puts its target one column further, next to its source rather than past another's.
    edges.add(`${from} ${{ solid: '-->', dotted: '-.->', long: '--->' }[style]}|${quote(label)}| ${to}`);
    linked.add(from).add(to);
  };
  const ofType = (type: string) => Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}] as [string, any]);
  const firstRef = (value: any, type?: string) => [...references(value)].find((id) => !type || resources[id]?.Type === type);
  const node = (id: string | undefined) => (id ? nodeOf.get(id) : undefined);

  // Entry points from outside.
  const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener');
  for (const [id, p] of ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    if (p.Scheme === 'internet-facing') {
      const protocols = [...new Set(listeners.filter(([, l]) => firstRef(l.LoadBalancerArn) === id).map(([, l]) => l.Protocol))].sort();
      edge('internet', node(id), protocols.join(', ') || 'HTTP');
    }
    const logBucket = (p.LoadBalancerAttributes ?? []).find((a: any) => a.Key === 'access_logs.s3.bucket');
    edge(node(id), node(firstRef(logBucket?.Value)), 'access logs', 'dotted');
  }
  for (const [id] of [...ofType('AWS::ApiGateway::RestApi'), ...ofType('AWS::ApiGatewayV2::Api')]) {
    edge('clients', node(id), 'HTTPS');
  }

  // A static website: the distribution reads its bucket, logs, is filtered, named and refreshed.
  for (const [id, p] of ofType('AWS::CloudFront::Distribution')) {
    const config = p.DistributionConfig ?? {};
    edge('clients', node(id), 'HTTPS');
    (config.Origins ?? []).forEach((origin: any) => edge(node(id), node(firstRef(origin.DomainName)), origin.OriginAccessControlId ? 'reads, origin access control' : 'reads'));
    edge(node(id), node(firstRef(config.Logging?.Bucket)), 'access logs', 'dotted');
    edge(node(firstRef(config.WebACLId)), node(id), 'filters', 'dotted');
  }
  for (const [id, p] of ofType('AWS::S3::Bucket')) {
    edge(node(id), node(firstRef(p.LoggingConfiguration?.DestinationBucketName)), 'access logs', 'dotted');
  }
  for (const [id, p] of ofType('Custom::CDKBucketDeployment')) {
    edge(node(id), node(firstRef(p.DestinationBucketName)), 'copies files');
    edge(node(id), node(firstRef(p.DistributionId)), 'invalidates', 'dotted');
  }
  for (const [id, p] of ofType('AWS::Route53::RecordSet')) {
    edge(node(id), node(firstRef(p.AliasTarget?.DNSName, 'AWS::CloudFront::Distribution')), 'alias', 'dotted');
  }

  // Events: a bus's rules, each rule's targets and dead-letter queue, a workflow's functions.
  for (const [id, p] of ofType('AWS::Events::Rule')) {
    edge(node(firstRef(p.EventBusName)), node(id), 'matches');
    for (const target of p.Targets ?? []) {
      const to = firstRef(target.Arn, 'AWS::Lambda::Alias') ?? firstRef(target.Arn);
      const verb = resources[to ?? '']?.Type === 'AWS::StepFunctions::StateMachine' ? 'starts' : resources[to ?? '']?.Type === 'AWS::SQS::Queue' ? 'sends' : 'invokes';
      edge(node(id), node(to), verb);
      edge(node(id), node(firstRef(target.DeadLetterConfig?.Arn)), 'failed events', 'dotted');
    }
  }
  for (const [id, p] of ofType('AWS::Events::Archive')) {
    edge(node(firstRef(p.SourceArn)), node(id), 'archives', 'dotted');
  }
  for (const [id, p] of ofType('AWS::StepFunctions::StateMachine')) {
    for (const ref of references(p.DefinitionString)) {
      if (['AWS::Lambda::Alias', 'AWS::Lambda::Function'].includes(resources[ref]?.Type)) edge(node(id), node(ref), 'invokes');
    }
  }

  // Load balancer to instances, through the target group.
  const groupsByTargetGroup = new Map<string, string>();
  for (const [id, p] of ofType('AWS::AutoScaling::AutoScalingGroup')) {
    references(p.TargetGroupARNs).forEach((tg) => groupsByTargetGroup.set(tg, id));
  }
  for (const [id, p] of ofType('AWS::ECS::Service')) {
    references(p.LoadBalancers).forEach((tg) => groupsByTargetGroup.set(tg, id));
  }
  for (const [, l] of listeners) {
    for (const tg of references(l.DefaultActions)) edge(node(firstRef(l.LoadBalancerArn)), node(groupsByTargetGroup.get(tg)), 'forwards');
  }
  for (const [, p] of ofType('AWS::WAFv2::WebACLAssociation')) {
    const target = [...references(p.ResourceArn)].map(node).find(Boolean);
    edge(node(firstRef(p.WebACLArn)), target, 'filters', 'dotted');
  }

  // APIs to their functions, or to the alias a HardenedFunction's callers invoke.
  const invoked = (value: any) => firstRef(value, 'AWS::Lambda::Alias') ?? firstRef(value, 'AWS::Lambda::Function');
  for (const [, p] of ofType('AWS::ApiGateway::Method')) {
    edge(node(firstRef(p.RestApiId)), node(invoked(p.Integration)), 'proxies');
  }
  for (const [, p] of ofType('AWS::ApiGatewayV2::Integration')) {
    edge(node(firstRef(p.ApiId)), node(invoked(p.IntegrationUri)), 'proxies');
  }

  // Safe deploys: the alias runs a published version of its function, and CodeDeploy shifts it.
  const versions = new Map(ofType('AWS::Lambda::Version').map(([id, p]) => [id, firstRef(p.FunctionName)]));
  for (const [id, p] of ofType('AWS::Lambda::Alias')) {
    edge(node(id), node(versions.get(firstRef(p.FunctionVersion) ?? '') ?? firstRef(p.FunctionName)), 'runs version');
    const update = (resources[id] as any).UpdatePolicy?.CodeDeployLambdaAliasUpdate;
    edge(node(firstRef(update?.DeploymentGroupName)), node(id), 'shifts', 'dotted');
  }

  // Messages: topic to queues, queues to dead-letter queues and consumers.
  for (const [, p] of ofType('AWS::SNS::Subscription')) {
    const topic = node(firstRef(p.TopicArn));
    edge(topic, node(firstRef(p.Endpoint)), p.FilterPolicy ? 'filtered' : 'all messages');
    edge(topic, node(firstRef(p.RedrivePolicy)), 'undeliverable', 'dotted');
  }
  for (const [id, p] of ofType('AWS::SQS::Queue')) {
    if (p.RedrivePolicy) edge(node(id), node(firstRef(p.RedrivePolicy)), `after ${p.RedrivePolicy.maxReceiveCount} receives`, 'dotted');
  }
  for (const [, p] of ofType('AWS::Lambda::EventSourceMapping')) {
    edge(node(firstRef(p.EventSourceArn)), node(invoked(p.FunctionName)), 'batches', 'long');
  }
  // A function's dead-letter queue: where its failed asynchronous events wait.
  const deadLetterTargets = new Map<string, string>();
  for (const [id, p] of ofType('AWS::Lambda::Function')) {
    const target = firstRef(p.DeadLetterConfig?.TargetArn);
    if (!target) continue;
    deadLetterTargets.set(id, target);
    edge(node(id), node(target), 'failed async events', 'dotted');
  }

  // Who may publish or send: a managed policy granting it to the role of a function or instances.
  const computeByRole = new Map<string, string>();
  for (const [id, p] of ofType('AWS::Lambda::Function')) computeByRole.set(firstRef(p.Role) ?? '', id);
  const profiles = new Map(ofType('AWS::IAM::InstanceProfile').map(([id, p]) => [id, firstRef(p.Roles)]));
  const templates = new Map(ofType('AWS::EC2::LaunchTemplate').map(([id, p]) => [id, profiles.get(firstRef(p.LaunchTemplateData?.IamInstanceProfile) ?? '')]));
  for (const [id, p] of ofType('AWS::AutoScaling::AutoScalingGroup')) {
    // Its own launch template, or the one its mixed instances policy names.
    const launchTemplate = firstRef(p.LaunchTemplate ?? p.MixedInstancesPolicy, 'AWS::EC2::LaunchTemplate');
    computeByRole.set(templates.get(launchTemplate ?? '') ?? '', id);
  }
  for (const [, p] of [...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::IAM::Policy')]) {
    for (const statement of p.PolicyDocument?.Statement ?? []) {
      const actions: string[] = [statement.Action].flat();
      const verb = actions.includes('sns:Publish') ? 'publishes' : actions.includes('sqs:SendMessage') ? 'sends' : undefined;
      if (!verb) continue;
      for (const role of references(p.Roles)) {
        const compute = computeByRole.get(role);
        for (const target of references(statement.Resource)) {
          // A function's permission to its own dead-letter queue is drawn above, as what it is.
          if (deadLetterTargets.get(compute ?? '') !== target) edge(node(compute), node(target), verb);
        }
      }
    }
  }

  // The data tier: replicas copy their primary, a proxy pools connections to it, and the clients
  // its security group admits (functions and instances, by their groups) connect.
  const groupOwners = new Map<string, string>();
  for (const [id, p] of ofType('AWS::Lambda::Function')) references(p.VpcConfig?.SecurityGroupIds).forEach((g) => groupOwners.set(g, id));
  for (const [id, p] of ofType('AWS::ECS::Service')) references(p.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups).forEach((g) => groupOwners.set(g, id));
  for (const [id, p] of ofType('AWS::AutoScaling::AutoScalingGroup')) {
    const launchTemplate = resources[firstRef(p.LaunchTemplate ?? p.MixedInstancesPolicy, 'AWS::EC2::LaunchTemplate') ?? '']?.Properties;
    const data = launchTemplate?.LaunchTemplateData;
    references([data?.SecurityGroupIds, data?.NetworkInterfaces?.map((n: any) => n.Groups)]).forEach((g) => groupOwners.set(g, id));
  }
  for (const [id, p] of ofType('AWS::RDS::DBInstance')) {
    edge(node(id), node(firstRef(p.SourceDBInstanceIdentifier, 'AWS::RDS::DBInstance')), 'replicates from', 'dotted');
    const databaseGroups = new Set(references(p.VPCSecurityGroups));
    for (const [, rule] of ofType('AWS::EC2::SecurityGroupIngress')) {
      if (databaseGroups.has(firstRef(rule.GroupId) ?? '') && !p.SourceDBInstanceIdentifier) edge(node(groupOwners.get(firstRef(rule.SourceSecurityGroupId) ?? '')), node(id), 'SQL over TLS');
    }
  }
  for (const [, p] of ofType('AWS::RDS::DBProxyTargetGroup')) {
    edge(node(firstRef(p.DBProxyName)), node(firstRef(p.DBInstanceIdentifiers)), 'pools connections');
  }

  // Inside the VPC: which tier reaches the internet, and how.
  for (const [id] of ofType('AWS::EC2::VPC')) {
    const vpc = node(id);
    const nat = [...nodes.values()].find((n) => n.label === 'NAT gateways' && n.group === nodes.get(vpc ?? '')?.group);
    const igw = node(ofType('AWS::EC2::VPCGatewayAttachment').map(([, a]) => a).filter((a) => firstRef(a.VpcId) === id).map((a) => firstRef(a.InternetGatewayId))[0]);
    edge(vpc, nat?.id, 'private egress');
    edge(nat?.id, igw, 'egress');
    // Its own Internet node: the entry one would draw a loop across the whole diagram.
    edge(igw, 'internet_out', 'egress');
  }

  // Alarms to whoever is notified.
  for (const [id, p] of ofType('AWS::CloudWatch::Alarm')) {
    edge(node(id), node(firstRef(p.AlarmActions, 'AWS::SNS::Topic')), 'notify', 'dotted');
  }
  for (const [, p] of ofType('AWS::EC2::FlowLog')) {
    edge(node(firstRef(p.ResourceId)), node(firstRef(p.LogGroupName) ?? firstRef(p.LogDestination)), 'flow logs', 'dotted');
  }

  // Render: outside nodes, then each pattern box with its nodes, then the edges.
  const shape = (n: Node, label: string) => ({
    box: `${n.id}[${quote(label)}]`,
    round: `${n.id}(${quote(label)})`,
    stadium: `${n.id}([${quote(label)}])`,
    cylinder: `${n.id}[(${quote(label)})]`,
  })[n.shape];
  const countLabel = (n: Node) => `${counts.get(n.id)} ${n.counted![counts.get(n.id) === 1 ? 0 : 1]}`;
  const render = (n: Node) => shape(n, n.counted ? countLabel(n) : n.label);

  // A pattern's counted nodes that nothing links to (alarms, keys, ...) become one muted node, so
  // they do not crowd the flow.
  const unlinked = [...nodes.values()].filter((n) => n.counted && !linked.has(n.id));
  for (const n of unlinked) nodes.delete(n.id);
  const operations = new Map<string, Node[]>();
  unlinked.forEach((n) => operations.set(n.group, [...(operations.get(n.group) ?? []), n]));
  for (const [group, members] of operations) {
    const id = `${sanitize(group || stackName)}__operations`;
    nodes.set(id, { id, label: members.map(countLabel).join(' · '), group, shape: 'round' });
  }

  const lines = ['flowchart LR'];
  for (const [id, label] of [['internet', 'Internet'], ['clients', 'Clients'], ['internet_out', 'Internet']]) {
    if (linked.has(id)) lines.push(`  ${id}((${label})):::external`);
  }
  const byGroup = (g: string) => [...nodes.values()].filter((n) => n.group === g).sort((a, b) => a.id.localeCompare(b.id));
  byGroup('').forEach((n) => lines.push(`  ${render(n)}`));
  const renderGroup = (g: Group, indent: string) => {
    lines.push(`${indent}subgraph ${sanitize(g.path)}[${quote(g.label)}]`);
    byGroup(g.path).forEach((n) => lines.push(`${indent}  ${render(n)}`));
    g.children.forEach((c) => renderGroup(c, `${indent}  `));
    lines.push(`${indent}end`);
  };
  groups.forEach((g) => renderGroup(g, '  '));
  [...edges].sort().forEach((e) => lines.push(`  ${e}`));
  lines.push('  classDef external fill:#fff,stroke:#333,stroke-width:2px');
  lines.push('  classDef operations fill:#f4f4f4,stroke:#bbb,color:#555,stroke-dasharray:3 3');
  const muted = [...nodes.keys()].filter((id) => id.endsWith('__operations')).sort();
  if (muted.length) lines.push(`  class ${muted.join(',')} operations`);
  return `${lines.join('\n')}\n`;
}
