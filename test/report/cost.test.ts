import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlbAutoScalingGroup, DeploymentStage, HardenedFunction, MultiAzVpc, QueueWithDeadLetterQueue, RestApiLambda } from '../../src';
import { fixedMonthlyCost, resourceCountsByType, totalUsd, usd } from '../../src/report/cost';
import { CostLine, Template } from '../../src/report/model';
import { PRICES, RegionPrices, US_EAST_1 } from '../../src/report/prices';
import { newApp, TEST_ENV } from '../support/app';

// The cost tables are what users read before they deploy, so what they say is tested against
// real synthesized stacks, not hand-written templates.

function synthesized(build: (stack: Stack) => void, withEnv = false): Template {
  const app = newApp();
  build(new Stack(app, 'Example', withEnv ? { env: TEST_ENV } : {}));
  return app.synth().getStackByName('Example').template;
}

const INLINE_CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');
const line = (lines: CostLine[], prefix: string) => lines.find((l) => l.item.startsWith(prefix));
const hourly = (perHour: number) => perHour * PRICES.hoursPerMonth;

describe('fixed monthly cost', () => {
  const webTier = (stage: DeploymentStage) => synthesized((stack) => {
    const vpc = new MultiAzVpc(stack, 'Network', { stage }).vpc;
    new AlbAutoScalingGroup(stack, 'Web', { vpc, stage, allowInsecureHttp: true });
  }, true);

  test('PROD: a NAT gateway and its address per AZ, the load balancer and its address per AZ, two instances, WAF', () => {
    const cost = fixedMonthlyCost(webTier(DeploymentStage.PROD), 'us-east-1').lines;

    expect(line(cost, 'NAT gateway')).toEqual({ item: 'NAT gateway', quantity: 3, monthlyUsd: 3 * hourly(US_EAST_1.natGatewayHour) });
    expect(line(cost, 'Public IPv4')?.quantity).toBe(3 + 3);
    expect(line(cost, 'Application Load Balancer')?.quantity).toBe(1);
    expect(line(cost, 'EC2 t4g.small')).toMatchObject({ quantity: 2, monthlyUsd: 2 * hourly(US_EAST_1.instanceHour['t4g.small']) });
    expect(line(cost, 'EBS gp3 GB (8 GB per instance)')?.quantity).toBe(16);
    expect(line(cost, 'WAF web ACL')?.quantity).toBe(1);
    expect(line(cost, 'WAF rule')?.quantity).toBeGreaterThan(0);
    expect(line(cost, 'KMS')?.quantity).toBeGreaterThan(0);
    expect(line(cost, 'CloudWatch alarm')?.quantity).toBeGreaterThan(0);
    expect(totalUsd(cost)).toBeCloseTo(cost.reduce((sum, l) => sum + l.monthlyUsd, 0));
  });

  test('DEV: one NAT gateway, one instance, no WAF, and so a lower total', () => {
    const dev = fixedMonthlyCost(webTier(DeploymentStage.DEV), 'us-east-1').lines;
    const prod = fixedMonthlyCost(webTier(DeploymentStage.PROD), 'us-east-1').lines;

    expect(line(dev, 'NAT gateway')?.quantity).toBe(1);
    expect(line(dev, 'EC2 t4g.small')?.quantity).toBe(1);
    expect(line(dev, 'WAF')).toBeUndefined();
    expect(totalUsd(dev)).toBeLessThan(totalUsd(prod));
  });

  test('an instance type missing from the price table is said so, not guessed', () => {
    const template = synthesized((stack) => {
      const vpc = new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.DEV }).vpc;
      new AlbAutoScalingGroup(stack, 'Web', { vpc, allowInsecureHttp: true, instanceType: new ec2.InstanceType('x8g.metal-48xl') });
    }, true);
    const { lines } = fixedMonthlyCost(template, 'us-east-1');

    expect(usd(line(lines, 'EC2 x8g.metal-48xl')!.monthlyUsd)).toBe('not in the price table');
    expect(usd(totalUsd(lines))).toBe('not in the price table');
  });

  test('serverless resources cost nothing at rest but their keys, alarms and the dashboard', () => {
    const template = synthesized((stack) => new RestApiLambda(stack, 'Api', { code: INLINE_CODE }));
    expect(fixedMonthlyCost(template).lines.map((l) => l.item).sort()).toEqual([
      'CloudWatch alarm metric', 'CloudWatch dashboard (the first 3 of an account are free)', 'KMS customer managed key', 'WAF rule or managed rule group', 'WAF web ACL',
    ]);
  });
});

describe('prices by region', () => {
  const vpcOnly = () => synthesized((stack) => new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.DEV }), true);

  test('a region in the table is priced at its own prices, not us-east-1\'s', () => {
    // Only us-east-1 is sourced today, so a region of made-up prices stands in for the next one.
    const regions = PRICES.regions;
    const twice: RegionPrices = { ...US_EAST_1, natGatewayHour: 2 * US_EAST_1.natGatewayHour };
    regions['xx-test-1'] = twice;
    try {
      const estimate = fixedMonthlyCost(vpcOnly(), 'xx-test-1');

      expect(estimate).toMatchObject({ priceRegion: 'xx-test-1', fallback: false, asOf: PRICES.asOf });
      expect(line(estimate.lines, 'NAT gateway')).toEqual({ item: 'NAT gateway', quantity: 1, monthlyUsd: hourly(twice.natGatewayHour) });
    } finally {
      delete regions['xx-test-1'];
    }
  });

  test('us-east-1 is in the table', () => {
    expect(fixedMonthlyCost(vpcOnly(), 'us-east-1')).toMatchObject({ priceRegion: 'us-east-1', fallback: false });
  });

  test.each([
    ['a region not in the table', 'ap-southeast-4'],
    ['an environment-agnostic stack', undefined],
  ])('%s is priced at us-east-1 prices, and says so', (_, region) => {
    const estimate = fixedMonthlyCost(vpcOnly(), region);

    expect(estimate).toMatchObject({ priceRegion: 'us-east-1', fallback: true });
    expect(line(estimate.lines, 'NAT gateway')?.monthlyUsd).toBe(hourly(US_EAST_1.natGatewayHour));
  });
});

describe('usage-priced services, named and not counted', () => {
  test('a serverless stack uses Lambda and SQS (and the logs its functions write)', () => {
    const template = synthesized((stack) => new QueueWithDeadLetterQueue(stack, 'Jobs', {
      consumer: new HardenedFunction(stack, 'Worker', { code: INLINE_CODE }),
    }));
    const { notCounted } = fixedMonthlyCost(template);

    expect(notCounted).toEqual(expect.arrayContaining(['AWS Lambda', 'Amazon SQS', 'Amazon CloudWatch Logs']));
    expect(notCounted).not.toContain('Data transfer out');
  });

  test("a VPC-only stack uses neither: its custom resource's function runs only while CloudFormation deploys", () => {
    const template = synthesized((stack) => new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.DEV }));
    const { notCounted } = fixedMonthlyCost(template);

    expect(Object.values(template.Resources!).map((r) => r.Type)).toContain('AWS::Lambda::Function');
    expect(notCounted).not.toContain('AWS Lambda');
    expect(notCounted).not.toContain('Amazon SQS');
    expect(notCounted).toEqual(expect.arrayContaining(['NAT gateway data processing', 'Data transfer out']));
  });

  test('the names are sorted, each once', () => {
    const template = synthesized((stack) => {
      new sns.Topic(stack, 'A');
      new sns.Topic(stack, 'B');
      new RestApiLambda(stack, 'Api', { code: INLINE_CODE });
    });
    const { notCounted } = fixedMonthlyCost(template);

    expect(notCounted).toEqual([...new Set(notCounted)].sort((a, b) => a.localeCompare(b)));
    expect(notCounted.filter((s) => s === 'Amazon SNS')).toHaveLength(1);
    expect(notCounted).toEqual(expect.arrayContaining(['Amazon API Gateway', 'AWS Lambda', 'Data transfer out']));
  });
});

describe('resources priced since the move into the package', () => {
  test('a hosted zone, at the rate of the first 25', () => {
    const template = synthesized((stack) => new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }));

    expect(line(fixedMonthlyCost(template).lines, 'Route 53 hosted zone')).toEqual({ item: 'Route 53 hosted zone', quantity: 1, monthlyUsd: 0.5 });
  });

  test('health checks, and each optional feature they use', () => {
    const template = synthesized((stack) => {
      new route53.CfnHealthCheck(stack, 'Plain', { healthCheckConfig: { type: 'HTTP', fullyQualifiedDomainName: 'example.com' } });
      // HTTPS, string matching, a 10-second interval and latency measurement: four features.
      new route53.CfnHealthCheck(stack, 'Everything', {
        healthCheckConfig: { type: 'HTTPS_STR_MATCH', fullyQualifiedDomainName: 'example.com', searchString: 'ok', requestInterval: 10, measureLatency: true },
      });
    });
    const { lines } = fixedMonthlyCost(template);

    expect(line(lines, 'Route 53 health check (')).toMatchObject({ quantity: 2, monthlyUsd: 2 * 0.5 });
    expect(line(lines, 'Route 53 health check optional feature')).toMatchObject({ quantity: 4, monthlyUsd: 4 * 1 });
  });

  test('ElastiCache nodes are counted per shard, primary and replicas, and said to be missing from the table', () => {
    const template = synthesized((stack) => {
      new elasticache.CfnReplicationGroup(stack, 'Sharded', {
        replicationGroupDescription: 'sharded', cacheNodeType: 'cache.t4g.small', engine: 'valkey', numNodeGroups: 3, replicasPerNodeGroup: 2,
      });
      new elasticache.CfnReplicationGroup(stack, 'Single', {
        replicationGroupDescription: 'single shard', cacheNodeType: 'cache.t4g.micro', engine: 'valkey', numCacheClusters: 2,
      });
      new elasticache.CfnCacheCluster(stack, 'Memcached', { cacheNodeType: 'cache.m7g.large', engine: 'memcached', numCacheNodes: 4 });
    });
    const { lines } = fixedMonthlyCost(template);

    expect(line(lines, 'ElastiCache node cache.t4g.small')?.quantity).toBe(3 * (2 + 1));
    expect(line(lines, 'ElastiCache node cache.t4g.micro')?.quantity).toBe(2);
    expect(line(lines, 'ElastiCache node cache.m7g.large')?.quantity).toBe(4);
    expect(usd(line(lines, 'ElastiCache node')!.monthlyUsd)).toBe('not in the price table');
  });

  test('an Aurora instance is not priced as an RDS instance, nor its cluster storage as allocated storage', () => {
    const template = synthesized((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
      new rds.DatabaseCluster(stack, 'Aurora', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM) }),
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
    });
    const estimate = fixedMonthlyCost(template);

    expect(line(estimate.lines, 'Aurora instance db.t4g.medium')?.quantity).toBe(1);
    expect(usd(line(estimate.lines, 'Aurora instance')!.monthlyUsd)).toBe('not in the price table');
    expect(line(estimate.lines, 'RDS')).toBeUndefined();
    expect(estimate.notCounted).toContain('Amazon Aurora storage and I/O');
  });

  test('a DynamoDB table with provisioned capacity is not priced (no sourced figure), only named', () => {
    const template = synthesized((stack) => new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PROVISIONED,
      readCapacity: 5,
      writeCapacity: 5,
    }));
    const estimate = fixedMonthlyCost(template);

    expect(estimate.lines).toEqual([]);
    expect(estimate.notCounted).toContain('Amazon DynamoDB');
  });
});

describe('resources by type', () => {
  test('resources are counted by type', () => {
    const template = synthesized((stack) => {
      new sns.Topic(stack, 'A');
      new sns.Topic(stack, 'B');
    });
    expect(resourceCountsByType(template)).toEqual([['AWS::SNS::Topic', 2]]);
  });
});
