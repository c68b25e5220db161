import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as nagV3 from 'cdk-nag';
import * as nagV2 from 'cdk-nag-v2';
import {
  AlbAutoScalingGroup, AlbFargateService, AuroraDatabase, DeadLetterQueue, DeadLetterSource, DeploymentStage, DynamoDbTable,
  EventRuleWithDeadLetterQueue, GuardedKey, HardenedBackupPlan, HardenedFunction, HttpApiLambda, InMemoryCache, MultiAzVpc, OperationsScope,
  PatternDefaults, QueueWithDeadLetterQueue, RelationalDatabase, RestApiLambda, SnsFanOut, StaticWebsite, StepFunctionsWorkflow,
} from '../../src';
import { newApp } from '../support/app';

/**
 * The app issue 28 describes, as a small team splits one: every pattern of the library over three
 * stacks in each of two `cdk.Stage`s. `Data` holds the network and what keeps state (and the
 * queues, topics and rules that others consume); `App` holds every client of those, in another
 * stack than its server; `Edge` holds the website in us-east-1. DEV keeps an alarm topic and a
 * dashboard per stack; PROD shares them across the stage (`OperationsScope.STAGE`).
 */
function splitApp(): { app: App; stages: Stage[] } {
  const app = newApp();
  PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
  const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, batchItemFailures: [] });');
  const stages = [DeploymentStage.DEV, DeploymentStage.PROD].map((deploymentStage) => {
    const production = deploymentStage === DeploymentStage.PROD;
    const stage = new Stage(app, production ? 'Prod' : 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
    PatternDefaults.set(stage, { stage: deploymentStage, ...(production ? { operations: OperationsScope.STAGE } : {}) });

    const data = new Stack(stage, 'Data');
    const web = new Stack(stage, 'App');
    const network = new MultiAzVpc(data, 'Network');
    const backups = new HardenedBackupPlan(data, 'Backups');
    const database = new RelationalDatabase(data, 'Database', { vpc: network.vpc, backupPlan: backups });
    const aurora = new AuroraDatabase(data, 'Aurora', { vpc: network.vpc, backupPlan: backups, proxy: production });
    const cache = new InMemoryCache(data, 'Cache', { vpc: network.vpc });
    const table = new DynamoDbTable(data, 'Orders', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING }, backupPlan: backups });
    const jobs = new QueueWithDeadLetterQueue(data, 'Jobs');
    new SnsFanOut(data, 'Events', { subscribers: [{ name: 'billing', queueOptions: { consumer: new HardenedFunction(web, 'Biller', { code }) } }] });
    // Functions the App stack's workflow and API use from here: a server stack may hold a client's target.
    const enricher = new HardenedFunction(data, 'Enricher', { code });
    const apiHandler = new HardenedFunction(data, 'ApiHandler', { code });
    new DeadLetterQueue(data, 'Failed', { source: DeadLetterSource.LAMBDA_FUNCTION });

    const worker = new HardenedFunction(web, 'Worker', { code, vpc: network.vpc });
    database.allowConnectionsFrom(worker);
    database.grantConnect(worker, 'app');
    database.secret.grantRead(worker);
    aurora.allowConnectionsFrom(worker);
    aurora.grantConnect(worker, 'app');
    aurora.secret.grantRead(worker);
    cache.allowConnectionsFrom(worker);
    cache.grantConnect(worker);
    table.grantReadWriteData(worker);
    table.addStreamConsumer('Mailer', new HardenedFunction(web, 'Mailer', { code }));
    jobs.queue.grantSendMessages(worker);
    new QueueWithDeadLetterQueue(web, 'Work', { consumer: new HardenedFunction(web, 'Consumer', { code }) });
    // A rule lists its targets in itself: it lives with its function, or in a stack deployed after it.
    const placed = new EventRuleWithDeadLetterQueue(web, 'Placed', { eventPattern: { source: ['com.example.orders'] } });
    placed.addFunctionTarget(new HardenedFunction(web, 'Handler', { code }));
    placed.addQueueTarget(jobs.queue);
    new StepFunctionsWorkflow(web, 'Workflow', { definition: StepFunctionsWorkflow.invokeFunction(web, 'Step', enricher) });
    const service = new AlbFargateService(web, 'Service', {
      vpc: network.vpc,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password') },
      allowInsecureHttp: true,
    });
    database.allowConnectionsFrom(service.service);
    const servers = new AlbAutoScalingGroup(web, 'Servers', { vpc: network.vpc, allowInsecureHttp: true });
    cache.allowConnectionsFrom(servers.autoScalingGroup);
    new RestApiLambda(web, 'Api', { handlerFunction: apiHandler });
    new HttpApiLambda(web, 'HttpApi', { code });

    const edge = new Stack(stage, 'Edge', { env: { account: '111111111111', region: 'us-east-1' } });
    new StaticWebsite(edge, 'Site');
    return stage;
  });
  return { app, stages };
}

const PACKS_V3 = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const PREFIXES_V2 = PACKS_V3.map((pack) => `${pack}-`);

describe('an app split over stacks and stages', () => {
  let app: App;
  let stages: Stage[];
  let v3Findings: string[];
  let v3Failed: string[];
  let v2Findings: string[];
  let v2Suppressed: number;

  // Built and synthesized once, with both majors' packs at once, as two users would run them:
  // 3.x as validation plugins of the app (they reach into stages), 2.x as Aspects on each stage.
  beforeAll(() => {
    ({ app, stages } = splitApp());
    Validations.of(app).addPlugins(...[
      new nagV3.AwsSolutionsChecks(app), new nagV3.ServerlessChecks(app), new nagV3.NIST80053R5Checks(app),
      new nagV3.HIPAASecurityChecks(app), new nagV3.PCIDSS321Checks(app),
    ]);
    for (const stage of stages) {
      // logIgnores: each finding a suppression removes is logged, to count below.
      const options = { logIgnores: true };
      for (const pack of [new nagV2.AwsSolutionsChecks(options), new nagV2.ServerlessChecks(options), new nagV2.NIST80053R5Checks(options),
        new nagV2.HIPAASecurityChecks(options), new nagV2.PCIDSS321Checks(options)]) {
        Aspects.of(stage).add(pack);
      }
    }
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      // Error annotations fail the synth under the new-project flags; both reports are read below.
      failure = error;
    }
    const reportFile = path.join(app.outdir, 'validation-report.json');
    if (!fs.existsSync(reportFile)) {
      // The synth failed before the packs ran: a dependency cycle, say.
      throw failure;
    }
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    // The report lists only the packs that did not succeed: one that failed without a finding checked nothing.
    v3Failed = report.pluginReports.filter((r: any) => r.violations.length === 0).map((r: any) => r.pluginName);
    v3Findings = report.pluginReports.flatMap((r: any) => r.violations.flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => `${v.ruleName} at ${c.constructPath}`)));
    const constructs = app.node.findAll();
    v2Findings = constructs.flatMap((c) => c.node.metadata
      .filter((m) => m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning')
      .map((m) => String(m.data))
      .filter((message) => PREFIXES_V2.some((prefix) => message.startsWith(prefix)) || message.startsWith('CdkNagValidationFailure'))
      .map((message) => `${message.slice(0, message.indexOf(': '))} at ${c.node.path}`));
    v2Suppressed = constructs.reduce((n, c) => n + c.node.metadata.filter((m) => String(m.data).startsWith('CdkNagSuppression')).length, 0);
  });

  test('synthesizes with no dependency cycle, each stage in its own assembly', () => {
    const assembly = app.synth();
    expect(assembly.nestedAssemblies.map((nested) => nested.id).sort()).toEqual(['assembly-Dev', 'assembly-Prod']);
    const prod = stages[1].synth();
    expect(prod.stacks.map((stack) => stack.hierarchicalId).sort()).toEqual([
      'Prod/App', 'Prod/Data', 'Prod/Edge',
      'Prod/PatternAlarms-111111111111-eu-west-1', 'Prod/PatternAlarms-111111111111-us-east-1',
      'Prod/PatternDashboard-111111111111-eu-west-1', 'Prod/PatternDashboard-111111111111-us-east-1',
    ]);
  });

  test('every server stack is deployed before its clients, and never refers to them', () => {
    for (const stage of stages) {
      const data = stage.node.findChild('Data') as Stack;
      const web = stage.node.findChild('App') as Stack;
      expect(web.dependencies).toContain(data);
      expect(data.dependencies).not.toContain(web);
      expect(JSON.stringify(Template.fromStack(data).toJSON())).not.toMatch(/App[0-9A-F]{8}|StackName":"(Dev|Prod)-App"/);
    }
  });

  test('0 unacknowledged findings in the five packs of cdk-nag 3.x', () => {
    expect(v3Failed).toEqual([]);
    expect(v3Findings).toEqual([]);
  });

  test('0 unacknowledged findings in the five packs of cdk-nag 2.x, run on each stage, which the packs did reach', () => {
    expect(v2Findings).toEqual([]);
    expect(v2Suppressed).toBeGreaterThan(100);
  });
});

describe("an alarm topic of the user's own, in another stack", () => {
  test('every pattern of the other stacks notifies it, and its stack refers to none of them', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    const operations = new Stack(stage, 'Operations');
    const topic = new sns.Topic(operations, 'Alarms', { masterKey: new GuardedKey(operations, 'AlarmsKey'), enforceSSL: true });
    PatternDefaults.set(stage, { alarmTopic: topic });
    const stacks = ['Data', 'App'].map((id) => new Stack(stage, id));
    new QueueWithDeadLetterQueue(stacks[0], 'Jobs');
    new DynamoDbTable(stacks[1], 'Orders', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING } });
    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.length).toBeGreaterThan(0);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Prod-Operations' }) }]);
      }
      expect(stack.dependencies).toEqual([operations]);
    }
    expect(operations.dependencies).toEqual([]);
  });
});

describe('clients upstream of their servers', () => {
  // The other common layout: a network stack, defined first, holds the VPC, a bastion's security
  // group and functions; the data stack, defined after it, uses its VPC. What joins a server to
  // such a client goes in the server's stack, which deploys later.
  test("the rules, the queue's mapping and the stream's consumer land in the server's stack, with no cycle", () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    const network = new Stack(stage, 'Network');
    const data = new Stack(stage, 'Data');
    const vpc = new MultiAzVpc(network, 'Network').vpc;
    const bastion = new ec2.SecurityGroup(network, 'Bastion', { vpc, allowAllOutbound: false });
    const code = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
    const worker = new HardenedFunction(network, 'Worker', { code, vpc });
    const database = new RelationalDatabase(data, 'Database', { vpc });
    database.allowConnectionsFrom(bastion);
    new InMemoryCache(data, 'Cache', { vpc }).allowConnectionsFrom(worker);
    new QueueWithDeadLetterQueue(data, 'Jobs', { consumer: new HardenedFunction(network, 'Consumer', { code }) });
    new DynamoDbTable(data, 'Orders', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING } })
      .addStreamConsumer('Mailer', new HardenedFunction(network, 'Mailer', { code }));

    const dataTemplate = Template.fromStack(data);
    const networkTemplate = Template.fromStack(network);
    expect(data.dependencies).toEqual([network]);
    expect(network.dependencies).toEqual([]);
    // The bastion's ingress on the database and its egress to it; the worker's ingress on the cache.
    expect(Object.keys(dataTemplate.findResources('AWS::EC2::SecurityGroupIngress')).length).toBeGreaterThanOrEqual(2);
    dataTemplate.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    networkTemplate.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    dataTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    networkTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });
});
