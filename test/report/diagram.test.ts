import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { readAssembly } from '../../src/report/assembly';
import { architectureDiagram } from '../../src/report/diagram';
import { Assembly } from '../../src/report/model';
import { newApp, TEST_ENV } from '../support/app';
import { consumerFunction } from '../support/fixtures';
// The compiled package: its classes carry the jsii names the diagram groups patterns by.
import { AlbAutoScalingGroup, DeploymentStage, DynamoDbTable, HttpApiLambda, InMemoryCache, MultiAzVpc, SnsFanOut } from 'cdk-best-practice-patterns';

// The diagram is drawn from a cloud assembly on disk, as users run it after `cdk synth`, so each
// test synthesizes a real app and reads its assembly back.

/** Synthesizes an app with path metadata, as the CLI does, and reads its cloud assembly. */
function synthesized(build: (app: App) => void): Assembly {
  const app = newApp({ treeMetadata: true });
  app.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, true);
  build(app);
  return readAssembly(app.synth().directory);
}

/** The diagram of a stack `Example`, the only one of its app. */
function diagramOf(build: (stack: Stack) => void): string {
  const assembly = synthesized((app) => build(new Stack(app, 'Example')));
  return architectureDiagram(assembly.stacks[0], assembly.tree);
}

/** The diagram's lines, without their indentation: a node or edge is found wherever it is nested. */
const diagramLines = (diagram: string) => diagram.split('\n').map((line) => line.trim());

/** The lines that draw a node: neither an edge nor a keyword of the flowchart. */
const nodeLines = (diagram: string) => diagramLines(diagram)
  .filter((line) => line && !/-->|-\.->/.test(line) && !/^(flowchart|subgraph|end$|classDef|class )/.test(line));

/** A function in a VPC's private subnets, with a security group of its own. */
function vpcFunction(stack: Stack, id: string, vpc: ec2.IVpc): lambda.Function {
  return new lambda.Function(stack, id, { vpc, runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({});') });
}

/** A plain two-AZ VPC with one NAT gateway, for the tests that place resources in subnets. */
const smallVpc = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

/** An Aurora PostgreSQL 16.4 cluster with a provisioned writer and the readers named. */
function auroraCluster(stack: Stack, vpc: ec2.IVpc, readers: string[] = []): rds.DatabaseCluster {
  return new rds.DatabaseCluster(stack, 'Db', {
    vpc,
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.provisioned('Writer'),
    ...(readers.length ? { readers: readers.map((id) => rds.ClusterInstance.provisioned(id)) } : {}),
  });
}

/** A table with only its key, as the plain-construct tests need one. */
const plainTable = (stack: Stack, id: string) => new dynamodb.TableV2(stack, id, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });

/** The lines inside a subgraph, found by its id, down to its `end`, nested subgraphs included. */
function subgraphLines(diagram: string, id: string): string[] {
  const lines = diagram.split('\n');
  const start = lines.findIndex((line) => line.trim().startsWith(`subgraph ${id}[`));
  if (start < 0) return [];
  const indent = lines[start].indexOf('subgraph');
  const end = lines.findIndex((line, i) => i > start && line === `${' '.repeat(indent)}end`);
  return lines.slice(start + 1, end).map((line) => line.trim());
}

describe('architecture diagram', () => {
  test('fan-out: topic to filtered queues, queues to dead-letter queues and the consumer, boxes per pattern', () => {
    const diagram = diagramOf((stack) => {
      new SnsFanOut(stack, 'Orders', {
        subscribers: [
          { name: 'billing', filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) }, queueOptions: { consumer: consumerFunction(stack, 'Biller') } },
          { name: 'audit' },
        ],
      });
    });

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
    const diagram = diagramOf((stack) => {
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      new AlbAutoScalingGroup(stack, 'Web', { vpc, allowInsecureHttp: true });
    });

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
    const diagram = diagramOf((stack) => {
      new HttpApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({});'), stage: DeploymentStage.DEV });
    });

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

  test('a stack the tree has no node for (a subtree moved out of tree.json): drawn as without a tree, its boxes left out', () => {
    const assembly = synthesized((app) => {
      const stack = new Stack(app, 'Example');
      new SnsFanOut(stack, 'Orders', { subscribers: [{ name: 'audit' }] });
      new dynamodb.TableV2(new NestedStack(stack, 'Tables'), 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    });
    // aws-cdk-lib moves large subtrees into files of their own, and other tools' assemblies may lack nodes.
    const treeFile = path.join(assembly.directory, 'tree.json');
    const tree = JSON.parse(fs.readFileSync(treeFile, 'utf8'));
    delete tree.tree.children.Example;
    fs.writeFileSync(treeFile, JSON.stringify(tree));
    const withoutNode = readAssembly(assembly.directory);
    expect(withoutNode.tree).toBeDefined();
    const diagram = architectureDiagram(withoutNode.stacks[0], withoutNode.tree);

    expectDrawnWithoutPatternBoxes(diagram);
  });

  test('an app of plain aws-cdk-lib constructs: its resources by type, the queue batched to the function, and no plumbing', () => {
    const diagram = diagramOf((stack) => {
      const table = new dynamodb.TableV2(stack, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      const queue = new sqs.Queue(stack, 'Jobs');
      const worker = consumerFunction(stack, 'Worker');
      worker.addEventSource(new SqsEventSource(queue));
      table.grantReadWriteData(worker);
      // A type the diagram has no words for is drawn under its type's name.
      new ecr.Repository(stack, 'Images');
    });

    // Exactly these nodes: no roles, policies, event source mapping or CDK metadata, and no
    // boxes, as none of the constructs is one of this library's patterns. The function's log group
    // is counted, in the stack's muted node.
    expect(nodeLines(diagram).sort()).toEqual([
      'Example_Images["ECR Repository Images"]',
      'Example_Jobs[("SQS queue Jobs")]',
      'Example_Orders[("DynamoDB table Orders")]',
      'Example_Worker["Lambda Worker"]',
      'Example__operations("1 log group")',
    ]);
    expect(diagram).not.toContain('subgraph');
    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Jobs --->|"batches"| Example_Worker',
      'Example_Worker -->|"reads and writes"| Example_Orders',
    ]));
  });

  test('a plain database: its subnet tier and protocol are read from the template, not assumed as the patterns set them', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const database = new rds.DatabaseInstance(stack, 'Db', { vpc, engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }) });
      const client = new lambda.Function(stack, 'Client', {
        vpc,
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({});'),
      });
      database.connections.allowDefaultPortFrom(client);
    });

    // aws-cdk-lib puts a database in the private subnets and gives it no parameter group: the
    // default one of RDS for PostgreSQL 15 and later forces TLS (rds.force_ssl is 1).
    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Db[("RDS postgres 16.4, db.m5.large, single-AZ, private subnets")]',
      'Example_Client["Lambda Client, private subnets"]',
      'Example_Client -->|"SQL over TLS"| Example_Db',
    ]));
  });

  test('labels leave out what the template leaves out or sets by a token, rather than print undefined or [object Object]', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      // No EngineVersion in the template: RDS picks the engine's default version.
      new rds.DatabaseInstance(stack, 'Db', { vpc, engine: rds.DatabaseInstanceEngine.POSTGRES });
      const group = (id: string, minCapacity: number, maxCapacity: number) => new autoscaling.AutoScalingGroup(stack, id, {
        vpc,
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        minCapacity,
        maxCapacity,
      });
      const number = (id: string) => new CfnParameter(stack, id, { type: 'Number', default: 1 }).valueAsNumber;
      group('Sized', number('MinSize'), number('MaxSize'));
      group('AtLeast', 2, number('AtMost'));
      new events.Rule(stack, 'Nightly', {
        schedule: events.Schedule.expression(new CfnParameter(stack, 'Schedule', { default: 'rate(1 day)' }).valueAsString),
        targets: [],
      });
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Db[("RDS postgres, db.m5.large, single-AZ, private subnets")]',
      'Example_Sized_ASG["Auto Scaling group, private subnets"]',
      'Example_AtLeast_ASG["Auto Scaling group, at least 2 instances, private subnets"]',
      'Example_Nightly("EventBridge rule")',
    ]));
    expect(diagram).not.toMatch(/undefined|\[object Object\]/);
  });

  test('RDS for PostgreSQL forces TLS from version 15, unless its parameter group turns rds.force_ssl off', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const client = vpcFunction(stack, 'Client', vpc);
      const postgres = (version: rds.PostgresEngineVersion) => rds.DatabaseInstanceEngine.postgres({ version });
      // Before 15, the default parameter group leaves rds.force_ssl off.
      new rds.DatabaseInstance(stack, 'Old', { vpc, engine: postgres(rds.PostgresEngineVersion.VER_14_17) }).connections.allowDefaultPortFrom(client);
      new rds.DatabaseInstance(stack, 'Off', {
        vpc,
        engine: postgres(rds.PostgresEngineVersion.VER_16_4),
        parameters: { 'rds.force_ssl': '0' },
      }).connections.allowDefaultPortFrom(client);
      // A parameter group of its own that leaves rds.force_ssl alone keeps the family's default.
      new rds.DatabaseInstance(stack, 'Tuned', {
        vpc,
        engine: postgres(rds.PostgresEngineVersion.VER_17_4),
        parameters: { log_min_duration_statement: '1000' },
      }).connections.allowDefaultPortFrom(client);
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Client -->|"SQL"| Example_Old',
      'Example_Client -->|"SQL"| Example_Off',
      'Example_Client -->|"SQL over TLS"| Example_Tuned',
    ]));
  });

  test('a stack in a stage is found by its construct path, its boxes and nodes named by it', () => {
    const assembly = synthesized((app) => {
      const stack = new Stack(new Stage(app, 'Prod'), 'Api');
      new SnsFanOut(stack, 'Orders', { subscribers: [{ name: 'audit' }] });
    });
    const stack = assembly.stacks.find((s) => s.path === 'Prod/Api')!;
    const diagram = architectureDiagram(stack, assembly.tree);

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'subgraph Prod_Api_Orders["Orders: SnsFanOut"]',
      'subgraph Prod_Api_Orders_audit_Queue["audit/Queue: QueueWithDeadLetterQueue"]',
      'Prod_Api_Orders_Topic -->|"all messages"| Prod_Api_Orders_audit_Queue_Queue',
    ]));
  });

  test('a nested stack is a box of its own, with its resources, its pattern boxes and its edges inside', () => {
    const diagram = diagramOf((stack) => {
      new sns.Topic(stack, 'Notices');
      const tables = new NestedStack(stack, 'Tables');
      new dynamodb.TableV2(tables, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      new SnsFanOut(tables, 'Events', { subscribers: [{ name: 'audit' }] });
    });
    const nested = subgraphLines(diagram, 'Example_Tables');

    expect(diagramLines(diagram)).toContain('subgraph Example_Tables["Tables: nested stack"]');
    expect(nested).toEqual(expect.arrayContaining([
      'Example_Tables_Orders[("DynamoDB table Orders")]',
      'subgraph Example_Tables_Events["Events: SnsFanOut"]',
      'Example_Tables_Events_Topic(["SNS topic"])',
    ]));
    expect(subgraphLines(diagram, 'Example_Tables_Events')).toContain('Example_Tables_Events_Topic(["SNS topic"])');
    // The parent's own resources stay outside, and the nested stack's resource is the box, not a node.
    expect(diagramLines(diagram)).toContain('Example_Notices(["SNS topic"])');
    expect(nested).not.toContain('Example_Notices(["SNS topic"])');
    expect(diagram).not.toContain('CloudFormation');
    expect(diagramLines(diagram)).toContain('Example_Tables_Events_Topic -->|"all messages"| Example_Tables_Events_audit_Queue_Queue');
  });

  test('without tree.json: no pattern boxes, but every resource, its edges and the nested stacks\' boxes', () => {
    const assembly = synthesized((app) => {
      const stack = new Stack(app, 'Example');
      new SnsFanOut(stack, 'Orders', { subscribers: [{ name: 'audit' }] });
      new dynamodb.TableV2(new NestedStack(stack, 'Tables'), 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    });
    fs.rmSync(path.join(assembly.directory, 'tree.json'));
    const withoutTree = readAssembly(assembly.directory);
    expect(withoutTree.tree).toBeUndefined();
    const diagram = architectureDiagram(withoutTree.stacks[0], withoutTree.tree);

    expectDrawnWithoutPatternBoxes(diagram);
  });

  test('AppSync: clients call the GraphQL API, which resolves from its DynamoDB data source', () => {
    const diagram = diagramOf((stack) => {
      // An inline schema, nothing to read from disk; the API it is bound to is the GraphqlApi below.
      const schema: appsync.ISchema = { bind: (api) => ({ apiId: (api as appsync.IGraphqlApi).apiId, definition: 'type Query { order(id: ID!): String }' }) };
      const api = new appsync.GraphqlApi(stack, 'Api', { name: 'orders', definition: appsync.Definition.fromSchema(schema) });
      api.addDynamoDbDataSource('OrdersSource', plainTable(stack, 'Orders'));
    });

    // The data source, its role and the schema are the API's parts, not nodes.
    expect(nodeLines(diagram).sort()).toEqual([
      'Example_Api(["AppSync GraphQL API"])',
      'Example_Orders[("DynamoDB table Orders")]',
      'clients((Clients)):::external',
    ]);
    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'clients -->|"HTTPS"| Example_Api',
      'Example_Api -->|"resolves"| Example_Orders',
    ]));
  });

  test('AWS Backup: the plan stores in its vault and backs up the selected table', () => {
    const diagram = diagramOf((stack) => {
      const vault = new backup.BackupVault(stack, 'Vault');
      const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan', vault);
      plan.addSelection('Tables', { resources: [backup.BackupResource.fromDynamoDbTable(plainTable(stack, 'Orders'))] });
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Plan("AWS Backup plan")',
      'Example_Vault[("AWS Backup vault")]',
      'Example_Plan -.->|"stores in"| Example_Vault',
      'Example_Plan -.->|"backs up"| Example_Orders',
    ]));
  });

  test('a Serverless v2 cluster says its capacity, and its instances that they are Serverless v2', () => {
    const diagram = diagramOf((stack) => {
      new rds.DatabaseCluster(stack, 'Db', {
        vpc: smallVpc(stack),
        engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_10_3 }),
        writer: rds.ClusterInstance.serverlessV2('Writer'),
        serverlessV2MinCapacity: 0.5,
        serverlessV2MaxCapacity: 8,
      });
    });
    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Db[("Aurora MySQL 8.0.mysql_aurora.3.10.3, Serverless v2 0.5-8 ACU, private subnets")]',
      'Example_Db_Writer[("Aurora instance, Serverless v2, failover tier 0")]',
    ]));
  });

  test('an Aurora cluster runs on its writer and reader, its proxy pools connections, and the clients its groups admit connect', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const cluster = auroraCluster(stack, vpc, ['Reader']);
      const proxy = cluster.addProxy('Proxy', { vpc, secrets: [cluster.secret!] });
      cluster.connections.allowDefaultPortFrom(vpcFunction(stack, 'Client', vpc));
      proxy.connections.allowFrom(vpcFunction(stack, 'ProxyClient', vpc), ec2.Port.tcp(5432));
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Db[("Aurora PostgreSQL 16.4, private subnets")]',
      // Tier 0 is the writer Aurora starts on; aws-cdk-lib puts readers in tier 2 by default.
      'Example_Db_Writer[("Aurora instance, db.t3.medium, failover tier 0")]',
      'Example_Db_Reader[("Aurora instance, db.t3.medium, failover tier 2")]',
      'Example_Db -.->|"runs on"| Example_Db_Writer',
      'Example_Db -.->|"runs on"| Example_Db_Reader',
      'Example_Db_Proxy -->|"pools connections"| Example_Db',
      // aws-cdk-lib's proxy requires TLS by default, and IAM authentication only when asked.
      'Example_Db_Proxy("RDS Proxy, TLS")',
      // The cluster's default parameter group forces nothing; the proxy requires TLS by default.
      'Example_Client -->|"SQL"| Example_Db',
      'Example_ProxyClient -->|"SQL over TLS"| Example_Db_Proxy',
    ]));
  });

  test('an RDS Proxy says what it requires: TLS, IAM authentication, both or neither', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const cluster = auroraCluster(stack, vpc);
      cluster.addProxy('Both', { vpc, secrets: [cluster.secret!], iamAuth: true });
      cluster.addProxy('Neither', { vpc, secrets: [cluster.secret!], requireTLS: false });
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Db_Both("RDS Proxy, TLS and IAM")',
      'Example_Db_Neither("RDS Proxy")',
    ]));
  });

  test('ElastiCache: a function its security group admits connects to the replication group', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const group = new ec2.SecurityGroup(stack, 'CacheGroup', { vpc });
      const subnets = new elasticache.CfnSubnetGroup(stack, 'CacheSubnets', { description: 'cache', subnetIds: vpc.privateSubnets.map((s) => s.subnetId) });
      new elasticache.CfnReplicationGroup(stack, 'Cache', {
        replicationGroupDescription: 'cache',
        engine: 'valkey',
        cacheNodeType: 'cache.t4g.micro',
        numCacheClusters: 2,
        multiAzEnabled: true,
        automaticFailoverEnabled: true,
        transitEncryptionEnabled: true,
        cacheSubnetGroupName: subnets.ref,
        securityGroupIds: [group.securityGroupId],
      });
      group.connections.allowFrom(vpcFunction(stack, 'Client', vpc), ec2.Port.tcp(6379));
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Cache[("ElastiCache Valkey, 2 nodes cache.t4g.micro, Multi-AZ, private subnets")]',
      'Example_Client -->|"Valkey over TLS"| Example_Cache',
    ]));
  });

  test('ElastiCache: an InMemoryCache is labelled by its engine in words and its nodes, its IAM clients connect over TLS, its users are not drawn', () => {
    const cacheWithClient = (stage: DeploymentStage) => diagramOf((stack) => {
      const vpc = new MultiAzVpc(stack, 'Network', { stage }).vpc;
      const cache = new InMemoryCache(stack, 'Cache', { vpc, stage });
      const client = vpcFunction(stack, 'Client', vpc);
      cache.allowConnectionsFrom(client);
      cache.grantConnect(client);
    });
    const prod = cacheWithClient(DeploymentStage.PROD);
    const dev = cacheWithClient(DeploymentStage.DEV);

    expect(diagramLines(prod)).toEqual(expect.arrayContaining([
      'Example_Cache_ReplicationGroup[("ElastiCache Valkey, 2 nodes cache.r7g.large, Multi-AZ, isolated subnets")]',
      'Example_Client -->|"Valkey over TLS, IAM auth"| Example_Cache_ReplicationGroup',
    ]));
    expect(diagramLines(dev)).toEqual(expect.arrayContaining([
      'Example_Cache_ServerlessCache[("ElastiCache Serverless (Valkey), isolated subnets")]',
      // Two rules (the port and the reader's port), one edge.
      'Example_Client -->|"Valkey over TLS, IAM auth"| Example_Cache_ServerlessCache',
    ]));
    for (const diagram of [prod, dev]) {
      expect(diagram).not.toMatch(/ElastiCache User|UserGroup|ApplicationUser/);
      expect(diagramLines(diagram).filter((line) => line.startsWith('Example_Client -->'))).toHaveLength(1);
    }
  });

  test('ElastiCache: a group without an engine runs Redis OSS; TLS only where it is required; a cluster by its node count', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const groups = ['Plain', 'Preferred', 'Memcached'].map((id) => new ec2.SecurityGroup(stack, `${id}Group`, { vpc }));
      new elasticache.CfnReplicationGroup(stack, 'Plain', {
        replicationGroupDescription: 'no engine, no TLS',
        cacheNodeType: 'cache.m7g.large',
        numNodeGroups: 3,
        replicasPerNodeGroup: 1,
        securityGroupIds: [groups[0].securityGroupId],
      });
      new elasticache.CfnReplicationGroup(stack, 'Preferred', {
        replicationGroupDescription: 'TLS preferred',
        engine: 'redis',
        cacheNodeType: 'cache.t4g.small',
        numCacheClusters: 1,
        transitEncryptionEnabled: true,
        transitEncryptionMode: 'preferred',
        securityGroupIds: [groups[1].securityGroupId],
      });
      new elasticache.CfnCacheCluster(stack, 'Memcached', {
        engine: 'memcached', cacheNodeType: 'cache.t4g.micro', numCacheNodes: 3, vpcSecurityGroupIds: [groups[2].securityGroupId],
      });
      const client = vpcFunction(stack, 'Client', vpc);
      groups.forEach((group) => group.connections.allowFrom(client, ec2.Port.tcp(6379)));
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Plain[("ElastiCache Redis OSS, 6 nodes cache.m7g.large")]',
      'Example_Preferred[("ElastiCache Redis OSS, 1 node cache.t4g.small")]',
      'Example_Memcached[("ElastiCache Memcached, 3 nodes cache.t4g.micro")]',
      'Example_Client -->|"Redis OSS"| Example_Plain',
      'Example_Client -->|"Redis OSS"| Example_Preferred',
      'Example_Client -->|"Memcached"| Example_Memcached',
    ]));
  });

  test('a network load balancer and a WebSocket API are drawn as what they are', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, internetFacing: true });
      nlb.addListener('Tcp', { port: 443, defaultTargetGroups: [new elbv2.NetworkTargetGroup(stack, 'Targets', { vpc, port: 443, targetType: elbv2.TargetType.IP })] });
      new apigwv2.WebSocketApi(stack, 'Socket');
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Nlb["Network Load Balancer, internet-facing, public subnets"]',
      // The listener's protocol, not the HTTP an application load balancer's would say.
      'internet -->|"TCP"| Example_Nlb',
      'Example_Socket(["API Gateway WebSocket API"])',
      // Its clients speak WebSocket over TLS, not HTTPS.
      'clients -->|"WSS"| Example_Socket',
    ]));
  });

  test('an internet-facing load balancer without listeners: an edge from the internet that names no protocol', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    });

    expect(diagramLines(diagram)).toContain('internet --> Example_Alb');
    expect(diagram).not.toContain('"HTTP"');
  });

  test('Route 53: an alias record in a public zone points at the load balancer it aliases', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
      const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
      new route53.ARecord(stack, 'Www', { zone, recordName: 'www', target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(alb)) });
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Zone("Route 53 hosted zone example.com")',
      // Records are counted; linked, the count is a node of its own rather than in the muted one.
      'Example__DNS_alias_records("1 DNS alias record")',
      'Example__DNS_alias_records -.->|"alias"| Example_Alb',
    ]));
  });

  test('Route 53: records that are not aliases are counted as DNS records, not as alias records', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
      const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
      new route53.ARecord(stack, 'Www', { zone, recordName: 'www', target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(alb)) });
      new route53.CnameRecord(stack, 'Docs', { zone, recordName: 'docs', domainName: 'docs.example.org' });
      new route53.TxtRecord(stack, 'Verify', { zone, values: ['verification=123'] });
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example__DNS_alias_records("1 DNS alias record")',
      'Example__DNS_alias_records -.->|"alias"| Example_Alb',
      // Linked to nothing, the other records are counted in the stack's muted node.
      'Example__operations("2 DNS records")',
    ]));
  });

  test('grants that are flows: putting events on a bus, starting a workflow, putting records on a stream', () => {
    const diagram = diagramOf((stack) => {
      const producer = consumerFunction(stack, 'Producer');
      new events.EventBus(stack, 'Bus').grantPutEventsTo(producer);
      new sfn.StateMachine(stack, 'Flow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')) }).grantStartExecution(producer);
      new kinesis.Stream(stack, 'Clicks').grantWrite(producer);
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Producer -->|"puts events"| Example_Bus',
      'Example_Producer -->|"starts"| Example_Flow',
      'Example_Producer -->|"puts records"| Example_Clicks',
    ]));
    // The rest of what it was granted (describing the stream, listing its shards) draws no edge.
    expect(diagramLines(diagram).filter((line) => line.startsWith('Example_Producer -->'))).toHaveLength(3);
  });

  test('ECS: a cluster says Container Insights only when it is on, and a service on Fargate capacity providers runs on Fargate', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      new ecs.Cluster(stack, 'Insightful', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
      const cluster = new ecs.Cluster(stack, 'Plain', { vpc, containerInsightsV2: ecs.ContainerInsights.DISABLED, enableFargateCapacityProviders: true });
      const task = new ecs.FargateTaskDefinition(stack, 'Task');
      task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
      // With capacity provider strategies the service has no launch type.
      new ecs.FargateService(stack, 'Spot', {
        cluster,
        taskDefinition: task,
        minHealthyPercent: 100,
        circuitBreaker: { rollback: false },
        capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 2 }, { capacityProvider: 'FARGATE', weight: 1 }],
      });
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Insightful("ECS cluster, Container Insights")',
      'Example_Plain("ECS cluster")',
      'Example_Spot_Service["ECS service on Fargate, private subnets"]',
    ]));
  });

  test('a grant to a task role is drawn from the container service that runs the task', () => {
    const diagram = diagramOf((stack) => {
      const vpc = smallVpc(stack);
      const task = new ecs.FargateTaskDefinition(stack, 'Task');
      task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
      new ecs.FargateService(stack, 'Service', { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }), taskDefinition: task, minHealthyPercent: 100, circuitBreaker: { rollback: true } });
      plainTable(stack, 'Orders').grantReadWriteData(task.taskRole);
    });

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'Example_Service_Service["ECS service on Fargate, private subnets, rolls back failed deployments"]',
      'Example_Service_Service -->|"reads and writes"| Example_Orders',
    ]));
  });

  test('a DynamoDbTable: its box names the pattern, its table is a plain "DynamoDB table", and the function it granted reads and writes it', () => {
    const assembly = synthesized((app) => {
      // In a stack with a region, as in the serverless-api example.
      const stack = new Stack(app, 'Example', { env: TEST_ENV });
      const notes = new DynamoDbTable(stack, 'Notes', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      notes.grantReadWriteData(consumerFunction(stack, 'Api'));
      // A plain table whose name ends in "Table" is not called "DynamoDB table OrdersTable".
      plainTable(stack, 'OrdersTable');
    });
    const diagram = architectureDiagram(assembly.stacks[0], assembly.tree);

    expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
      'subgraph Example_Notes["Notes: DynamoDbTable"]',
      'Example_Notes_Table[("DynamoDB table")]',
      'Example_OrdersTable[("DynamoDB table Orders")]',
      'Example_Api -->|"reads and writes"| Example_Notes_Table',
    ]));
  });
});

/**
 * The fan-out with a nested stack, drawn without its tree: no pattern box, yet every resource, the
 * edges and the nested stack's box.
 */
function expectDrawnWithoutPatternBoxes(diagram: string) {
  expect(diagram).not.toContain('SnsFanOut');
  expect(diagramLines(diagram)).toEqual(expect.arrayContaining([
    'Example_Orders_Topic(["SNS topic"])',
    'Example_Orders_Topic -->|"all messages"| Example_Orders_audit_Queue_Queue',
    'subgraph Example_Tables["Tables: nested stack"]',
  ]));
  expect(subgraphLines(diagram, 'Example_Tables')).toContain('Example_Tables_Orders[("DynamoDB table Orders")]');
}
