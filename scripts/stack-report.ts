/**
 * What the synth report says about one synthesized stack: its resources by type, the cdk-nag
 * findings acknowledged in it (with their reasons), and an estimate of its fixed monthly cost.
 * Pure functions over the cloud assembly's files, so the tests can feed them a template.
 */
import { PRICES } from './prices';

export type Template = { Resources?: Record<string, { Type: string; Properties?: any }> };

/** The acknowledgements recorded in a stack's `<stack>.metadata.json`. */
export interface Acknowledgement {
  readonly ruleId: string;
  readonly reason: string;
  readonly constructPath: string;
}

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly monthlyUsd: number;
}

const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

export function resourceCountsByType(template: Template): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const resource of Object.values(template.Resources ?? {})) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

export function acknowledgements(metadata: Record<string, Array<{ type: string; data: any }>>): Acknowledgement[] {
  return Object.entries(metadata).flatMap(([constructPath, entries]) =>
    entries
      .filter((e) => e.type === ACKNOWLEDGED_RULES)
      .flatMap((e) => Object.entries<string>(e.data).map(([id, reason]) => ({
        // Acknowledged annotations are recorded as `Annotation::<rule id>`.
        ruleId: id.replace(/^Annotation::/, ''),
        reason,
        constructPath: constructPath.replace(/^\//, ''),
      }))),
  );
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

/**
 * The resources of a template that cost money while nothing uses them, priced from PRICES.
 * Instance types missing from the table are reported with a cost of NaN rather than guessed.
 */
export function fixedMonthlyCost(template: Template): CostLine[] {
  const lines: CostLine[] = [];
  const add = (item: string, quantity: number, unitMonthlyUsd: number) => {
    if (quantity > 0) {
      lines.push({ item, quantity, monthlyUsd: quantity * unitMonthlyUsd });
    }
  };

  add('NAT gateway', resourcesOfType(template, 'AWS::EC2::NatGateway').length, perMonth(PRICES.natGatewayHour));

  const loadBalancers = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([, p]) => (p.Type ?? 'application') === 'application');
  add('Application Load Balancer (hours; LCUs are usage)', loadBalancers.length, perMonth(PRICES.applicationLoadBalancerHour));

  // One public IPv4 address per elastic IP, and per subnet of an internet-facing load balancer.
  const publicIps = resourcesOfType(template, 'AWS::EC2::EIP').length
    + loadBalancers.filter(([, p]) => p.Scheme === 'internet-facing').reduce((n, [, p]) => n + (p.Subnets?.length ?? 0), 0);
  add('Public IPv4 address', publicIps, perMonth(PRICES.publicIpv4Hour));

  const interfaceEndpointAzs = resourcesOfType(template, 'AWS::EC2::VPCEndpoint')
    .filter(([, p]) => p.VpcEndpointType === 'Interface')
    .reduce((n, [, p]) => n + (p.SubnetIds?.length ?? 0), 0);
  add('Interface endpoint, per AZ', interfaceEndpointAzs, perMonth(PRICES.interfaceEndpointAzHour));

  const launchTemplates = new Map(resourcesOfType(template, 'AWS::EC2::LaunchTemplate'));
  for (const [, group] of resourcesOfType(template, 'AWS::AutoScaling::AutoScalingGroup')) {
    // A group launches from its own launch template, or from the one its mixed instances policy
    // names; there, the first override is the type it prefers, and runs while it has capacity.
    const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
    const templateId = referencedId((group.LaunchTemplate ?? mixed?.LaunchTemplateSpecification)?.LaunchTemplateId) ?? '';
    const data = launchTemplates.get(templateId)?.LaunchTemplateData ?? {};
    const instanceType: string = mixed?.Overrides?.[0]?.InstanceType ?? data.InstanceType ?? 'unknown';
    const minimum = Number(group.MinSize ?? 0);
    add(`EC2 ${instanceType}, the group's minimum`, minimum, perMonth(PRICES.instanceHour[instanceType] ?? NaN));
    const gigabytes = (data.BlockDeviceMappings ?? []).reduce((n: number, m: any) => n + Number(m.Ebs?.VolumeSize ?? 0), 0);
    add(`EBS gp3 GB (${gigabytes} GB per instance)`, gigabytes * minimum, PRICES.gp3GbMonth);
  }

  // A Fargate service runs its scalable target's minimum (or its desired count) of tasks at rest.
  const taskDefinitions = new Map(resourcesOfType(template, 'AWS::ECS::TaskDefinition'));
  const scalableTargets = resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
  for (const [id, service] of resourcesOfType(template, 'AWS::ECS::Service')) {
    const task = taskDefinitions.get(referencedId(service.TaskDefinition) ?? '');
    if (!task || service.LaunchType !== 'FARGATE') continue;
    const target = scalableTargets.find(([, t]) => JSON.stringify(t.ResourceId ?? '').includes(`"${id}"`));
    const tasks = Number(target?.[1].MinCapacity ?? service.DesiredCount ?? 1);
    const architecture = task.RuntimePlatform?.CpuArchitecture ?? 'X86_64';
    const vcpu = Number(task.Cpu) / 1024;
    const gigabytes = Number(task.Memory) / 1024;
    const hourly = vcpu * (PRICES.fargateVcpuHour[architecture] ?? NaN) + gigabytes * (PRICES.fargateGbHour[architecture] ?? NaN);
    add(`Fargate task, ${vcpu} vCPU / ${gigabytes} GB ${architecture}, the service's minimum`, tasks, perMonth(hourly));
  }

  const databases = new Map(resourcesOfType(template, 'AWS::RDS::DBInstance'));
  for (const [, db] of databases) {
    const instanceClass = String(db.DBInstanceClass ?? 'unknown').replace(/^db\./, '');
    const copies = db.MultiAZ === true ? 2 : 1;
    const what = db.SourceDBInstanceIdentifier ? 'RDS read replica' : `RDS primary${copies === 2 ? ' (Multi-AZ: 2 instances)' : ''}`;
    add(`${what} db.${instanceClass}`, copies, perMonth(PRICES.rdsInstanceHour[instanceClass] ?? NaN));
    // A replica's storage is its source's allocation.
    const source = databases.get(/"Ref":"([^"]+)"/.exec(JSON.stringify(db.SourceDBInstanceIdentifier ?? {}))?.[1] ?? '');
    const gigabytes = Number(db.AllocatedStorage ?? source?.AllocatedStorage ?? 0);
    add(`RDS gp3 GB (${gigabytes} GB per instance)`, gigabytes * copies, PRICES.rdsGp3GbMonth);
  }
  for (const [, proxy] of resourcesOfType(template, 'AWS::RDS::DBProxyTargetGroup')) {
    const target = databases.get(referencedId(proxy.DBInstanceIdentifiers?.[0]) ?? '');
    const instanceClass = String(target?.DBInstanceClass ?? 'unknown').replace(/^db\./, '');
    add(`RDS Proxy vCPU (db.${instanceClass})`, Math.max(2, PRICES.rdsInstanceVcpus[instanceClass] ?? NaN), perMonth(PRICES.rdsProxyVcpuHour));
  }
  const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret').length
    + [...databases.values()].filter((db) => db.ManageMasterUserPassword === true).length;
  add('Secrets Manager secret', secrets, PRICES.secretMonth);

  add('KMS customer managed key', resourcesOfType(template, 'AWS::KMS::Key').length, PRICES.kmsKeyMonth);

  const webAcls = resourcesOfType(template, 'AWS::WAFv2::WebACL');
  add('WAF web ACL', webAcls.length, PRICES.wafWebAclMonth);
  add('WAF rule or managed rule group', webAcls.reduce((n, [, p]) => n + (p.Rules?.length ?? 0), 0), PRICES.wafRuleMonth);

  // An alarm is billed per metric it watches; a metric-math alarm watches several.
  const alarmMetrics = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .reduce((n, [, p]) => n + (p.Metrics ? p.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
  add('CloudWatch alarm metric', alarmMetrics, PRICES.alarmMetricMonth);
  add('CloudWatch dashboard (the first 3 of an account are free)', resourcesOfType(template, 'AWS::CloudWatch::Dashboard').length, PRICES.dashboardMonth);

  return lines;
}

export const totalUsd = (lines: CostLine[]) => lines.reduce((sum, l) => sum + l.monthlyUsd, 0);

export const usd = (amount: number) => (Number.isNaN(amount) ? 'not in the price table' : `$${amount.toFixed(2)}`);
