import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  AlbAutoScalingGroup, AuroraDatabase, AuroraDatabaseProps, DeploymentStage, DynamoDbTable, HardenedFunction, InMemoryCache, MultiAzVpc,
  QueueWithDeadLetterQueue, RestApiLambda,
} from '../../src';
import { fixedMonthlyCost, notEstimated, resourceCountsByType, totalUsd, usd } from '../../src/report/cost';
import { CostLine, Template } from '../../src/report/model';
import { PRICES, RegionPrices, US_EAST_1 } from '../../src/report/prices';
import { newApp, TEST_ENV } from '../support/app';

// The cost tables are what users read before they deploy, so what they say is tested against
// real synthesized stacks, not hand-written templates.

function synthesized(build: (stack: Stack) => void, withEnv = false): Template {
  const app = newApp({ treeMetadata: true });
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

  test('ElastiCache nodes are counted per shard, primary and replicas, priced by engine and node type, or said to be missing from the table', () => {
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

    expect(line(lines, 'ElastiCache node cache.t4g.small (Valkey)')).toMatchObject({ quantity: 3 * (2 + 1), monthlyUsd: 9 * hourly(0.0256) });
    expect(line(lines, 'ElastiCache node cache.t4g.micro (Valkey)')).toMatchObject({ quantity: 2, monthlyUsd: 2 * hourly(0.0128) });
    // Memcached's node hours are not in the table: counted, and said to be missing.
    expect(line(lines, 'ElastiCache node cache.m7g.large (Memcached)')?.quantity).toBe(4);
    expect(usd(line(lines, 'ElastiCache node cache.m7g.large')!.monthlyUsd)).toBe('not in the price table');
  });

  test('an InMemoryCache at rest: two Valkey cache.r7g.large nodes in PROD, the 100 MB minimum of ElastiCache Serverless in DEV', () => {
    const cache = (stage: DeploymentStage) => synthesized((stack) => {
      new InMemoryCache(stack, 'Cache', { vpc: new MultiAzVpc(stack, 'Network', { stage }).vpc, stage });
    });
    const prod = fixedMonthlyCost(cache(DeploymentStage.PROD), 'us-east-1');
    const dev = fixedMonthlyCost(cache(DeploymentStage.DEV), 'us-east-1');

    // Node count x the node type's hour x 730: $0.1752 an hour, 20% below Redis OSS's $0.219.
    expect(line(prod.lines, 'ElastiCache node cache.r7g.large (Valkey)')).toMatchObject({ quantity: 2, monthlyUsd: 2 * 0.1752 * 730 });
    expect(usd(line(prod.lines, 'ElastiCache node')!.monthlyUsd)).toBe('$255.79');
    expect(line(prod.lines, 'ElastiCache Serverless')).toBeUndefined();
    // 0.1 GB x $0.084 a GB-hour x 730, whatever the cache holds below it; its ECPUs are usage.
    const serverless = line(dev.lines, 'ElastiCache Serverless (Valkey), its 100 MB minimum of data stored');
    expect(serverless).toMatchObject({ quantity: 1, monthlyUsd: 0.1 * 0.084 * 730 });
    expect(usd(serverless!.monthlyUsd)).toBe('$6.13');
    expect(line(dev.lines, 'ElastiCache node')).toBeUndefined();
    expect(dev.notCounted).toContain('Amazon ElastiCache Serverless');
    // Neither the cache nor its users, user group or subnet group is left unestimated.
    for (const stage of [DeploymentStage.PROD, DeploymentStage.DEV]) {
      expect(notEstimated(cache(stage)).filter((type) => type.startsWith('AWS::ElastiCache::'))).toEqual([]);
    }
  });

  test('ElastiCache Serverless for Redis OSS is billed at least 1 GB at its own rate; a replication group without an engine runs Redis OSS', () => {
    const template = synthesized((stack) => {
      new elasticache.CfnServerlessCache(stack, 'Serverless', { engine: 'redis', serverlessCacheName: 'sessions' });
      new elasticache.CfnReplicationGroup(stack, 'NoEngine', { replicationGroupDescription: 'no engine', cacheNodeType: 'cache.r7g.large', numCacheClusters: 3 });
      new elasticache.CfnReplicationGroup(stack, 'Unlisted', { replicationGroupDescription: 'x', engine: 'valkey', cacheNodeType: 'cache.r6g.large' });
    });
    const { lines } = fixedMonthlyCost(template, 'us-east-1');

    expect(line(lines, 'ElastiCache Serverless (Redis OSS), its 1 GB minimum')).toMatchObject({ quantity: 1, monthlyUsd: 1 * 0.125 * 730 });
    expect(line(lines, 'ElastiCache node cache.r7g.large (Redis OSS)')).toMatchObject({ quantity: 3, monthlyUsd: 3 * 0.219 * 730 });
    // A node type the table does not list is never guessed, not even from another engine's price.
    expect(line(lines, 'ElastiCache node cache.r6g.large (Valkey)')?.quantity).toBe(1);
    expect(usd(line(lines, 'ElastiCache node cache.r6g.large')!.monthlyUsd)).toBe('not in the price table');
  });

  test('every Valkey node type in the table costs 20% less than the same Redis OSS node, and has a Redis OSS price', () => {
    const { valkey, redis } = US_EAST_1.cacheNodeHour;
    expect(Object.keys(valkey).sort()).toEqual(Object.keys(redis).sort());
    for (const [type, price] of Object.entries(valkey)) {
      expect({ type, price }).toEqual({ type, price: expect.closeTo(redis[type] * 0.8, 4) });
    }
    expect(Object.keys(valkey)).toEqual(expect.arrayContaining(['cache.t4g.micro', 'cache.r7g.large']));
  });

  test('an Aurora instance is priced at its class\'s Aurora hour, not as an RDS instance, and its cluster storage not as allocated storage', () => {
    const template = synthesized((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
      new rds.DatabaseCluster(stack, 'Aurora', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM) }),
        // A class the table does not list is said so, not guessed from another's price.
        readers: [rds.ClusterInstance.provisioned('Reader', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R5, ec2.InstanceSize.LARGE) })],
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
    });
    const estimate = fixedMonthlyCost(template);

    expect(line(estimate.lines, 'Aurora instance db.t4g.medium')).toEqual({ item: 'Aurora instance db.t4g.medium', quantity: 1, monthlyUsd: hourly(0.073) });
    expect(line(estimate.lines, 'Aurora instance db.r5.large')?.quantity).toBe(1);
    expect(usd(line(estimate.lines, 'Aurora instance db.r5.large')!.monthlyUsd)).toBe('not in the price table');
    expect(line(estimate.lines, 'RDS')).toBeUndefined();
    expect(estimate.notCounted).toContain('Amazon Aurora storage and I/O');
  });

  test('the instances of an I/O-Optimized Aurora cluster cost more than the table\'s Aurora Standard hours: said so, not priced at them', () => {
    const template = synthesized((stack) => {
      new rds.DatabaseCluster(stack, 'Aurora', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE) }),
        storageType: rds.DBClusterStorageType.AURORA_IOPT1,
        vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }),
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
    });
    const { lines } = fixedMonthlyCost(template, 'us-east-1');

    expect(line(lines, 'Aurora instance db.r7g.large (I/O-Optimized)')?.quantity).toBe(1);
    expect(usd(line(lines, 'Aurora instance')!.monthlyUsd)).toBe('not in the price table');
  });

  test('every Aurora class in the table has its vCPUs, for an RDS Proxy in front of it', () => {
    expect(Object.keys(US_EAST_1.auroraInstanceHour).filter((type) => US_EAST_1.rdsInstanceVcpus[type] === undefined)).toEqual([]);
    expect(Object.keys(US_EAST_1.auroraInstanceHour)).toEqual(expect.arrayContaining([
      'r7g.large', 'r7g.xlarge', 'r7g.2xlarge', 'r6g.large', 'r8g.large', 't4g.medium', 't4g.large', 't3.medium',
    ]));
  });

  describe('an AuroraDatabase at rest', () => {
    const aurora = (props: Omit<AuroraDatabaseProps, 'vpc'> = {}) => synthesized((stack) => {
      new AuroraDatabase(stack, 'Db', { vpc: new MultiAzVpc(stack, 'Network', { stage: props.stage }).vpc, ...props });
    }, true);
    const databaseLines = (lines: CostLine[]) => lines.filter((l) => /^(Aurora|RDS)/.test(l.item));
    const acuMonth = 0.12 * 730;

    test('PROD: the provisioned writer and reader, two db.r7g.large at $0.276 an hour; its storage is usage', () => {
      const template = aurora({ stage: DeploymentStage.PROD });
      const estimate = fixedMonthlyCost(template, 'us-east-1');

      expect(databaseLines(estimate.lines)).toEqual([{ item: 'Aurora instance db.r7g.large', quantity: 2, monthlyUsd: 2 * 0.276 * 730 }]);
      expect(usd(totalUsd(databaseLines(estimate.lines)))).toBe('$402.96');
      // The master password's secret, which RDS keeps for the cluster.
      expect(line(estimate.lines, 'Secrets Manager secret')?.quantity).toBe(1);
      expect(estimate.notCounted).toContain('Amazon Aurora storage and I/O');
      expect(notEstimated(template)).toEqual([]);
    });

    test('DEV: one Serverless v2 instance at 0 ACU, paused when idle, and so $0, said in its name', () => {
      const estimate = fixedMonthlyCost(aurora({ stage: DeploymentStage.DEV }), 'us-east-1');

      expect(databaseLines(estimate.lines)).toEqual([{ item: 'Aurora Serverless v2 instance at 0 ACU (paused when idle)', quantity: 1, monthlyUsd: 0 }]);
      expect(usd(totalUsd(estimate.lines))).not.toBe('not in the price table');
      expect(estimate.notCounted).toContain('Amazon Aurora storage and I/O');
    });

    test('Serverless v2 at a minimum of 0.5 ACU: every instance runs it, at $0.12 an ACU-hour', () => {
      const estimate = fixedMonthlyCost(aurora({ stage: DeploymentStage.DEV, serverless: { minCapacity: 0.5 }, readers: 1 }), 'us-east-1');

      expect(databaseLines(estimate.lines)).toEqual([
        { item: "Aurora Serverless v2 instance at 0.5 ACU (its cluster's minimum)", quantity: 2, monthlyUsd: 2 * 0.5 * acuMonth },
      ]);
      expect(usd(totalUsd(databaseLines(estimate.lines)))).toBe('$87.60');
    });

    test('an RDS Proxy on a provisioned cluster bills the vCPUs of all its instances', () => {
      const estimate = fixedMonthlyCost(aurora({ stage: DeploymentStage.PROD, proxy: true }), 'us-east-1');

      expect(line(estimate.lines, 'RDS Proxy')).toEqual({ item: 'RDS Proxy vCPU (2 x db.r7g.large)', quantity: 2 * 2, monthlyUsd: 4 * 0.015 * 730 });
      expect(line(estimate.lines, 'Aurora instance db.r7g.large')?.quantity).toBe(2);
    });

    test('an RDS Proxy on a Serverless v2 cluster bills its ACUs, at least 8; at 0 ACU it keeps the writer from pausing, whose cost is then not in the table', () => {
      const paused = fixedMonthlyCost(aurora({ stage: DeploymentStage.DEV, proxy: true }), 'us-east-1');
      const large = fixedMonthlyCost(aurora({ stage: DeploymentStage.DEV, proxy: true, serverless: { minCapacity: 4, maxCapacity: 8 }, readers: 2 }), 'us-east-1');

      expect(line(paused.lines, 'RDS Proxy')).toEqual({ item: 'RDS Proxy ACU (Aurora Serverless v2, billed for at least 8)', quantity: 8, monthlyUsd: 8 * 0.015 * 730 });
      expect(line(paused.lines, 'Aurora Serverless v2 instance at 0 ACU')?.item).toBe('Aurora Serverless v2 instance at 0 ACU, kept awake by its RDS Proxy');
      expect(usd(line(paused.lines, 'Aurora Serverless v2')!.monthlyUsd)).toBe('not in the price table');
      // Three instances at 4 ACU: 12, above the minimum.
      expect(line(large.lines, 'RDS Proxy')).toMatchObject({ quantity: 12, monthlyUsd: expect.closeTo(12 * 0.015 * 730, 6) });
      expect(line(large.lines, 'Aurora Serverless v2')).toMatchObject({ quantity: 3, monthlyUsd: expect.closeTo(3 * 4 * acuMonth, 6) });
      expect(line(large.lines, 'RDS Proxy vCPU')).toBeUndefined();
    });
  });

  test('an on-demand DynamoDbTable costs at rest only its key and its alarms: its storage and point-in-time recovery are billed per GB stored, so it is named, not priced', () => {
    const template = synthesized((stack) => new DynamoDbTable(stack, 'Notes', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    }), true);
    const estimate = fixedMonthlyCost(template, 'us-east-1');

    expect(Object.values(template.Resources!).map((r) => r.Type)).toContain('AWS::DynamoDB::GlobalTable');
    // The table's key and the stack's alarm topic's key; the table's alarms, 17 metrics: read and
    // write throttles, 5 latency alarms, and the system errors of 10 operations in one metric-math
    // alarm, billed per metric; the stack's dashboard, which comes with any pattern.
    expect(estimate.lines.map((l) => [l.item, l.quantity])).toEqual([
      ['KMS customer managed key', 2],
      ['CloudWatch alarm metric', 17],
      ['CloudWatch dashboard (the first 3 of an account are free)', 1],
    ]);
    expect(estimate.notCounted).toContain('Amazon DynamoDB');
    expect(notEstimated(template)).toEqual([]);
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

describe('always-on resources the estimate once left out', () => {
  const publicVpc = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
  });

  test('standalone instances, by type, and their EBS volumes, by volume type; a missing type is said so', () => {
    const template = synthesized((stack) => {
      const vpc = publicVpc(stack);
      const machineImage = ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 });
      for (const id of ['A', 'B']) {
        new ec2.Instance(stack, id, {
          vpc,
          machineImage,
          instanceType: new ec2.InstanceType('t4g.micro'),
          blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
        });
      }
      new ec2.Instance(stack, 'Gp2', {
        vpc,
        machineImage,
        instanceType: new ec2.InstanceType('t4g.small'),
        blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { volumeType: ec2.EbsDeviceVolumeType.GP2 }) }],
      });
      new ec2.CfnInstance(stack, 'Untyped', { imageId: 'ami-12345678' });
    });
    const { lines } = fixedMonthlyCost(template, 'us-east-1');

    expect(line(lines, 'EC2 t4g.micro, instance outside a group')).toEqual({
      item: 'EC2 t4g.micro, instance outside a group', quantity: 2, monthlyUsd: 2 * hourly(US_EAST_1.instanceHour['t4g.micro']),
    });
    expect(line(lines, 'EC2 t4g.small')?.quantity).toBe(1);
    expect(line(lines, 'EBS gp3 GB of instances outside a group')).toMatchObject({ quantity: 40, monthlyUsd: 40 * US_EAST_1.gp3GbMonth });
    expect(usd(line(lines, 'EBS gp2 GB')!.monthlyUsd)).toBe('not in the price table');
    expect(usd(line(lines, 'EC2 unknown, instance outside a group')!.monthlyUsd)).toBe('not in the price table');
    expect(notEstimated(template)).toEqual([]);
  });

  test('Network and Gateway Load Balancers are counted, said to be missing from the table, and an internet-facing NLB has public addresses', () => {
    const template = synthesized((stack) => {
      const vpc = publicVpc(stack);
      new elbv2.NetworkLoadBalancer(stack, 'Public', { vpc, internetFacing: true });
      new elbv2.NetworkLoadBalancer(stack, 'Internal', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
      new elbv2.CfnLoadBalancer(stack, 'Appliances', { type: 'gateway', subnets: vpc.publicSubnets.map((s) => s.subnetId) });
    });
    const { lines } = fixedMonthlyCost(template, 'us-east-1');

    expect(line(lines, 'Network Load Balancer')?.quantity).toBe(2);
    expect(usd(line(lines, 'Network Load Balancer')!.monthlyUsd)).toBe('not in the price table');
    expect(line(lines, 'Gateway Load Balancer')?.quantity).toBe(1);
    expect(usd(line(lines, 'Gateway Load Balancer')!.monthlyUsd)).toBe('not in the price table');
    expect(line(lines, 'Application Load Balancer')).toBeUndefined();
    // The internet-facing NLB's two subnets; the internal one and the GWLB have no public address.
    expect(line(lines, 'Public IPv4 address')).toMatchObject({ quantity: 2, monthlyUsd: 2 * hourly(US_EAST_1.publicIpv4Hour) });
  });

  describe('Fargate services without a launch type', () => {
    const fargateApp = (service: (stack: Stack, cluster: ecs.Cluster, task: ecs.FargateTaskDefinition) => void) => synthesized((stack) => {
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: publicVpc(stack), enableFargateCapacityProviders: true });
      const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
      task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
      service(stack, cluster, task);
    });
    const fargateService = (stack: Stack, cluster: ecs.Cluster, taskDefinition: ecs.FargateTaskDefinition, props: Partial<ecs.FargateServiceProps>) =>
      new ecs.FargateService(stack, 'Service', {
        cluster,
        taskDefinition,
        assignPublicIp: true,
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        circuitBreaker: { rollback: true },
        minHealthyPercent: 100,
        ...props,
      });
    const taskHour = 0.5 * US_EAST_1.fargateVcpuHour.X86_64 + 1 * US_EAST_1.fargateGbHour.X86_64;

    test('on the FARGATE capacity provider, priced as Fargate', () => {
      const template = fargateApp((stack, cluster, task) => fargateService(stack, cluster, task, {
        desiredCount: 2, capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1 }],
      }));
      expect(JSON.stringify(template)).not.toContain('LaunchType');

      expect(line(fixedMonthlyCost(template, 'us-east-1').lines, 'Fargate task')).toEqual({
        item: "Fargate task, 0.5 vCPU / 1 GB X86_64, the service's minimum", quantity: 2, monthlyUsd: 2 * hourly(taskHour),
      });
    });

    test("FARGATE_SPOT's share, by base and weight, is said to be missing from the table, not priced as Fargate", () => {
      const template = fargateApp((stack, cluster, task) => fargateService(stack, cluster, task, {
        desiredCount: 5,
        capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }],
      }));
      const { lines } = fixedMonthlyCost(template, 'us-east-1');

      // The base task on FARGATE, then the other 4 at 1:3.
      expect(line(lines, 'Fargate task')).toMatchObject({ quantity: 2, monthlyUsd: 2 * hourly(taskHour) });
      expect(line(lines, 'Fargate Spot task')?.quantity).toBe(3);
      expect(usd(line(lines, 'Fargate Spot task')!.monthlyUsd)).toBe('not in the price table');
    });

    test('with neither a launch type nor a strategy, a task definition for Fargate only makes a Fargate service', () => {
      const template = fargateApp((stack, cluster, task) => new ecs.CfnService(stack, 'Service', {
        cluster: cluster.clusterName,
        taskDefinition: task.taskDefinitionArn,
        desiredCount: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: cluster.vpc.publicSubnets.map((s) => s.subnetId), assignPublicIp: 'ENABLED' } },
      }));

      expect(line(fixedMonthlyCost(template, 'us-east-1').lines, 'Fargate task')).toMatchObject({ quantity: 1, monthlyUsd: hourly(taskHour) });
    });

    test('a service on EC2 capacity is not priced as Fargate', () => {
      const template = synthesized((stack) => {
        const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: publicVpc(stack) });
        const task = new ecs.Ec2TaskDefinition(stack, 'Task');
        task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), memoryLimitMiB: 512 });
        new ecs.CfnService(stack, 'Service', { cluster: cluster.clusterName, taskDefinition: task.taskDefinitionArn, desiredCount: 1 });
      });

      expect(line(fixedMonthlyCost(template, 'us-east-1').lines, 'Fargate')).toBeUndefined();
    });
  });
});

describe('resource types not estimated', () => {
  test('a Redshift cluster is neither priced nor named, and so is listed', () => {
    const template = synthesized((stack) => {
      new redshift.CfnCluster(stack, 'Warehouse', {
        clusterType: 'single-node', nodeType: 'ra3.large', dbName: 'dev', masterUsername: 'admin', manageMasterPassword: true,
      });
      new sns.Topic(stack, 'Topic');
    });

    expect(notEstimated(template)).toEqual(['AWS::Redshift::Cluster']);
  });

  test('a serverless stack, a function and its queue with their keys, alarms and logs, has nothing left out', () => {
    const template = synthesized((stack) => new QueueWithDeadLetterQueue(stack, 'Jobs', {
      consumer: new HardenedFunction(stack, 'Worker', { code: INLINE_CODE }),
    }));

    expect(notEstimated(template)).toEqual([]);
  });

  test('a type that usually costs nothing is listed when set up to cost: an advanced SSM parameter', () => {
    const template = synthesized((stack) => {
      new ssm.StringParameter(stack, 'Standard', { stringValue: 'a' });
      new ssm.StringParameter(stack, 'Advanced', { stringValue: 'b', tier: ssm.ParameterTier.ADVANCED });
    });

    expect(notEstimated(template)).toEqual(['AWS::SSM::Parameter']);
  });

  test('the list is sorted, each type once', () => {
    const template = synthesized((stack) => {
      new redshift.CfnCluster(stack, 'B', { clusterType: 'single-node', nodeType: 'ra3.large', dbName: 'dev', masterUsername: 'admin', manageMasterPassword: true });
      new redshift.CfnCluster(stack, 'A', { clusterType: 'single-node', nodeType: 'ra3.large', dbName: 'dev', masterUsername: 'admin', manageMasterPassword: true });
      new ec2.CfnVolume(stack, 'Volume', { availabilityZone: 'us-east-1a', size: 10 });
    });

    expect(notEstimated(template)).toEqual(['AWS::EC2::Volume', 'AWS::Redshift::Cluster']);
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
