import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { architectureDiagram } from '../../scripts/mermaid-diagram';
import { PRICES } from '../../scripts/prices';
import { acknowledgements, fixedMonthlyCost, resourceCountsByType, totalUsd, usd } from '../../scripts/stack-report';
// The compiled package: its classes carry the jsii names the diagram groups patterns by.
import { acknowledgeNagFinding } from '../../src/core/nag';
import { newApp, TEST_ENV } from '../support/app';
import { consumerFunction } from '../support/fixtures';
import { AlbAutoScalingGroup, DeploymentStage, HttpApiLambda, MultiAzVpc, RestApiLambda, SnsFanOut } from 'cdk-best-practice-patterns';

// The synth report and the diagrams are what learners read first, so what they say is tested
// against real synthesized stacks, not hand-written templates.

function synthesized(build: (stack: Stack) => void, withEnv = false) {
  const app = newApp();
  app.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, true);
  const stack = new Stack(app, 'Example', withEnv ? { env: TEST_ENV } : {});
  build(stack);
  const assembly = app.synth();
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf8'));
  return { template: read('Example.template.json'), tree: read('tree.json').tree, metadata: read('Example.metadata.json') };
}

describe('fixed monthly cost', () => {
  const webTier = (stage: DeploymentStage) => synthesized((stack) => {
    const vpc = new MultiAzVpc(stack, 'Network', { stage }).vpc;
    new AlbAutoScalingGroup(stack, 'Web', { vpc, stage, allowInsecureHttp: true });
  }, true);
  const line = (lines: ReturnType<typeof fixedMonthlyCost>, prefix: string) => lines.find((l) => l.item.startsWith(prefix));
  const hourly = (perHour: number) => perHour * PRICES.hoursPerMonth;

  test('PROD: a NAT gateway and its address per AZ, the load balancer and its address per AZ, two instances, WAF', () => {
    const cost = fixedMonthlyCost(webTier(DeploymentStage.PROD).template);

    expect(line(cost, 'NAT gateway')).toEqual({ item: 'NAT gateway', quantity: 3, monthlyUsd: 3 * hourly(PRICES.natGatewayHour) });
    expect(line(cost, 'Public IPv4')?.quantity).toBe(3 + 3);
    expect(line(cost, 'Application Load Balancer')?.quantity).toBe(1);
    expect(line(cost, 'EC2 t4g.small')).toMatchObject({ quantity: 2, monthlyUsd: 2 * hourly(PRICES.instanceHour['t4g.small']) });
    expect(line(cost, 'EBS gp3 GB (8 GB per instance)')?.quantity).toBe(16);
    expect(line(cost, 'WAF web ACL')?.quantity).toBe(1);
    expect(line(cost, 'WAF rule')?.quantity).toBeGreaterThan(0);
    expect(line(cost, 'KMS')?.quantity).toBeGreaterThan(0);
    expect(line(cost, 'CloudWatch alarm')?.quantity).toBeGreaterThan(0);
    expect(totalUsd(cost)).toBeCloseTo(cost.reduce((sum, l) => sum + l.monthlyUsd, 0));
  });

  test('DEV: one NAT gateway, one instance, no WAF, and so a lower total', () => {
    const dev = fixedMonthlyCost(webTier(DeploymentStage.DEV).template);
    const prod = fixedMonthlyCost(webTier(DeploymentStage.PROD).template);

    expect(line(dev, 'NAT gateway')?.quantity).toBe(1);
    expect(line(dev, 'EC2 t4g.small')?.quantity).toBe(1);
    expect(line(dev, 'WAF')).toBeUndefined();
    expect(totalUsd(dev)).toBeLessThan(totalUsd(prod));
  });

  test('an instance type missing from the price table is said so, not guessed', () => {
    const { template } = synthesized((stack) => {
      const vpc = new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.DEV }).vpc;
      new AlbAutoScalingGroup(stack, 'Web', { vpc, allowInsecureHttp: true, instanceType: new ec2.InstanceType('x8g.metal-48xl') });
    }, true);
    const instances = line(fixedMonthlyCost(template), 'EC2 x8g.metal-48xl')!;

    expect(usd(instances.monthlyUsd)).toBe('not in the price table');
    expect(usd(totalUsd(fixedMonthlyCost(template)))).toBe('not in the price table');
  });

  test('serverless resources cost nothing at rest but their keys, alarms and the dashboard', () => {
    const { template } = synthesized((stack) => new RestApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') }));
    expect(fixedMonthlyCost(template).map((l) => l.item).sort()).toEqual([
      'CloudWatch alarm metric', 'CloudWatch dashboard (the first 3 of an account are free)', 'KMS customer managed key', 'WAF rule or managed rule group', 'WAF web ACL',
    ]);
  });
});

describe('resources and acknowledgements', () => {
  test('resources are counted by type', () => {
    const { template } = synthesized((stack) => {
      new sns.Topic(stack, 'A');
      new sns.Topic(stack, 'B');
    });
    expect(resourceCountsByType(template)).toEqual([['AWS::SNS::Topic', 2]]);
  });

  test('acknowledgements are read back with their rule, reason and construct', () => {
    const { metadata } = synthesized((stack) => {
      acknowledgeNagFinding(new sns.Topic(stack, 'Topic'), 'AwsSolutions-SNS3', 'This topic exists only to prove the report reads acknowledgements.');
    });
    expect(acknowledgements(metadata)).toContainEqual({
      ruleId: 'AwsSolutions-SNS3',
      reason: 'This topic exists only to prove the report reads acknowledgements.',
      constructPath: 'Example/Topic',
    });
  });
});

/** The diagram's lines, without their indentation: a node or edge is found wherever it is nested. */
const diagramLines = (diagram: string) => diagram.split('\n').map((line) => line.trim());

describe('architecture diagram', () => {
  test('fan-out: topic to filtered queues, queues to dead-letter queues and the consumer, boxes per pattern', () => {
    const { template, tree } = synthesized((stack) => {
      new SnsFanOut(stack, 'Orders', {
        subscribers: [
          { name: 'billing', filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) }, queueOptions: { consumer: consumerFunction(stack, 'Biller') } },
          { name: 'audit' },
        ],
      });
    });
    const diagram = architectureDiagram(template, tree, 'Example');

    expect(diagram).toMatch(/^flowchart LR\n/);
    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'subgraph Example_Orders["Orders: SnsFanOut"]',
      'subgraph Example_Orders_billing_Queue["billing/Queue: QueueWithDeadLetterQueue"]',
      'Example_Orders_Topic -->|"filtered"| Example_Orders_billing_Queue_Queue',
      'Example_Orders_Topic -->|"all messages"| Example_Orders_audit_Queue_Queue',
      'Example_Orders_Topic -.->|"undeliverable"| Example_Orders_billing_SubscriptionDeadLetterQueue',
      'Example_Orders_billing_Queue_Queue -.->|"after 5 receives"| Example_Orders_billing_Queue_DeadLetterQueue',
      'Example_Orders_billing_Queue_Queue --->|"batches"| Example_Biller',
      'Example_Orders_billing_Queue_Queue[("Queue")]',
      'Example_Orders_billing_SubscriptionDeadLetterQueue[("billing subscription DLQ")]',
    ]));
  });

  test('web tier: internet to load balancer to instances, with their subnet tiers, and NAT egress to its own Internet node', () => {
    const { template, tree } = synthesized((stack) => {
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      new AlbAutoScalingGroup(stack, 'Web', { vpc, allowInsecureHttp: true });
    });
    const diagram = architectureDiagram(template, tree, 'Example');

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'internet -->|"HTTP"| Example_Web_LoadBalancer',
      'Example_Web_LoadBalancer -->|"forwards"| Example_Web_AutoScalingGroup_ASG',
      'Example_Web_LoadBalancer["Application Load Balancer, internet-facing, public subnets"]',
      'Example_Web_AutoScalingGroup_ASG["Auto Scaling group, 2-4 instances, private subnets"]',
      'Example_Network_Vpc -->|"private egress"| Example_Network__NAT_gateways',
      'Example_Network__NAT_gateways("2 NAT gateways")',
      'Example_Network_Vpc_IGW -->|"egress"| internet_out',
      // Keys and endpoints nothing links to are one muted node per pattern; its alarms are a node of their own.
      'Example_Network__operations("2 VPC endpoints · 1 KMS key")',
      // The alarms notify the stack's alarm topic.
      'Example_Network__alarms("4 alarms")',
      'Example_Network__alarms -.->|"notify"| Example_PatternOperations_AlarmTopic',
    ]));
  });

  test('safe deploys: the API proxies to the alias, which runs the function, shifted by CodeDeploy; failed async events go to the DLQ', () => {
    const { template, tree } = synthesized((stack) => {
      new HttpApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({});'), stage: DeploymentStage.DEV });
    });
    const diagram = architectureDiagram(template, tree, 'Example');

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'subgraph Example_Api_Function["Function: HardenedFunction"]',
      'Example_Api_Api -->|"proxies"| Example_Api_Function_Alias',
      'Example_Api_Function_Alias("alias live")',
      'Example_Api_Function_Alias -->|"runs version"| Example_Api_Function_Function',
      'Example_Api_Function_Deployment("CodeDeploy, all at once")',
      'Example_Api_Function_Deployment -.->|"shifts"| Example_Api_Function_Alias',
      // The DeadLetterQueue building block is drawn as the queue it is, inside its holder's box.
      'Example_Api_Function_DeadLetterQueue[("DLQ")]',
      'Example_Api_Function_Function -.->|"failed async events"| Example_Api_Function_DeadLetterQueue',
    ]));
    expect(diagram).not.toContain('"sends"');
  });

  test('an unknown stack is an error, not an empty diagram', () => {
    const { template, tree } = synthesized((stack) => new sns.Topic(stack, 'Topic'));
    expect(() => architectureDiagram(template, tree, 'Other')).toThrow(/no stack Other/);
  });
});
