/**
 * The report's estimate of what a template costs while nothing uses it: the always-on resources,
 * priced from the table in `prices.ts` for the stack's region, and the usage-priced services it
 * uses, named but not priced. Pure functions over a template, so the tests can feed them one.
 */
import { CostEstimate, CostLine, Template, TemplateResource } from './model';
import { PRICES, pricesFor, RegionPrices } from './prices';

export function resourceCountsByType(template: Template): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const resource of Object.values(template.Resources ?? {})) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

export const totalUsd = (lines: CostLine[]) => lines.reduce((sum, l) => sum + l.monthlyUsd, 0);

export const usd = (amount: number) => (Number.isNaN(amount) ? 'not in the price table' : `$${amount.toFixed(2)}`);

/**
 * The resources of a template that cost money while nothing uses them, priced for `region`: from
 * its own prices when the table has them, else from us-east-1's, with `fallback` set (so too for
 * an environment-agnostic stack, whose region is undefined). A class missing from the table is
 * reported with a cost of NaN rather than guessed.
 */
export function fixedMonthlyCost(template: Template, region?: string): CostEstimate {
  const lookup = pricesFor(region);
  const lines: CostLine[] = [];
  const estimate: Estimate = {
    template,
    prices: lookup.prices,
    add: (item, quantity, unitMonthlyUsd) => {
      if (quantity > 0) {
        lines.push({ item, quantity, monthlyUsd: quantity * unitMonthlyUsd });
      }
    },
  };
  // The order of the lines is the order of the rows of the committed cost tables: new kinds of
  // resource go where they do not reorder the others.
  addNetwork(estimate);
  addInstances(estimate);
  addContainers(estimate);
  addDatabases(estimate);
  addCaches(estimate);
  addSecretsAndKeys(estimate);
  addFirewall(estimate);
  addMonitoring(estimate);
  addDns(estimate);
  return {
    lines,
    priceRegion: lookup.region,
    fallback: lookup.fallback,
    asOf: PRICES.asOf,
    notCounted: usagePricedServices(template),
  };
}

/** What each part of the estimate reads, and adds its lines through. */
interface Estimate {
  readonly template: Template;
  readonly prices: RegionPrices;
  /** Adds `quantity` units at `unitMonthlyUsd` each; nothing when the quantity is 0. */
  readonly add: (item: string, quantity: number, unitMonthlyUsd: number) => void;
}

function resourcesOfType(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at, if any. */
function referencedId(value: any): string | undefined {
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
}

const perMonth = (hourly: number) => hourly * PRICES.hoursPerMonth;

function addNetwork({ template, prices, add }: Estimate): void {
  add('NAT gateway', resourcesOfType(template, 'AWS::EC2::NatGateway').length, perMonth(prices.natGatewayHour));

  const loadBalancers = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const ofType = (type: string) => loadBalancers.filter(([, p]) => (p.Type ?? 'application') === type);
  add('Application Load Balancer (hours; LCUs are usage)', ofType('application').length, perMonth(prices.applicationLoadBalancerHour));
  // Network and Gateway Load Balancers: counted always, priced only once the table has a sourced
  // hour price (NaN, "not in the price table", until then).
  add('Network Load Balancer (hours; NLCUs are usage)', ofType('network').length, perMonth(prices.networkLoadBalancerHour ?? NaN));
  add('Gateway Load Balancer (hours; GLCUs are usage)', ofType('gateway').length, perMonth(prices.gatewayLoadBalancerHour ?? NaN));

  // One public IPv4 address per elastic IP, and per subnet of an internet-facing load balancer
  // (Application or Network; a subnet mapping with its own elastic IP is counted as that EIP).
  const publicIps = resourcesOfType(template, 'AWS::EC2::EIP').length
    + loadBalancers.filter(([, p]) => p.Scheme === 'internet-facing').reduce((n, [, p]) => n + loadBalancerSubnets(p), 0);
  add('Public IPv4 address', publicIps, perMonth(prices.publicIpv4Hour));

  const interfaceEndpointAzs = resourcesOfType(template, 'AWS::EC2::VPCEndpoint')
    .filter(([, p]) => p.VpcEndpointType === 'Interface')
    .reduce((n, [, p]) => n + (p.SubnetIds?.length ?? 0), 0);
  add('Interface endpoint, per AZ', interfaceEndpointAzs, perMonth(prices.interfaceEndpointAzHour));
}

/** The subnets of a load balancer that get an address of AWS's: its Subnets, or its subnet mappings without an elastic IP. */
function loadBalancerSubnets(properties: any): number {
  if (Array.isArray(properties.Subnets)) {
    return properties.Subnets.length;
  }
  return (Array.isArray(properties.SubnetMappings) ? properties.SubnetMappings : []).filter((m: any) => m?.AllocationId === undefined).length;
}

function addInstances({ template, prices, add }: Estimate): void {
  const launchTemplates = new Map(resourcesOfType(template, 'AWS::EC2::LaunchTemplate'));
  for (const [, group] of resourcesOfType(template, 'AWS::AutoScaling::AutoScalingGroup')) {
    // A group launches from its own launch template, or from the one its mixed instances policy
    // names; there, the first override is the type it prefers, and runs while it has capacity.
    const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
    const templateId = referencedId((group.LaunchTemplate ?? mixed?.LaunchTemplateSpecification)?.LaunchTemplateId) ?? '';
    const data = launchTemplates.get(templateId)?.LaunchTemplateData ?? {};
    const instanceType: string = mixed?.Overrides?.[0]?.InstanceType ?? data.InstanceType ?? 'unknown';
    const minimum = Number(group.MinSize ?? 0);
    add(`EC2 ${instanceType}, the group's minimum`, minimum, perMonth(prices.instanceHour[instanceType] ?? NaN));
    const gigabytes = (data.BlockDeviceMappings ?? []).reduce((n: number, m: any) => n + Number(m.Ebs?.VolumeSize ?? 0), 0);
    add(`EBS gp3 GB (${gigabytes} GB per instance)`, gigabytes * minimum, prices.gp3GbMonth);
  }
  addStandaloneInstances({ template, prices, add });
}

/**
 * Instances outside a group, by type (their own, or their launch template's), and the EBS volumes
 * their block device mappings add, by volume type: gp3 is in the table; any other type (gp2 is
 * EC2's default when a mapping names none) is said to be missing from it. A root volume the AMI
 * brings, without a mapping, is not in the template and not counted.
 */
function addStandaloneInstances({ template, prices, add }: Estimate): void {
  const launchTemplates = new Map(resourcesOfType(template, 'AWS::EC2::LaunchTemplate'));
  const instances = new Map<string, number>();
  const volumes = new Map<string, number>();
  for (const [, instance] of resourcesOfType(template, 'AWS::EC2::Instance')) {
    const data = launchTemplates.get(referencedId(instance.LaunchTemplate?.LaunchTemplateId) ?? '')?.LaunchTemplateData ?? {};
    const type = typeof (instance.InstanceType ?? data.InstanceType) === 'string' ? String(instance.InstanceType ?? data.InstanceType) : 'unknown';
    instances.set(type, (instances.get(type) ?? 0) + 1);
    for (const mapping of instance.BlockDeviceMappings ?? data.BlockDeviceMappings ?? []) {
      if (mapping?.Ebs?.VolumeSize === undefined) continue;
      const volumeType = String(mapping.Ebs.VolumeType ?? 'gp2');
      volumes.set(volumeType, (volumes.get(volumeType) ?? 0) + Number(mapping.Ebs.VolumeSize));
    }
  }
  for (const [type, count] of instances) {
    add(`EC2 ${type}, instance outside a group`, count, perMonth(prices.instanceHour[type] ?? NaN));
  }
  for (const [volumeType, gigabytes] of volumes) {
    add(`EBS ${volumeType} GB of instances outside a group`, gigabytes, volumeType === 'gp3' ? prices.gp3GbMonth : NaN);
  }
}

function addContainers({ template, prices, add }: Estimate): void {
  // A Fargate service runs its scalable target's minimum (or its desired count) of tasks at rest.
  const taskDefinitions = new Map(resourcesOfType(template, 'AWS::ECS::TaskDefinition'));
  const scalableTargets = resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
  for (const [id, service] of resourcesOfType(template, 'AWS::ECS::Service')) {
    const task = taskDefinitions.get(referencedId(service.TaskDefinition) ?? '');
    if (!task) continue;
    const strategy = capacityProviderStrategy(template, service);
    if (!runsOnFargate(service, strategy, task)) continue;
    const target = scalableTargets.find(([, t]) => JSON.stringify(t.ResourceId ?? '').includes(`"${id}"`));
    const tasks = Number(target?.[1].MinCapacity ?? service.DesiredCount ?? 1);
    const architecture = task.RuntimePlatform?.CpuArchitecture ?? 'X86_64';
    const vcpu = Number(task.Cpu) / 1024;
    const gigabytes = Number(task.Memory) / 1024;
    const hourly = vcpu * (prices.fargateVcpuHour[architecture] ?? NaN) + gigabytes * (prices.fargateGbHour[architecture] ?? NaN);
    // Fargate Spot's price changes and is not in the table: its share of the tasks is said so.
    const spot = spotTasks(strategy, tasks);
    const size = `${vcpu} vCPU / ${gigabytes} GB ${architecture}`;
    add(`Fargate task, ${size}, the service's minimum`, tasks - spot, perMonth(hourly));
    add(`Fargate Spot task, ${size}, the service's minimum by its strategy`, spot, NaN);
  }
}

interface CapacityProviderItem {
  readonly provider: string;
  readonly base: number;
  readonly weight: number;
}

/**
 * The capacity provider strategy a service places its tasks by: its own, else (with no launch type
 * either) its cluster's default, from the cluster's capacity provider associations. Empty when none.
 */
function capacityProviderStrategy(template: Template, service: any): CapacityProviderItem[] {
  let strategy: any = service.CapacityProviderStrategy;
  if (strategy === undefined && service.LaunchType === undefined) {
    const cluster = referencedId(service.Cluster);
    strategy = resourcesOfType(template, 'AWS::ECS::ClusterCapacityProviderAssociations')
      .find(([, a]) => cluster !== undefined && referencedId(a.Cluster) === cluster)?.[1].DefaultCapacityProviderStrategy;
  }
  return (Array.isArray(strategy) ? strategy : []).map((item: any) => ({
    provider: typeof item?.CapacityProvider === 'string' ? item.CapacityProvider : 'unknown',
    base: Number(item?.Base ?? 0),
    weight: Number(item?.Weight ?? 0),
  }));
}

const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

/**
 * Whether a service runs on Fargate: its launch type says so; or every provider of its strategy is
 * FARGATE or FARGATE_SPOT; or it names neither, and its task definition is compatible with Fargate
 * only.
 */
function runsOnFargate(service: any, strategy: CapacityProviderItem[], task: any): boolean {
  if (service.LaunchType !== undefined) {
    return service.LaunchType === 'FARGATE';
  }
  if (strategy.length > 0) {
    return strategy.every((item) => FARGATE_PROVIDERS.has(item.provider));
  }
  const compatibilities = task.RequiresCompatibilities;
  return Array.isArray(compatibilities) && compatibilities.length > 0 && compatibilities.every((c: unknown) => c === 'FARGATE');
}

/**
 * How many of `tasks` a strategy places on FARGATE_SPOT: its base first, then the rest by weight,
 * rounded to whole tasks.
 */
function spotTasks(strategy: CapacityProviderItem[], tasks: number): number {
  const spot = strategy.filter((item) => item.provider === 'FARGATE_SPOT');
  if (spot.length === 0) return 0;
  const base = Math.min(tasks, strategy.reduce((n, item) => n + item.base, 0));
  const spotBase = Math.min(base, spot.reduce((n, item) => n + item.base, 0));
  const totalWeight = strategy.reduce((n, item) => n + item.weight, 0);
  const spotWeight = spot.reduce((n, item) => n + item.weight, 0);
  const rest = totalWeight > 0 ? Math.round((tasks - base) * spotWeight / totalWeight) : 0;
  return spotBase + rest;
}

/** The class of an RDS or Aurora instance, without its `db.` prefix. */
const instanceClass = (db: any) => String(db?.DBInstanceClass ?? 'unknown').replace(/^db\./, '');

/**
 * Whether an instance is a member of an Aurora cluster: Aurora bills its instances at its own
 * rates and its storage by use, so neither the RDS instance rates nor the allocated storage apply.
 */
const isAuroraInstance = (db: any) => db.DBClusterIdentifier !== undefined && String(db.Engine ?? '').startsWith('aurora');

/** An Aurora Serverless v2 instance: its class is `db.serverless`, its capacity its cluster's. */
const isServerlessInstance = (db: any) => instanceClass(db) === 'serverless';

/** What the estimate reads of an Aurora cluster: its instances, and whether a proxy keeps them awake. */
interface AuroraCluster {
  readonly properties: any;
  readonly instances: any[];
  readonly proxied: boolean;
}

function addDatabases({ template, prices, add }: Estimate): void {
  const databases = new Map(resourcesOfType(template, 'AWS::RDS::DBInstance'));
  const proxyTargets = resourcesOfType(template, 'AWS::RDS::DBProxyTargetGroup');
  const clusters = auroraClusters(template, databases, proxyTargets);
  // Like instances make one line, whatever cluster they are in.
  const aurora = new Map<string, { count: number; unitMonthlyUsd: number }>();
  for (const [, db] of databases) {
    if (isAuroraInstance(db)) {
      const { item, unitMonthlyUsd } = auroraInstanceLine(db, clusters.get(referencedId(db.DBClusterIdentifier) ?? ''), prices);
      aurora.set(item, { count: (aurora.get(item)?.count ?? 0) + 1, unitMonthlyUsd });
      continue;
    }
    const copies = db.MultiAZ === true ? 2 : 1;
    const what = db.SourceDBInstanceIdentifier ? 'RDS read replica' : `RDS primary${copies === 2 ? ' (Multi-AZ: 2 instances)' : ''}`;
    add(`${what} db.${instanceClass(db)}`, copies, perMonth(prices.rdsInstanceHour[instanceClass(db)] ?? NaN));
    // A replica's storage is its source's allocation.
    const source = databases.get(/"Ref":"([^"]+)"/.exec(JSON.stringify(db.SourceDBInstanceIdentifier ?? {}))?.[1] ?? '');
    const gigabytes = Number(db.AllocatedStorage ?? source?.AllocatedStorage ?? 0);
    add(`RDS gp3 GB (${gigabytes} GB per instance)`, gigabytes * copies, prices.rdsGp3GbMonth);
  }
  for (const [item, { count, unitMonthlyUsd }] of aurora) {
    add(item, count, unitMonthlyUsd);
  }
  for (const [, proxy] of proxyTargets) {
    const cluster = clusters.get(referencedId(proxy.DBClusterIdentifiers?.[0]) ?? '');
    if (cluster) {
      addClusterProxy(cluster, prices, add);
      continue;
    }
    const target = databases.get(referencedId(proxy.DBInstanceIdentifiers?.[0]) ?? '');
    const vcpus = proxyVcpus([target], prices);
    add(`RDS Proxy vCPU (db.${instanceClass(target)})`, vcpus.quantity, vcpus.unitMonthlyUsd);
  }
}

/** The Aurora clusters of a template, by logical id, with their instances and whether a proxy targets them. */
function auroraClusters(template: Template, databases: Map<string, any>, proxyTargets: Array<[string, any]>): Map<string, AuroraCluster> {
  const proxied = new Set(proxyTargets.map(([, p]) => referencedId(p.DBClusterIdentifiers?.[0])).filter((id) => id !== undefined));
  return new Map(resourcesOfType(template, 'AWS::RDS::DBCluster').map(([id, properties]) => [id, {
    properties,
    instances: [...databases.values()].filter((db) => isAuroraInstance(db) && referencedId(db.DBClusterIdentifier) === id),
    proxied: proxied.has(id),
  }]));
}

/** The least capacity of a cluster's Serverless v2 instances, in ACUs; NaN when the template does not say (a token). */
function minimumAcus(cluster?: AuroraCluster): number {
  const minimum = cluster?.properties.ServerlessV2ScalingConfiguration?.MinCapacity;
  return typeof minimum === 'number' || (typeof minimum === 'string' && minimum.trim() !== '') ? Number(minimum) : NaN;
}

/**
 * An Aurora instance at rest. Provisioned: its class's hour (Aurora Standard; an I/O-Optimized
 * cluster's instances cost more, and are not in the table). Serverless v2: its cluster's minimum
 * capacity, in ACU-hours; at 0 ACU it pauses when idle and costs nothing, unless an RDS Proxy
 * keeps connections to it, and it never pauses
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html):
 * what it then runs at is not in the table.
 */
function auroraInstanceLine(db: any, cluster: AuroraCluster | undefined, prices: RegionPrices): { item: string; unitMonthlyUsd: number } {
  const ioOptimized = cluster?.properties.StorageType === 'aurora-iopt1';
  if (isServerlessInstance(db)) {
    const acus = minimumAcus(cluster);
    const acuMonth = ioOptimized ? NaN : perMonth(prices.auroraServerlessAcuHour);
    if (Number.isNaN(acus)) {
      return { item: 'Aurora Serverless v2 instance at its cluster\'s minimum capacity (not read from the template)', unitMonthlyUsd: NaN };
    }
    const storage = ioOptimized ? ', I/O-Optimized' : '';
    if (acus === 0) {
      return cluster?.proxied
        ? { item: `Aurora Serverless v2 instance at 0 ACU${storage}, kept awake by its RDS Proxy`, unitMonthlyUsd: NaN }
        : { item: `Aurora Serverless v2 instance at 0 ACU${storage} (paused when idle)`, unitMonthlyUsd: 0 };
    }
    return { item: `Aurora Serverless v2 instance at ${acus} ACU${storage} (its cluster's minimum)`, unitMonthlyUsd: acus * acuMonth };
  }
  const hourly = ioOptimized ? NaN : prices.auroraInstanceHour[instanceClass(db)] ?? NaN;
  return { item: `Aurora instance db.${instanceClass(db)}${ioOptimized ? ' (I/O-Optimized)' : ''}`, unitMonthlyUsd: perMonth(hourly) };
}

/**
 * An RDS Proxy whose target is an Aurora cluster bills the capacity of the cluster's instances:
 * per vCPU of each provisioned instance (at least 2 an instance), and per ACU of its Serverless v2
 * instances, at rest their minimum, billed for at least `rdsProxyMinimumAcus`
 * (https://aws.amazon.com/rds/proxy/pricing/).
 */
function addClusterProxy(cluster: AuroraCluster, prices: RegionPrices, add: Estimate['add']): void {
  const provisioned = cluster.instances.filter((db) => !isServerlessInstance(db));
  const serverless = cluster.instances.length - provisioned.length;
  const classes = new Map<string, number>();
  for (const db of provisioned) {
    classes.set(instanceClass(db), (classes.get(instanceClass(db)) ?? 0) + 1);
  }
  const described = [...classes].map(([type, count]) => `${count} x db.${type}`).join(', ');
  const vcpus = proxyVcpus(provisioned, prices);
  add(`RDS Proxy vCPU (${described})`, vcpus.quantity, vcpus.unitMonthlyUsd);
  if (serverless > 0) {
    // Below the proxy's minimum, the minimum is billed; at 0 ACU, kept awake by the proxy, the
    // instances run at a capacity the table does not know, under the minimum.
    const acus = serverless * minimumAcus(cluster);
    add(`RDS Proxy ACU (Aurora Serverless v2, billed for at least ${prices.rdsProxyMinimumAcus})`,
      Number.isNaN(acus) ? prices.rdsProxyMinimumAcus : Math.max(prices.rdsProxyMinimumAcus, acus),
      Number.isNaN(acus) ? NaN : perMonth(prices.rdsProxyAcuHour));
  }
}

/**
 * The vCPUs a proxy bills for in front of these instances, at least 2 each; a class whose vCPUs
 * the table does not know counts its 2, and makes the line "not in the price table".
 */
function proxyVcpus(instances: any[], prices: RegionPrices): { quantity: number; unitMonthlyUsd: number } {
  const known = instances.map((db) => prices.rdsInstanceVcpus[instanceClass(db)]);
  return {
    quantity: known.reduce((n: number, vcpus) => n + Math.max(2, vcpus ?? 2), 0),
    unitMonthlyUsd: known.some((vcpus) => vcpus === undefined) ? NaN : perMonth(prices.rdsProxyVcpuHour),
  };
}

/**
 * ElastiCache node-based clusters run every node at rest, priced by engine and node type;
 * ElastiCache Serverless bills its data stored, and at rest the least it bills for (100 MB for
 * Valkey, 1 GB for Redis OSS); its ECPUs and any data above that are usage.
 */
function addCaches({ template, prices, add }: Estimate): void {
  const nodeHour = (engine: string, type: string) => perMonth(prices.cacheNodeHour[engine]?.[type] ?? NaN);
  for (const [, group] of resourcesOfType(template, 'AWS::ElastiCache::ReplicationGroup')) {
    const type = String(group.CacheNodeType ?? 'unknown');
    // A replication group without an Engine runs Redis OSS, CloudFormation's default.
    const engine = cacheEngine(group.Engine, 'redis');
    add(`ElastiCache node ${type} (${cacheEngineName(engine)})`, replicationGroupNodes(group), nodeHour(engine, type));
  }
  for (const [, cluster] of resourcesOfType(template, 'AWS::ElastiCache::CacheCluster')) {
    const type = String(cluster.CacheNodeType ?? 'unknown');
    const engine = cacheEngine(cluster.Engine, 'unknown');
    add(`ElastiCache node ${type} (${cacheEngineName(engine)})`, Number(cluster.NumCacheNodes ?? 1), nodeHour(engine, type));
  }
  for (const [, cache] of resourcesOfType(template, 'AWS::ElastiCache::ServerlessCache')) {
    const engine = cacheEngine(cache.Engine, 'unknown');
    const minimumGb = prices.serverlessCacheMinimumGb[engine] ?? NaN;
    const minimum = Number.isNaN(minimumGb) ? 'its' : `its ${minimumGb < 1 ? `${Math.round(minimumGb * 1000)} MB` : `${minimumGb} GB`}`;
    add(`ElastiCache Serverless (${cacheEngineName(engine)}), ${minimum} minimum of data stored (ECPUs are usage)`, 1,
      minimumGb * perMonth(prices.serverlessCacheGbHour[engine] ?? NaN));
  }
}

/** A cache's engine as the price table keys it: lower case; `fallback` when the template gives none, or a token. */
function cacheEngine(engine: unknown, fallback: string): string {
  return typeof engine === 'string' ? engine.toLowerCase() : fallback;
}

/** An ElastiCache engine in words: `Valkey`, `Redis OSS`, `Memcached`. */
export function cacheEngineName(engine: string): string {
  return ({ valkey: 'Valkey', redis: 'Redis OSS', memcached: 'Memcached' } as Record<string, string>)[engine.toLowerCase()] ?? engine;
}

/** The nodes of a replication group: per shard (node group), a primary and its replicas. */
export function replicationGroupNodes(group: any): number {
  if (Array.isArray(group.NodeGroupConfiguration)) {
    return group.NodeGroupConfiguration.reduce((n: number, shard: any) => n + Number(shard.ReplicaCount ?? group.ReplicasPerNodeGroup ?? 0) + 1, 0);
  }
  if (group.NumNodeGroups !== undefined || group.ReplicasPerNodeGroup !== undefined) {
    return Number(group.NumNodeGroups ?? 1) * (Number(group.ReplicasPerNodeGroup ?? 0) + 1);
  }
  // Cluster mode disabled: the primary and its replicas; the API's default is 1 cluster.
  return Number(group.NumCacheClusters ?? 1);
}

function addSecretsAndKeys({ template, prices, add }: Estimate): void {
  const databases = resourcesOfType(template, 'AWS::RDS::DBInstance');
  // RDS keeps the master password of an instance or a cluster that manages it in a secret of its own.
  const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret').length
    + [...databases, ...resourcesOfType(template, 'AWS::RDS::DBCluster')].filter(([, db]) => db.ManageMasterUserPassword === true).length;
  add('Secrets Manager secret', secrets, prices.secretMonth);

  add('KMS customer managed key', resourcesOfType(template, 'AWS::KMS::Key').length, prices.kmsKeyMonth);
}

function addFirewall({ template, prices, add }: Estimate): void {
  const webAcls = resourcesOfType(template, 'AWS::WAFv2::WebACL');
  add('WAF web ACL', webAcls.length, prices.wafWebAclMonth);
  add('WAF rule or managed rule group', webAcls.reduce((n, [, p]) => n + (p.Rules?.length ?? 0), 0), prices.wafRuleMonth);
}

function addMonitoring({ template, prices, add }: Estimate): void {
  // An alarm is billed per metric it watches; a metric-math alarm watches several.
  const alarmMetrics = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .reduce((n, [, p]) => n + (p.Metrics ? p.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
  add('CloudWatch alarm metric', alarmMetrics, prices.alarmMetricMonth);
  add('CloudWatch dashboard (the first 3 of an account are free)', resourcesOfType(template, 'AWS::CloudWatch::Dashboard').length, prices.dashboardMonth);
}

function addDns({ template, prices, add }: Estimate): void {
  add('Route 53 hosted zone', resourcesOfType(template, 'AWS::Route53::HostedZone').length, prices.hostedZoneMonth);
  // Priced as checks of AWS endpoints: whether an address or a name is outside AWS cannot be read
  // from the template, and the rarer checks of other endpoints cost $0.75.
  const healthChecks = resourcesOfType(template, 'AWS::Route53::HealthCheck').map(([, p]) => p.HealthCheckConfig ?? {});
  add('Route 53 health check (AWS endpoint; the first 50 of an account are free)', healthChecks.length, prices.healthCheckMonth);
  add('Route 53 health check optional feature (HTTPS, string matching, 10 s interval, latency)',
    healthChecks.reduce((n, config) => n + healthCheckFeatures(config), 0), prices.healthCheckFeatureMonth);
}

/** The optional features a health check pays for, each billed on its own. */
function healthCheckFeatures(config: any): number {
  const type = String(config.Type ?? '');
  return [
    type.startsWith('HTTPS'),
    type.endsWith('_STR_MATCH'),
    Number(config.RequestInterval) === 10,
    config.MeasureLatency === true,
  ].filter(Boolean).length;
}

/** The usage-priced service a resource type uses, by its short name. */
const USAGE_PRICED: Record<string, string> = {
  'AWS::Lambda::Function': 'AWS Lambda',
  'AWS::SQS::Queue': 'Amazon SQS',
  'AWS::SNS::Topic': 'Amazon SNS',
  'AWS::ApiGateway::RestApi': 'Amazon API Gateway',
  'AWS::ApiGatewayV2::Api': 'Amazon API Gateway',
  'AWS::AppSync::GraphQLApi': 'AWS AppSync',
  'AWS::Logs::LogGroup': 'Amazon CloudWatch Logs',
  'AWS::S3::Bucket': 'Amazon S3',
  'AWS::EFS::FileSystem': 'Amazon EFS',
  'AWS::ECR::Repository': 'Amazon ECR',
  // On demand, a table (TableV2's GlobalTable as much as a Table) bills requests, storage and
  // point-in-time recovery by use, by the GB-month for the last two (the first 25 GB of storage a
  // month free, then $0.25 a GB-month in us-east-1: https://aws.amazon.com/dynamodb/pricing/), so
  // an empty table costs nothing at rest. Provisioned capacity is a fixed cost the price table has
  // no sourced figure for yet: such a table is named here too, not priced.
  'AWS::DynamoDB::Table': 'Amazon DynamoDB',
  'AWS::DynamoDB::GlobalTable': 'Amazon DynamoDB',
  'AWS::ElastiCache::ServerlessCache': 'Amazon ElastiCache Serverless',
  'AWS::StepFunctions::StateMachine': 'AWS Step Functions',
  'AWS::Events::EventBus': 'Amazon EventBridge',
  'AWS::Events::Rule': 'Amazon EventBridge',
  'AWS::Events::Archive': 'Amazon EventBridge',
  'AWS::Pipes::Pipe': 'Amazon EventBridge Pipes',
  'AWS::Scheduler::Schedule': 'Amazon EventBridge Scheduler',
  'AWS::Cognito::UserPool': 'Amazon Cognito',
  'AWS::CloudFront::Distribution': 'Amazon CloudFront',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Load balancer capacity units',
  'AWS::EC2::NatGateway': 'NAT gateway data processing',
  'AWS::Route53::HostedZone': 'Amazon Route 53 queries',
  'AWS::WAFv2::WebACL': 'AWS WAF requests',
  'AWS::KMS::Key': 'AWS KMS requests',
  'AWS::Backup::BackupPlan': 'AWS Backup',
};

/** Resource types that send data out to the internet, which is billed per GB. */
const TRANSFERS_OUT = new Set([
  'AWS::EC2::NatGateway',
  'AWS::EC2::Instance',
  'AWS::AutoScaling::AutoScalingGroup',
  'AWS::ECS::Service',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::CloudFront::Distribution',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGatewayV2::Api',
]);

/**
 * The usage-priced services the template uses, which the estimate does not count: their short
 * names, sorted, each once.
 */
function usagePricedServices(template: Template): string[] {
  const deployTime = deployTimeFunctions(template);
  const services = Object.entries(template.Resources ?? {}).flatMap(([id, r]) => usageServicesOf(id, r, deployTime));
  return [...new Set(services)].sort((a, b) => a.localeCompare(b));
}

/** The usage-priced services one resource uses; none for a function that runs only while deploying. */
function usageServicesOf(id: string, r: TemplateResource, deployTime: Set<string>): string[] {
  if (r.Type === 'AWS::Lambda::Function') {
    // A function runs, and writes its logs, only when invoked.
    return deployTime.has(id) ? [] : ['AWS Lambda', 'Amazon CloudWatch Logs'];
  }
  const props = r.Properties ?? {};
  return [
    USAGE_PRICED[r.Type],
    r.Type === 'AWS::EC2::VPCEndpoint' && props.VpcEndpointType === 'Interface' ? 'AWS PrivateLink data processing' : undefined,
    isAuroraCluster(r) ? 'Amazon Aurora storage and I/O' : undefined,
    TRANSFERS_OUT.has(r.Type) || (r.Type === 'AWS::S3::Bucket' && props.WebsiteConfiguration) ? 'Data transfer out' : undefined,
  ].filter((s): s is string => s !== undefined);
}

const isAuroraCluster = (r: TemplateResource) => r.Type === 'AWS::RDS::DBCluster' && String(r.Properties?.Engine ?? '').startsWith('aurora');

/** The resource types `fixedMonthlyCost` reads and prices (or, where the table has no price, says so). */
const PRICED = new Set([
  'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::VPCEndpoint', 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::EC2::Instance', 'AWS::AutoScaling::AutoScalingGroup',
  // A service on EC2 capacity costs nothing itself; its instances are priced where they are defined.
  'AWS::ECS::Service',
  'AWS::RDS::DBInstance', 'AWS::RDS::DBProxy', 'AWS::RDS::DBProxyTargetGroup',
  'AWS::ElastiCache::ReplicationGroup', 'AWS::ElastiCache::CacheCluster', 'AWS::ElastiCache::ServerlessCache',
  'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::WAFv2::WebACL',
  'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard',
  'AWS::Route53::HostedZone', 'AWS::Route53::HealthCheck',
]);

/**
 * Resource types that cost nothing themselves: configuration, wiring and permissions, or a part
 * whose cost is billed through another resource the estimate prices or names (a log group's
 * subscription filter, a bucket's policy, a deployment group's alarms). An entry ending in `::` is
 * every type of that prefix.
 */
const COSTS_NOTHING: readonly string[] = [
  // Permissions and the CDK's own bookkeeping.
  'AWS::IAM::', 'AWS::CDK::Metadata', 'AWS::CloudFormation::Stack', 'AWS::CloudFormation::WaitCondition',
  'AWS::CloudFormation::WaitConditionHandle', 'AWS::CloudFormation::CustomResource', 'Custom::',
  // The network: its paid parts (NAT gateways, addresses, interface endpoints) are priced.
  'AWS::EC2::VPC', 'AWS::EC2::VPCCidrBlock', 'AWS::EC2::Subnet', 'AWS::EC2::RouteTable', 'AWS::EC2::Route',
  'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::InternetGateway', 'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::VPCGatewayAttachment', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::NetworkAcl', 'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::SubnetNetworkAclAssociation', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::FlowLog', 'AWS::EC2::KeyPair',
  // Load balancer and scaling configuration.
  'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::ListenerCertificate', 'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::AutoScaling::LaunchConfiguration', 'AWS::AutoScaling::ScalingPolicy', 'AWS::AutoScaling::ScheduledAction',
  'AWS::AutoScaling::LifecycleHook', 'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::ECS::Cluster', 'AWS::ECS::TaskDefinition', 'AWS::ECS::ClusterCapacityProviderAssociations', 'AWS::ECS::CapacityProvider',
  // Functions' wiring; API Gateway's parts, but for a stage's cache (below).
  'AWS::Lambda::Permission', 'AWS::Lambda::EventSourceMapping', 'AWS::Lambda::Version', 'AWS::Lambda::Alias',
  'AWS::Lambda::LayerVersion', 'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Url',
  'AWS::ApiGateway::', 'AWS::ApiGatewayV2::', 'AWS::AppSync::DataSource', 'AWS::AppSync::Resolver',
  'AWS::AppSync::FunctionConfiguration', 'AWS::AppSync::GraphQLSchema', 'AWS::AppSync::ApiKey',
  // Policies, subscriptions, aliases and filters of priced or named resources.
  'AWS::SNS::Subscription', 'AWS::SNS::TopicPolicy', 'AWS::SNS::TopicInlinePolicy', 'AWS::SQS::QueuePolicy',
  'AWS::SQS::QueueInlinePolicy', 'AWS::S3::BucketPolicy', 'AWS::KMS::Alias', 'AWS::Events::EventBusPolicy',
  'AWS::Logs::SubscriptionFilter', 'AWS::Logs::MetricFilter', 'AWS::Logs::LogStream', 'AWS::Logs::ResourcePolicy',
  'AWS::SecretsManager::SecretTargetAttachment', 'AWS::SecretsManager::RotationSchedule', 'AWS::SecretsManager::ResourcePolicy',
  'AWS::RDS::DBSubnetGroup', 'AWS::RDS::DBParameterGroup', 'AWS::RDS::DBClusterParameterGroup', 'AWS::RDS::OptionGroup',
  'AWS::ElastiCache::SubnetGroup', 'AWS::ElastiCache::ParameterGroup', 'AWS::ElastiCache::User', 'AWS::ElastiCache::UserGroup',
  'AWS::Route53::RecordSet', 'AWS::Route53::RecordSetGroup', 'AWS::CertificateManager::Certificate',
  'AWS::WAFv2::WebACLAssociation', 'AWS::WAFv2::LoggingConfiguration', 'AWS::WAFv2::IPSet', 'AWS::WAFv2::RegexPatternSet',
  'AWS::Backup::BackupVault', 'AWS::Backup::BackupSelection', 'AWS::EFS::MountTarget', 'AWS::EFS::AccessPoint',
  'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolDomain', 'AWS::Cognito::UserPoolGroup',
  'AWS::CloudFront::CloudFrontOriginAccessIdentity', 'AWS::CloudFront::OriginAccessControl', 'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::OriginRequestPolicy', 'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup', 'AWS::CodeDeploy::DeploymentConfig',
  'AWS::Scheduler::ScheduleGroup', 'AWS::SSM::Parameter',
];

const costsNothing = (type: string) => COSTS_NOTHING.some((entry) => (entry.endsWith('::') ? type.startsWith(entry) : type === entry));

/** Resources of a type that usually costs nothing, set up so that it does: none of these is estimated. */
function costsDespiteItsType(r: TemplateResource): boolean {
  const props = r.Properties ?? {};
  return (r.Type === 'AWS::SSM::Parameter' && props.Tier !== undefined && props.Tier !== 'Standard')
    || (r.Type === 'AWS::ApiGateway::Stage' && props.CacheClusterEnabled !== undefined && props.CacheClusterEnabled !== false);
}

/**
 * The resource types of a template the estimate knows nothing of: neither priced (nor said to be
 * missing from the price table), nor named as usage-priced, nor known to cost nothing. So a total
 * without them is never read as "these cost $0". Sorted, each once.
 */
export function notEstimated(template: Template): string[] {
  const deployTime = deployTimeFunctions(template);
  const types = Object.entries(template.Resources ?? {})
    .filter(([id, r]) => costsDespiteItsType(r)
      || !(PRICED.has(r.Type) || costsNothing(r.Type) || usageServicesOf(id, r, deployTime).length > 0 || r.Type === 'AWS::Lambda::Function'))
    .map(([, r]) => r.Type);
  return [...new Set(types)].sort((a, b) => a.localeCompare(b));
}

/**
 * Functions that run only while CloudFormation deploys: those a custom resource's service token
 * names (the providers of CDK's own custom resources, bucket deployments and the like). They cost
 * next to nothing, so they would only make every stack seem to use Lambda.
 */
function deployTimeFunctions(template: Template): Set<string> {
  return new Set(Object.values(template.Resources ?? {})
    .filter((r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')
    .map((r) => referencedId(r.Properties?.ServiceToken))
    .filter((id): id is string => id !== undefined));
}
