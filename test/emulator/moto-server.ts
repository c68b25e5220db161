import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  Capability,
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

const BUILD_DIR = path.join(__dirname, '..', '..', 'build');

/** Where globalSetup leaves the moto server's PID for globalTeardown. */
export const MOTO_PID_FILE = path.join(BUILD_DIR, 'moto.pid');

/** Where the suites' moto server writes its output, which a failed start quotes. */
export const MOTO_LOG_FILE = path.join(BUILD_DIR, 'moto.log');

export const MOTO_VERSION = '5.2.1';

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of a file, which say why a process that wrote it stopped. */
function tail(file: string, lines = 10): string {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd() : '';
  return text.split('\n').slice(-lines).join('\n') || '(nothing)';
}

/**
 * Polls until moto answers. `stopped` says why it stopped, if it has: without moto, a pyenv shim
 * spawns fine and exits 127, so a failed spawn alone would not catch a missing moto_server.
 */
async function waitUntilUp(endpoint: string, stopped: () => string | undefined, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    const reason = stopped();
    if (reason) {
      throw new Error(
        `moto_server ${reason} before it answered on ${endpoint}. The emulator deploys to a local moto ${MOTO_VERSION} server: `
        + `install it with \`pip install "moto[server]==${MOTO_VERSION}"\` and try again. Its output (${logFile}) ended with:\n${tail(logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s; its output (${logFile}) ended with:\n${tail(logFile)}`);
}

/**
 * Starts moto_server on a free loopback port and waits until it answers. Its output goes to
 * `logFile` (a file, not a pipe, so nothing has to keep reading it, and a detached server can
 * outlive this process's event loop). Fails with the install command when moto_server does not
 * start, and kills it then, so a failed start leaves no server behind.
 */
export async function launchMotoServer(options: { detached: boolean; logFile: string }): Promise<{ endpoint: string; server: ChildProcess }> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'w');
  let server: ChildProcess;
  try {
    server = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', log, log], detached: options.detached });
  } finally {
    fs.closeSync(log);
  }
  let stopped: string | undefined;
  server.on('error', (error) => { stopped ??= `could not start (${error.message})`; });
  server.once('exit', (code, signal) => { stopped ??= signal ? `was killed by ${signal}` : `exited with code ${code}`; });
  try {
    await waitUntilUp(endpoint, () => stopped, options.logFile);
  } catch (error) {
    server.kill();
    throw error;
  }
  return { endpoint, server };
}

/** moto's default account; every stack is deployed to it, in the only region moto's Fn::GetAZs knows. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** The bootstrap resources the default synthesizer's templates and assets point at. */
const BOOTSTRAP_QUALIFIER = 'hnb659fds';
const ASSETS_BUCKET = `cdk-${BOOTSTRAP_QUALIFIER}-assets-${ACCOUNT}-${REGION}`;

/**
 * SDK v3 client settings for the local moto server: its endpoint, fixed dummy credentials, so
 * no request can leave the machine or pick up a real profile.
 */
export function motoClientConfig() {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run these tests with `npm run test:emulator`, which starts moto_server.');
  return { endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}

/** A resource as moto's CloudFormation reports it. */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  /** Empty when moto skipped the resource (it reports CREATE_COMPLETE anyway). */
  readonly physicalId: string;
}

/** A stack created in moto from a synthesized template. */
export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly template: any;
  readonly resources: DeployedResource[];
  /** The types moto did not create, sorted and unique: every test asserts this list exactly. */
  readonly skippedTypes: string[];
  /** The custom resources whose callback the harness answered itself (their handlers need Docker). */
  readonly answeredCustomResources: string[];
  /** The resources whose reference to a Lambda alias the harness pointed at the alias's function (see forMoto). */
  readonly redirectedFromAliases: string[];
  /** Every other change forMoto made to the template, one sentence each, saying what and why. */
  readonly changedForMoto: string[];
}

/** The physical id of a created resource; throws if moto skipped it. */
export function physicalId(stack: DeployedStack, logicalId: string): string {
  const resource = stack.resources.find((r) => r.logicalId === logicalId);
  if (!resource?.physicalId) throw new Error(`${logicalId} was not created in ${stack.stackName}`);
  return resource.physicalId;
}

/** The one item of a list, or an error naming what was expected. */
export function only<T>(items: T[] | undefined, what: string): T {
  if (items?.length !== 1) throw new Error(`expected one ${what}, found ${items?.length ?? 0}`);
  return items[0];
}

/** The logical ids of the template's resources of one type. */
export function logicalIdsOfType(stack: DeployedStack, type: string): string[] {
  return Object.entries(stack.template.Resources as Record<string, { Type: string }>)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId]) => logicalId);
}

/**
 * Synthesizes a stack built in the test and deploys it to moto. `skippedTypes` is the exact list
 * of types moto is expected to skip: any difference fails the deployment, and with it every test
 * that uses the stack, so nothing passes because moto silently left it out.
 */
export async function deployStack(stack: Stack, stackName: string, skippedTypes: string[]): Promise<DeployedStack> {
  const assembly = (stack.node.root as App).synth();
  return expectSkipped(await deployArtifact(assembly.getStackByName(stack.stackName), stackName), skippedTypes);
}

/** Deploys a stack of a cloud assembly already on disk (an example synthesized by the CLI); see deployStack. */
export async function deployFromAssembly(
  directory: string, artifactStackName: string, stackName: string, skippedTypes: string[],
): Promise<DeployedStack> {
  const assembly = new cxapi.CloudAssembly(directory);
  return expectSkipped(await deployArtifact(assembly.getStackByName(artifactStackName), stackName), skippedTypes);
}

function expectSkipped(deployed: DeployedStack, expected: string[]): DeployedStack {
  const sorted = [...expected].sort();
  if (JSON.stringify(deployed.skippedTypes) !== JSON.stringify(sorted)) {
    throw new Error(
      `moto skipped ${JSON.stringify(deployed.skippedTypes)} in ${deployed.stackName}; the test expects exactly ${JSON.stringify(sorted)}`,
    );
  }
  return deployed;
}

/**
 * Does in moto what `cdk bootstrap` and `cdk deploy` do in an account: the bootstrap version
 * parameter and assets bucket, the file assets, then CreateStack with the synthesized template,
 * so the templates deployed here are the ones users deploy, but for the alias callers that
 * forMoto redirects (and reports).
 */
export async function deployArtifact(artifact: cxapi.CloudFormationStackArtifact, stackName: string): Promise<DeployedStack> {
  await bootstrapMoto();
  await publishFileAssets(artifact);

  const masterUserSecretArns = await createMasterUserSecrets(artifact.template, stackName);
  const stackOutputs = await readStackOutputs(artifact.template);
  const { template, redirected, changed } = forMoto(artifact.template, {
    masterUserSecretArns, motoResolves: motoResolvesReferences, stackOutputs, outputsReadElsewhere: outputsReadByOtherStacks(artifact),
  });
  // No retries: a retried CreateStack after moto failed midway reports only "already exists".
  const cloudFormation = new CloudFormationClient({ ...motoClientConfig(), maxAttempts: 1 });
  const { StackId: stackId } = await cloudFormation.send(new CreateStackCommand({
    StackName: stackName,
    TemplateBody: JSON.stringify(template),
    Capabilities: [Capability.CAPABILITY_IAM, Capability.CAPABILITY_NAMED_IAM, Capability.CAPABILITY_AUTO_EXPAND],
  })).catch((error: any) => { throw explainMotoCrash(error, 'CreateStack'); });
  const answeredCustomResources = await answerCustomResources(artifact.template, stackId!);
  await waitForCreateComplete(cloudFormation, stackName);
  return describeDeployedStack(stackName, stackId!, artifact.template, answeredCustomResources, redirected, changed);
}

/** The RDS resources whose master user secret the template reads, by logical id, with their master user name. */
function masterUserSecretReaders(template: any): Record<string, unknown> {
  const text = JSON.stringify(template);
  return Object.fromEntries(Object.entries(template.Resources as Record<string, { Type: string; Properties?: any }>)
    .filter(([id, r]) => r.Type.startsWith('AWS::RDS::') && text.includes(`{"Fn::GetAtt":["${id}","MasterUserSecret.SecretArn"]}`))
    .map(([id, r]) => [id, r.Properties?.MasterUsername]));
}

/**
 * moto's CloudFormation neither creates the secret RDS manages for `ManageMasterUserPassword` nor
 * answers `Fn::GetAtt MasterUserSecret.SecretArn` (its DBInstance resolves only Endpoint.Address
 * and Endpoint.Port), and it has no AWS::SecretsManager::Secret. So, for each database whose
 * secret the template reads, the harness creates one through the Secrets Manager API, holding
 * `username` and `password` as RDS's does
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html), and forMoto
 * points the reads at it. It is not encrypted with the template's key, which does not exist yet.
 */
async function createMasterUserSecrets(template: any, stackName: string): Promise<Record<string, string>> {
  const secretsManager = new SecretsManagerClient(motoClientConfig());
  const arns: Record<string, string> = {};
  for (const [logicalId, username] of Object.entries(masterUserSecretReaders(template))) {
    const { ARN } = await secretsManager.send(new CreateSecretCommand({
      Name: `${stackName}-${logicalId}-master-user-secret`,
      Description: `Stands in for the master user secret RDS would manage for ${logicalId} (moto's CloudFormation creates none)`,
      SecretString: JSON.stringify({ username: typeof username === 'string' ? username : 'admin', password: `moto-${Date.now().toString(36)}` }),
    }));
    arns[logicalId] = ARN!;
  }
  return arns;
}

// Resource types moto's CloudFormation skips without reading their properties, so a reference to an
// alias in them cannot fail the stack.
const SKIPPED_ALIAS_CALLERS = new Set(['AWS::ApiGateway::Method']);
// Where a HardenedFunction's callers name its alias, and what moto gets instead.
const ALIAS_CALLERS: Record<string, { property: string; instead: (functionRef: unknown) => unknown }> = {
  'AWS::Lambda::EventSourceMapping': { property: 'FunctionName', instead: (functionRef) => functionRef },
  'AWS::Lambda::Permission': { property: 'FunctionName', instead: (functionRef) => functionRef },
  'AWS::Lambda::EventInvokeConfig': { property: 'Qualifier', instead: () => '$LATEST' },
};
// Types that hold the alias's ARN as data moto stores and never acts on (it enforces no IAM, runs
// no Lambda from a state machine or a schedule): each `Ref` of the alias in them becomes the
// function's ARN.
const ALIAS_ARN_HOLDERS = new Set(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy', 'AWS::StepFunctions::StateMachine', 'AWS::Events::Rule']);

// The GlobalTable properties that mean the same on a Table: the table's own, and its stack
// region's replica's (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html).
const GLOBAL_TABLE_AS_TABLE = ['TableName', 'KeySchema', 'AttributeDefinitions', 'BillingMode', 'LocalSecondaryIndexes', 'StreamSpecification',
  'TimeToLiveSpecification', 'WarmThroughput'];
const REPLICA_AS_TABLE = ['ContributorInsightsSpecification', 'DeletionProtectionEnabled', 'PointInTimeRecoverySpecification', 'ResourcePolicy',
  'TableClass', 'Tags', 'KinesisStreamSpecification'];
// What only a table in several regions has: dropped with the other regions' replicas.
const MULTI_REGION_ONLY = ['GlobalTableWitnesses', 'MultiRegionConsistency', 'GlobalTableSettingsReplicationMode', 'DisassociationProtectionEnabled'];

/** A provisioned capacity setting as the fixed units a Table takes: its own, or its autoscaling minimum. */
function fixedCapacity(settings: any, units: 'ReadCapacityUnits' | 'WriteCapacityUnits', autoScaling: string, where: string): unknown {
  const capacity = settings?.[units] ?? settings?.[autoScaling]?.MinCapacity;
  if (capacity === undefined) throw new Error(`${where} is PROVISIONED without ${units} or ${autoScaling}.MinCapacity: the harness cannot give moto a capacity`);
  return capacity;
}

/**
 * Rewrites a GlobalTable in place as the Table its stack region's replica would be, and says what it
 * did in one sentence. Same keys, attributes, indexes, stream, TTL, billing mode and, from the
 * replica, point-in-time recovery, deletion protection, contributor insights, resource policy, table
 * class, tags and the KMS key (a Table's SSESpecification: SSEEnabled, SSEType KMS and the replica's
 * KMSMasterKeyId). Provisioned capacity keeps its billing mode, at the autoscaling minimums as fixed
 * units (a GlobalTable's capacity is autoscaled, a Table's ProvisionedThroughput is fixed, and moto
 * throttles nothing, so only the describe output could tell); on-demand maximums become
 * OnDemandThroughput. The replicas in other regions are dropped: moto's CloudFormation deploys one
 * region. Anything else is refused, not guessed.
 */
function globalTableAsTable(tableId: string, table: { Type: string; Properties?: Record<string, any> }): string {
  const { Replicas = [], GlobalSecondaryIndexes, SSESpecification, WriteProvisionedThroughputSettings, WriteOnDemandThroughputSettings, ...rest }
    = table.Properties ?? {};
  const unknown = Object.keys(rest).filter((key) => !GLOBAL_TABLE_AS_TABLE.includes(key) && !MULTI_REGION_ONLY.includes(key));
  if (unknown.length > 0) throw new Error(`${tableId} (AWS::DynamoDB::GlobalTable) has properties the harness cannot give a Table: ${unknown.join(', ')}`);
  const isStackRegion = (region: any) => region === REGION || (region?.Ref === 'AWS::Region' && Object.keys(region).length === 1);
  const here = (Replicas as any[]).filter((replica) => isStackRegion(replica.Region));
  if (here.length !== 1) throw new Error(`${tableId} (AWS::DynamoDB::GlobalTable) has ${here.length} replicas in ${REGION}, the stack's region; the harness needs exactly one`);
  const replica = here[0];
  const {
    Region, GlobalSecondaryIndexes: replicaIndexes = [], SSESpecification: replicaSse, ReplicaStreamSpecification,
    ReadProvisionedThroughputSettings, ReadOnDemandThroughputSettings, ...replicaRest
  } = replica;
  const replicaUnknown = Object.keys(replicaRest).filter((key) => !REPLICA_AS_TABLE.includes(key) && !MULTI_REGION_ONLY.includes(key));
  if (replicaUnknown.length > 0) throw new Error(`${tableId}'s replica in ${REGION} has properties the harness cannot give a Table: ${replicaUnknown.join(', ')}`);

  const properties: Record<string, any> = {};
  for (const [key, value] of [...Object.entries(rest), ...Object.entries(replicaRest)]) {
    if (GLOBAL_TABLE_AS_TABLE.includes(key) || REPLICA_AS_TABLE.includes(key)) properties[key] = value;
  }
  const provisioned = properties.BillingMode === 'PROVISIONED';
  const throughput = (where: string, read: any, write: any) => ({
    ReadCapacityUnits: fixedCapacity(read, 'ReadCapacityUnits', 'ReadCapacityAutoScalingSettings', where),
    WriteCapacityUnits: fixedCapacity(write, 'WriteCapacityUnits', 'WriteCapacityAutoScalingSettings', where),
  });
  const onDemand = (read: any, write: any) => {
    const caps = JSON.parse(JSON.stringify({ MaxReadRequestUnits: read?.MaxReadRequestUnits, MaxWriteRequestUnits: write?.MaxWriteRequestUnits }));
    return Object.keys(caps).length > 0 ? caps : undefined;
  };
  if (provisioned) {
    properties.ProvisionedThroughput = throughput(tableId, ReadProvisionedThroughputSettings, WriteProvisionedThroughputSettings);
  } else if (onDemand(ReadOnDemandThroughputSettings, WriteOnDemandThroughputSettings)) {
    properties.OnDemandThroughput = onDemand(ReadOnDemandThroughputSettings, WriteOnDemandThroughputSettings);
  }
  if (GlobalSecondaryIndexes !== undefined) {
    properties.GlobalSecondaryIndexes = (GlobalSecondaryIndexes as any[]).map((index) => {
      const {
        IndexName, KeySchema, Projection, WarmThroughput,
        WriteProvisionedThroughputSettings: write, WriteOnDemandThroughputSettings: writeCap, ...other
      } = index;
      if (Object.keys(other).length > 0) {
        throw new Error(`${tableId}'s index ${IndexName} has properties the harness cannot give a Table: ${Object.keys(other).join(', ')}`);
      }
      const ofReplica = (replicaIndexes as any[]).find((r) => r.IndexName === IndexName) ?? {};
      const converted: Record<string, any> = { IndexName, KeySchema, Projection };
      if (WarmThroughput !== undefined) converted.WarmThroughput = WarmThroughput;
      const insights = ofReplica.ContributorInsightsSpecification;
      if (insights !== undefined) converted.ContributorInsightsSpecification = insights;
      // An index's read capacity is the replica's index's, or else the replica table's.
      const read = ofReplica.ReadProvisionedThroughputSettings ?? ReadProvisionedThroughputSettings;
      const caps = onDemand(ofReplica.ReadOnDemandThroughputSettings, writeCap);
      if (provisioned) converted.ProvisionedThroughput = throughput(`${tableId}'s index ${IndexName}`, read, write);
      else if (caps) converted.OnDemandThroughput = caps;
      return converted;
    });
  }
  if (SSESpecification?.SSEEnabled === true) {
    // A GlobalTable names its key per replica; a Table names it beside SSEEnabled.
    const key = replicaSse?.KMSMasterKeyId;
    properties.SSESpecification = { SSEEnabled: true, SSEType: 'KMS', ...(key !== undefined ? { KMSMasterKeyId: key } : {}) };
  } else if (SSESpecification !== undefined) {
    properties.SSESpecification = SSESpecification;
  }
  if (ReplicaStreamSpecification?.ResourcePolicy !== undefined) {
    properties.StreamSpecification = { ...properties.StreamSpecification, ResourcePolicy: ReplicaStreamSpecification.ResourcePolicy };
  }
  table.Type = 'AWS::DynamoDB::Table';
  table.Properties = properties;

  const others = (Replicas as any[]).filter((r) => !isStackRegion(r.Region)).map((r) => (typeof r.Region === 'string' ? r.Region : JSON.stringify(r.Region)));
  return `${tableId}: deployed as a single-region AWS::DynamoDB::Table with the same keys, indexes, stream, TTL and billing mode, and its ${REGION} replica's`
    + ' key, point-in-time recovery, deletion protection, contributor insights and resource policy (moto has no AWS::DynamoDB::GlobalTable)'
    + (provisioned ? '; its autoscaled capacity is fixed at the autoscaling minimums' : '')
    + (others.length > 0 ? `; its replicas in ${others.join(', ')} are dropped` : '');
}

/**
 * What CloudFormation returns for a `Ref` (no attribute) or `Fn::GetAtt` of an ElastiCache resource,
 * built from the name the template gives it, which moto, having no ElastiCache, cannot resolve. The
 * return values are CloudFormation's
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-replicationgroup.html#aws-resource-elasticache-replicationgroup-return-values,
 * .../aws-resource-elasticache-serverlesscache.html, .../aws-resource-elasticache-user.html,
 * .../aws-resource-elasticache-usergroup.html); an endpoint's host name has `moto` where ElastiCache
 * puts a generated part, so nothing can reach it. Anything else is refused, not guessed.
 */
function elastiCacheValue(
  id: string, resource: { Type: string; Properties?: Record<string, any> }, attribute: string | undefined, readerId: string,
): unknown {
  const nameProperty: Record<string, string> = {
    'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
    'AWS::ElastiCache::ServerlessCache': 'ServerlessCacheName',
    'AWS::ElastiCache::User': 'UserId',
    'AWS::ElastiCache::UserGroup': 'UserGroupId',
    'AWS::ElastiCache::SubnetGroup': 'CacheSubnetGroupName',
  };
  const name = resource.Properties?.[nameProperty[resource.Type]];
  const what = `${readerId} reads ${attribute ? `${id}.${attribute}` : id} (${resource.Type})`;
  if (typeof name !== 'string') {
    throw new Error(`${what}, which moto cannot resolve, and the template gives it no literal ${nameProperty[resource.Type] ?? 'name'} to build the value from`);
  }
  const arn = (kind: string) => `arn:aws:elasticache:${REGION}:${ACCOUNT}:${kind}:${name}`;
  const port = String(resource.Properties?.Port ?? 6379);
  const values: Record<string, Record<string, string>> = {
    'AWS::ElastiCache::ReplicationGroup': {
      'Ref': name,
      'PrimaryEndPoint.Address': `master.${name}.moto.use1.cache.amazonaws.com`,
      'PrimaryEndPoint.Port': port,
      'ReaderEndPoint.Address': `replica.${name}.moto.use1.cache.amazonaws.com`,
      'ReaderEndPoint.Port': port,
      'ConfigurationEndPoint.Address': `clustercfg.${name}.moto.use1.cache.amazonaws.com`,
      'ConfigurationEndPoint.Port': port,
    },
    'AWS::ElastiCache::ServerlessCache': {
      'Ref': name,
      // Upper case, as CloudFormation spells this one.
      'ARN': arn('serverlesscache'),
      'Endpoint.Address': `${name}-moto.serverless.use1.cache.amazonaws.com`,
      'Endpoint.Port': '6379',
      'ReaderEndpoint.Address': `${name}-moto.serverless.use1.cache.amazonaws.com`,
      'ReaderEndpoint.Port': '6380',
    },
    'AWS::ElastiCache::User': { Ref: name, Arn: arn('user') },
    'AWS::ElastiCache::UserGroup': { Ref: name, Arn: arn('usergroup') },
    'AWS::ElastiCache::SubnetGroup': { Ref: name },
  };
  const value = values[resource.Type]?.[attribute ?? 'Ref'];
  if (value === undefined) throw new Error(`${what}, which moto cannot resolve and the harness does not stand in for`);
  return value;
}

/** What forMoto needs from outside the template. */
export interface ForMotoOptions {
  /** The ARN of the stand-in secret for each RDS resource whose master user secret the template reads (createMasterUserSecrets). */
  readonly masterUserSecretArns?: Record<string, string>;
  /**
   * Which references moto's CloudFormation resolves: one answer per [type, attribute] pair (a
   * `Ref` has no attribute). Outputs are checked with it; the default resolves everything.
   */
  readonly motoResolves?: (references: Array<[string, string | undefined]>) => boolean[];
  /**
   * The outputs of the stacks the template reads through `Fn::GetStackOutput`, as moto has them:
   * output values by output name, by stack name; a stack moto does not have is absent
   * (readStackOutputs). A template that reads a stack or output not here is refused.
   */
  readonly stackOutputs?: Record<string, Record<string, string>>;
  /**
   * The outputs of this stack that other stacks read through `Fn::GetStackOutput`
   * (outputsReadByOtherStacks): they are kept, with stand-ins for what moto does not have, or refused.
   */
  readonly outputsReadElsewhere?: string[];
}

/**
 * The outputs of a stack that the other stacks of its assembly read through `Fn::GetStackOutput`
 * (by its stack name, as CloudFormation reads them).
 */
export function outputsReadByOtherStacks(artifact: cxapi.CloudFormationStackArtifact): string[] {
  const read = new Set<string>();
  for (const other of artifact.assembly.stacksRecursively.filter((s) => s !== artifact)) {
    JSON.stringify(other.template, (_key, value) => {
      const reference = value?.['Fn::GetStackOutput'];
      if (reference?.StackName === artifact.stackName && typeof reference.OutputName === 'string') read.add(reference.OutputName);
      return value;
    });
  }
  return [...read].sort();
}

/** The literal stack names a template reads through `Fn::GetStackOutput`. */
function stackOutputProducers(template: any): string[] {
  const names = new Set<string>();
  JSON.stringify(template, (_key, value) => {
    const read = value?.['Fn::GetStackOutput'];
    if (typeof read?.StackName === 'string') names.add(read.StackName);
    return value;
  });
  return [...names].sort();
}

/**
 * The outputs of each stack the template reads through `Fn::GetStackOutput`, read from moto with
 * DescribeStacks as CloudFormation reads them when it creates the stack; a stack moto does not have
 * is left out, for forMoto to refuse the read naming it.
 */
export async function readStackOutputs(template: any): Promise<Record<string, Record<string, string>>> {
  const cloudFormation = new CloudFormationClient(motoClientConfig());
  const outputs: Record<string, Record<string, string>> = {};
  for (const stackName of stackOutputProducers(template)) {
    const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).then(
      ({ Stacks = [] }) => Stacks,
      (error: any) => {
        if (error?.name === 'ValidationError' && /does not exist/.test(String(error.message))) return [];
        throw explainMotoCrash(error, 'DescribeStacks');
      },
    );
    const stack = stacks.find((s) => s.StackStatus === 'CREATE_COMPLETE');
    if (stack) outputs[stackName] = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue ?? '']));
  }
  return outputs;
}

/**
 * moto 5.2.1's CloudFormation does not implement `Fn::GetStackOutput`, which aws-cdk-lib writes for
 * a weak cross-stack reference (`@aws-cdk/core:defaultCrossStackReferences` `weak`, a new project's
 * default): it passes the function on as an object, so an event rule's target `Arn` crashes
 * CreateStack (HTTP 500, `TypeError: expected string or bytes-like object, got 'dict'` in
 * moto/events/models.py) and a policy naming it is a `MalformedPolicyDocument`. CloudFormation
 * returns the value of the producer stack's output, read when the consumer is created
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html),
 * so each read becomes that value as moto has it (`stackOutputs`, read before the stack is
 * deployed). The producer must be in the stack's region (moto deploys one); a `RoleArn`, for a
 * producer in another account, is not assumed (moto has one account). A read the harness cannot
 * resolve (no literal StackName or OutputName, another region, a producer not deployed yet, an
 * output it lacks) is refused. Returns one sentence per producer stack. (`Fn::ImportValue` needs no
 * rule: moto resolves it from the exports of the stacks it has, moto/cloudformation/parsing.py.)
 */
function resolveStackOutputs(template: any, stackOutputs: Record<string, Record<string, string>> = {}): string[] {
  const reads = new Map<string, { outputs: Set<string>; readers: Set<string>; count: number; roles: boolean }>();
  for (const section of ['Resources', 'Outputs', 'Conditions'] as const) {
    for (const [id, item] of Object.entries<any>(template[section] ?? {})) {
      const readerName = section === 'Outputs' ? `output ${id}` : section === 'Conditions' ? `condition ${id}` : id;
      template[section][id] = JSON.parse(JSON.stringify(item), (_key, value) => {
        const read = value?.['Fn::GetStackOutput'];
        if (read === undefined || Object.keys(value).length !== 1) return value;
        const { StackName: stackName, OutputName: outputName, Region: region, RoleArn: roleArn, ...other } = read ?? {};
        const what = `${readerName} reads ${JSON.stringify(value)}`;
        if (typeof stackName !== 'string' || typeof outputName !== 'string' || Object.keys(other).length > 0) {
          throw new Error(`${what}, which the harness resolves only with a literal StackName and OutputName (and an optional Region and RoleArn)`);
        }
        const inRegion = region === undefined || region === REGION || (region?.Ref === 'AWS::Region' && Object.keys(region).length === 1);
        if (!inRegion) throw new Error(`${what}: a stack in another region, and moto's CloudFormation deploys to ${REGION} only`);
        const outputs = stackOutputs[stackName];
        if (!outputs) {
          throw new Error(`${what}, and moto has no stack ${stackName} yet: deploy ${stackName} first (CloudFormation reads its output when this stack is created)`);
        }
        if (!(outputName in outputs)) {
          throw new Error(`${what}, and moto's ${stackName} has no output ${outputName} (it has ${Object.keys(outputs).sort().join(', ') || 'none'})`);
        }
        const entry = reads.get(stackName) ?? { outputs: new Set<string>(), readers: new Set<string>(), count: 0, roles: false };
        entry.outputs.add(outputName);
        entry.readers.add(readerName);
        entry.count++;
        entry.roles ||= roleArn !== undefined;
        reads.set(stackName, entry);
        return outputs[outputName];
      });
    }
  }
  return [...reads].sort(([a], [b]) => a.localeCompare(b)).map(([stackName, { outputs, readers, count, roles }]) =>
    `Fn::GetStackOutput of ${stackName}: its output${outputs.size > 1 ? 's' : ''} ${[...outputs].sort().join(', ')}, read ${count} times by`
    + ` ${readers.size} resources and outputs (${[...readers].join(', ')}), are the values moto's ${stackName} has`
    + ' (moto\'s CloudFormation does not implement Fn::GetStackOutput and passes it on as an object)'
    + (roles ? '; their RoleArn is not assumed (moto has one account)' : ''));
}

/**
 * moto's CloudFormation skips AWS::Lambda::Alias, and a reference to a skipped resource resolves to
 * nothing, which fails the whole stack. So, before deploying, every caller that names an alias (an
 * event source mapping, a permission, an asynchronous-invocation config) is pointed at the alias's
 * function instead, at $LATEST, and so is every policy, state machine and rule that holds the
 * alias's ARN (they get the function's); the resources so changed are returned, and each suite
 * asserts the list. Types moto skips unread (a REST API's methods) keep theirs; a reference to an
 * alias anywhere else is refused, not guessed.
 *
 * The other changes are returned in `changed`, one sentence each:
 * - first, each `Fn::GetStackOutput` (a weak cross-stack reference), which moto 5.2.1 does not
 *   implement, becomes the value of the output in moto's producer stack (`options.stackOutputs`):
 *   see resolveStackOutputs;
 * - a dashboard's references to the alarms (which moto skips as well) become literal alarm ARNs,
 *   and a dashboard's or an event rule's references to AWS Backup vaults (skipped too) the names
 *   the template gives them and the ARNs of those names, so the dashboard and the rule deploy;
 * - `Fn::GetAtt <database>.MasterUserSecret.SecretArn`, which moto cannot resolve, becomes the ARN
 *   of the stand-in secret the harness created (`options.masterUserSecretArns`);
 * - the instances of an Aurora cluster are removed (moto 5.2.1 crashes on them; it skips the
 *   cluster itself): see removeClusterInstances;
 * - a `Ref` or `Fn::GetAtt` of a cluster (its endpoints, port, resource id, ARN) from a resource
 *   moto creates or an output becomes the value CloudFormation would return, from the identifier
 *   the template gives the cluster: see standInForClusters;
 * - an RDS instance's `DBParameterGroupName` is removed: moto 5.2.1 passes the `Ref` on as the
 *   group object, not its name, and CreateStack crashes (a literal name fails too: moto creates the
 *   instance before the group);
 * - each `AWS::DynamoDB::GlobalTable` (aws-cdk-lib's TableV2), which moto 5.2.1 does not have,
 *   becomes a single-region `AWS::DynamoDB::Table` under the same logical id (so `Ref`, `Fn::GetAtt
 *   Arn` and `Fn::GetAtt StreamArn` still resolve): see globalTableAsTable;
 * - a resource's `Ref` or `Fn::GetAtt` of an ElastiCache resource (a client's environment naming the
 *   endpoint, a grant naming the cache's or the user's ARN), which moto 5.2.1 has none of, becomes
 *   the value CloudFormation would return, from the names the template gives them (elastiCacheValue);
 * - an output that reads a resource or attribute moto does not have is removed. moto evaluates
 *   outputs only when DescribeStacks serializes the stack, and one it cannot resolve fails that call
 *   with an HTML error page, which the SDK reports as an XML parse error (a bare `Fn::GetAtt` is
 *   refused at CreateStack instead, or crashes it when moto has no such type).
 *
 * The template returned is a copy; the deployed stack keeps the synthesized one for the tests to read.
 */
export function forMoto(original: any, options: ForMotoOptions = {}): { template: any; redirected: string[]; changed: string[] } {
  const template = JSON.parse(JSON.stringify(original));
  const resources: Record<string, { Type: string; Properties?: Record<string, any> }> = template.Resources;
  // First, so every rule after it sees the values CloudFormation would have read from the other stacks.
  const changed: string[] = resolveStackOutputs(template, options.stackOutputs);
  const aliases = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Alias');
  const redirected: string[] = [];
  for (const [aliasId, alias] of aliases) {
    const aliasRef = JSON.stringify({ Ref: aliasId });
    const namesAlias = (value: unknown) => JSON.stringify(value).includes(aliasRef);
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (logicalId === aliasId || SKIPPED_ALIAS_CALLERS.has(resource.Type) || !namesAlias(resource.Properties ?? {})) continue;
      if (ALIAS_ARN_HOLDERS.has(resource.Type)) {
        const functionRef = alias.Properties!.FunctionName;
        if (typeof functionRef?.Ref !== 'string') {
          throw new Error(`${logicalId} (${resource.Type}) holds the ARN of the alias ${aliasId}, whose function is not a Ref the harness can turn into an ARN`);
        }
        const functionArn = { 'Fn::GetAtt': [functionRef.Ref, 'Arn'] };
        resource.Properties = JSON.parse(JSON.stringify(resource.Properties),
          (_key, value) => (value?.Ref === aliasId && Object.keys(value).length === 1 ? functionArn : value));
        if (!redirected.includes(logicalId)) redirected.push(logicalId);
        continue;
      }
      const caller = ALIAS_CALLERS[resource.Type];
      const others = Object.entries(resource.Properties!).filter(([key, value]) => key !== caller?.property && namesAlias(value));
      if (!caller || others.length > 0) {
        throw new Error(`${logicalId} (${resource.Type}) references the alias ${aliasId} where the harness cannot redirect it for moto`);
      }
      resource.Properties![caller.property] = caller.instead(alias.Properties!.FunctionName);
      redirected.push(logicalId);
    }
  }
  for (const [tableId, table] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable')) {
    changed.push(globalTableAsTable(tableId, table));
  }
  // moto skips alarms too, so a dashboard's references to their ARNs become the ARNs they would have;
  // and AWS Backup, so a dashboard's or an event rule's references to a vault's name or ARN become
  // the name the template gives it (a literal, or an expression moto evaluates, such as one of the
  // stack's id) and the ARN that name has.
  const alarmIds = new Set(Object.keys(resources).filter((id) => resources[id].Type === 'AWS::CloudWatch::Alarm'));
  const vaultNames = new Map(Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Backup::BackupVault' && r.Properties?.BackupVaultName !== undefined)
    .map(([id, r]) => [id, r.Properties!.BackupVaultName as unknown]));
  const vaultReference = (value: any): unknown => {
    const getAtt = value?.['Fn::GetAtt'];
    const [vaultId, attribute] = Array.isArray(getAtt) ? getAtt : [value?.Ref, 'BackupVaultName'];
    if (typeof vaultId !== 'string' || !vaultNames.has(vaultId) || Object.keys(value).length !== 1) return undefined;
    const name = vaultNames.get(vaultId)!;
    return attribute === 'BackupVaultName' ? name
      : attribute === 'BackupVaultArn' ? { 'Fn::Join': ['', [`arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:`, name]] } : undefined;
  };
  const vaultReaders = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard' || r.Type === 'AWS::Events::Rule');
  for (const [readerId, reader] of vaultReaders) {
    const alarms = new Set<string>();
    let vaultReferences = 0;
    reader.Properties = JSON.parse(JSON.stringify(reader.Properties), (_key, value) => {
      const getAtt = value?.['Fn::GetAtt'];
      if (reader.Type === 'AWS::CloudWatch::Dashboard' && Array.isArray(getAtt) && alarmIds.has(getAtt[0]) && getAtt[1] === 'Arn') {
        alarms.add(getAtt[0]);
        return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${getAtt[0]}`;
      }
      const literal = vaultReference(value);
      if (literal === undefined) return value;
      vaultReferences++;
      return literal;
    });
    if (alarms.size > 0) changed.push(`${readerId}: the ARNs of its ${alarms.size} alarms are literal (moto skips alarms)`);
    if (vaultReferences > 0) changed.push(`${readerId}: its ${vaultReferences} references to backup vaults are their names and ARNs as the template writes them (moto skips AWS Backup)`);
  }
  // ElastiCache: moto skips every type unread, and a Fn::GetAtt of one from any other resource fails
  // CreateStack ("references undefined resource"), so each reference becomes the value
  // CloudFormation would return (elastiCacheValue). Skipped resources may keep theirs.
  for (const [readerId, reader] of Object.entries(resources).filter(([, r]) => !r.Type.startsWith('AWS::ElastiCache::'))) {
    const read = new Set<string>();
    const properties = JSON.parse(JSON.stringify(reader.Properties ?? {}), (_key, value) => {
      const getAtt = value?.['Fn::GetAtt'];
      const [targetId, attribute] = Array.isArray(getAtt) ? getAtt : [value?.Ref, undefined];
      if (typeof targetId !== 'string' || !resources[targetId]?.Type.startsWith('AWS::ElastiCache::') || Object.keys(value).length !== 1) return value;
      read.add(attribute ? `${targetId}.${attribute}` : targetId);
      return elastiCacheValue(targetId, resources[targetId], attribute, readerId);
    });
    // What is left is inside an Fn::Sub, which the harness does not rewrite.
    const left = referencesIn(properties).filter(([id]) => resources[id]?.Type.startsWith('AWS::ElastiCache::'));
    if (left.length > 0) {
      throw new Error(`${readerId} (${reader.Type}) reads ${left.map(([id, attribute]) => (attribute ? `${id}.${attribute}` : id)).join(', ')}`
        + ' in an Fn::Sub, where the harness cannot stand in for ElastiCache');
    }
    if (read.size > 0) {
      reader.Properties = properties;
      changed.push(`${readerId}: its references to ${[...read].sort().join(', ')} are the values CloudFormation would return,`
        + " from the names the template gives them (moto's CloudFormation has no ElastiCache)");
    }
  }
  // moto's EventBus has no physical id, so a Ref to it resolves to the bus object, on which a rule's
  // CreateStack crashes (HTTP 500); Fn::GetAtt Name is what CloudFormation's Ref returns anyway
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-eventbus.html#aws-resource-events-eventbus-return-values).
  for (const busId of Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Events::EventBus')) {
    const readers: string[] = [];
    for (const section of ['Resources', 'Outputs'] as const) {
      for (const [id, item] of Object.entries<any>(template[section] ?? {})) {
        const replaced = JSON.parse(JSON.stringify(item),
          (_key, value) => (value?.Ref === busId && Object.keys(value).length === 1 ? { 'Fn::GetAtt': [busId, 'Name'] } : value));
        if (JSON.stringify(replaced) === JSON.stringify(item)) continue;
        template[section][id] = replaced;
        readers.push(section === 'Outputs' ? `output ${id}` : id);
      }
    }
    if (readers.length > 0) changed.push(`Ref ${busId}: read by ${readers.join(', ')} as Fn::GetAtt Name, the same value (moto resolves the Ref to an object)`);
  }
  // moto's Archive passes EventPattern to json.loads, so it takes only the pattern as a string, where
  // CloudFormation takes the object too (its Rule serializes the object first; moto/events/models.py).
  for (const [archiveId, archive] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Archive')) {
    const pattern = archive.Properties?.EventPattern;
    if (pattern === undefined || typeof pattern === 'string' || Object.keys(pattern).some((key) => key.startsWith('Fn::') || key === 'Ref')) continue;
    archive.Properties!.EventPattern = JSON.stringify(pattern);
    changed.push(`${archiveId}: its EventPattern is passed as a JSON string, the same pattern (moto's Archive reads only a string)`);
  }
  // An archive without a name: moto names it <stack>-<logical id>-<suffix> without truncating, and
  // its own EventBridge refuses names over 48 characters, where CloudFormation's stay within.
  for (const [archiveId, archive] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Archive')) {
    if (archive.Properties?.ArchiveName !== undefined) continue;
    archive.Properties = { ...archive.Properties, ArchiveName: archiveId.slice(0, 48) };
    changed.push(`${archiveId}: named ${archiveId.slice(0, 48)} (the name moto would generate is over EventBridge's 48 characters)`);
  }
  changed.push(...removeClusterInstances(template, options.motoResolves));
  changed.push(...standInForClusters(template, options.motoResolves));
  // The master user secret RDS manages: moto has none, so its reads become the stand-in's ARN.
  for (const [databaseId, database] of Object.entries(resources).filter(([, r]) => r.Type.startsWith('AWS::RDS::'))) {
    const readers: string[] = [];
    const replace = (value: any) => JSON.parse(JSON.stringify(value), (_key, v) => {
      const getAtt = v?.['Fn::GetAtt'];
      if (!(Array.isArray(getAtt) && getAtt[0] === databaseId && getAtt[1] === 'MasterUserSecret.SecretArn')) return v;
      const arn = options.masterUserSecretArns?.[databaseId];
      if (!arn) throw new Error(`The template reads ${databaseId}.MasterUserSecret.SecretArn, which moto cannot resolve, and the harness has no stand-in secret for it`);
      return arn;
    });
    for (const section of ['Resources', 'Outputs'] as const) {
      for (const [id, item] of Object.entries<any>(template[section] ?? {})) {
        const replaced = replace(item);
        if (JSON.stringify(replaced) !== JSON.stringify(item)) {
          template[section][id] = replaced;
          readers.push(section === 'Outputs' ? `output ${id}` : id);
        }
      }
    }
    if (readers.length > 0) {
      changed.push(`${databaseId}.MasterUserSecret.SecretArn: read by ${readers.join(', ')}; it is the ARN of a stand-in secret the harness created`
        + ' through the Secrets Manager API (moto\'s CloudFormation creates none)');
    }
    if (database.Type === 'AWS::RDS::DBInstance' && database.Properties?.DBParameterGroupName !== undefined) {
      delete resources[databaseId].Properties!.DBParameterGroupName;
      changed.push(`${databaseId}: deployed without its DBParameterGroupName (moto 5.2.1 crashes on it), so its parameters are not applied`);
    }
  }
  // An output another stack reads through Fn::GetStackOutput is not removed below, or that stack
  // could not read it: its references to alarms, backup vaults and ElastiCache resources, which moto
  // does not have, become the values the rules above give a dashboard, a rule or a client.
  const readElsewhere = new Set(options.outputsReadElsewhere ?? []);
  const keptOutputs: string[] = [];
  for (const outputId of [...readElsewhere].filter((id) => template.Outputs?.[id] !== undefined)) {
    const read = new Set<string>();
    template.Outputs[outputId].Value = JSON.parse(JSON.stringify(template.Outputs[outputId].Value), (_key, value) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1) return value;
      const getAtt = value['Fn::GetAtt'];
      const [targetId, attribute] = Array.isArray(getAtt) ? getAtt : [value.Ref, undefined];
      if (typeof targetId !== 'string' || !resources[targetId]) return value;
      const name = attribute ? `${targetId}.${attribute}` : targetId;
      if (alarmIds.has(targetId) && attribute === 'Arn') {
        read.add(name);
        return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${targetId}`;
      }
      const vault = vaultReference(value);
      if (vault !== undefined) {
        read.add(name);
        return vault;
      }
      if (!resources[targetId].Type.startsWith('AWS::ElastiCache::')) return value;
      read.add(name);
      return elastiCacheValue(targetId, resources[targetId], attribute, `output ${outputId}`);
    });
    if (read.size > 0) keptOutputs.push(`${outputId} (${[...read].join(', ')})`);
  }
  if (keptOutputs.length > 0) {
    changed.push(`outputs ${keptOutputs.join(', ')}: read by other stacks through Fn::GetStackOutput, so kept, with what they read that moto's`
      + ' CloudFormation does not have as the values the harness gives it elsewhere (an alarm\'s ARN as a dashboard\'s, a vault\'s name and ARN'
      + ' as the template writes them, an ElastiCache value as CloudFormation would return it)');
  }
  // Outputs that read what moto does not have: they would fail every DescribeStacks of the stack.
  const outputs = Object.entries<any>(template.Outputs ?? {});
  const references = outputs.map(([, output]) => referencesIn(output.Value)
    .filter(([logicalId]) => resources[logicalId])
    .map(([logicalId, attribute]) => ({ logicalId, attribute, type: resources[logicalId].Type })));
  const pairs = references.flat().map(({ type, attribute }) => [type, attribute] as [string, string | undefined]);
  const resolved = pairs.length > 0 && options.motoResolves ? options.motoResolves(pairs) : pairs.map(() => true);
  let index = 0;
  outputs.forEach(([outputId], i) => {
    const unresolved = references[i].filter(() => !resolved[index++]);
    if (unresolved.length === 0) return;
    const what = unresolved.map(({ logicalId, attribute, type }) => `${attribute ? `${logicalId}.${attribute}` : logicalId} (${type})`);
    if (readElsewhere.has(outputId)) {
      throw new Error(`output ${outputId} is read by another stack through Fn::GetStackOutput, and it reads ${[...new Set(what)].join(', ')},`
        + " which moto's CloudFormation does not have and the harness does not stand in for");
    }
    delete template.Outputs[outputId];
    changed.push(`output ${outputId}: removed, it reads ${[...new Set(what)].join(', ')}, which moto's CloudFormation does not have`);
  });
  return { template, redirected: redirected.sort(), changed };
}

/**
 * moto 5.2.1's CloudFormation has no `AWS::RDS::DBCluster` (it skips the cluster unread), and its
 * `AWS::RDS::DBInstance` drops `DBClusterIdentifier` and, without an `EngineVersion`, looks up a
 * default version for the engine, which it has none of for `aurora-postgresql` or `aurora-mysql`:
 * CreateStack crashes with HTTP 500 (`KeyError: 'aurora-postgresql'`, `DBInstance.__init__` in
 * moto/rds/models.py). With a version it would create a standalone instance, not a member of the
 * cluster. So each instance of a cluster (a DBInstance with a `DBClusterIdentifier`) is removed,
 * and so are the `DependsOn` that name it and the outputs that read it; a resource moto reads that
 * reads one is refused, not guessed (a type moto skips unread, such as an alarm, may keep its
 * reference). Returns one sentence per cluster, and one per output removed.
 */
function removeClusterInstances(template: any, motoResolves?: ForMotoOptions['motoResolves']): string[] {
  const resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[] }> = template.Resources;
  const byCluster = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const cluster = resource.Type === 'AWS::RDS::DBInstance' ? resource.Properties?.DBClusterIdentifier : undefined;
    if (cluster === undefined) continue;
    const name = typeof cluster === 'string' ? cluster : typeof cluster?.Ref === 'string' ? cluster.Ref : JSON.stringify(cluster);
    byCluster.set(name, [...byCluster.get(name) ?? [], id]);
  }
  const removed = new Set([...byCluster.values()].flat());
  if (removed.size === 0) return [];
  const sentences = [...byCluster].map(([cluster, ids]) => {
    const engines = [...new Set(ids.map((id) => String(resources[id].Properties?.Engine)))].sort();
    return `${cluster}: its instances ${ids.join(', ')} are removed (moto 5.2.1's DBInstance drops DBClusterIdentifier and crashes CreateStack`
      + ` on ${engines.join(', ')}, which it has no default version for)`;
  });
  for (const id of removed) delete resources[id];

  const readers = Object.entries(resources)
    .map(([id, resource]) => ({ id, type: resource.Type, read: referencesIn(resource.Properties ?? {}).filter(([target]) => removed.has(target)) }))
    .filter(({ read }) => read.length > 0);
  const read = readers.length > 0 && motoResolves ? motoResolves(readers.map(({ type }) => [type, undefined])) : readers.map(() => true);
  const refused = readers.filter((_, i) => read[i]);
  if (refused.length > 0) {
    const { id, type, read: [[target, attribute]] } = refused[0];
    throw new Error(`${id} (${type}) reads ${attribute ? `${target}.${attribute}` : target}, an instance of an Aurora cluster,`
      + ' which the harness removes for moto (it crashes on one) and cannot stand in for');
  }
  const dependents: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const dependsOn = typeof resource.DependsOn === 'string' ? [resource.DependsOn] : resource.DependsOn;
    if (!dependsOn?.some((target) => removed.has(target))) continue;
    const kept = dependsOn.filter((target) => !removed.has(target));
    if (kept.length > 0) resource.DependsOn = kept;
    else delete resource.DependsOn;
    dependents.push(id);
  }
  if (dependents.length > 0) sentences.push(`${dependents.sort().join(', ')}: no longer DependsOn the removed cluster instances`);
  for (const [outputId, output] of Object.entries<any>(template.Outputs ?? {})) {
    const reads = referencesIn(output.Value).filter(([target]) => removed.has(target));
    if (reads.length === 0) continue;
    delete template.Outputs[outputId];
    sentences.push(`output ${outputId}: removed, it reads ${[...new Set(reads.map(([target, attribute]) => (attribute ? `${target}.${attribute}` : target)))].join(', ')},`
      + ' an instance of an Aurora cluster the harness removed');
  }
  return sentences;
}

// The attributes of a cluster the harness stands in for, in the order its sentence lists them; its
// MasterUserSecret.SecretArn is the stand-in secret's (forMoto), any other is refused.
const CLUSTER_ATTRIBUTES = ['Ref', 'DBClusterArn', 'DBClusterResourceId', 'Endpoint.Address', 'Endpoint.Port', 'ReadEndpoint.Address'];

/**
 * What CloudFormation returns for a `Ref` or `Fn::GetAtt` of an `AWS::RDS::DBCluster`, built from
 * the `DBClusterIdentifier` the template gives it (RDS stores it in lower case). The return values
 * are CloudFormation's
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html#aws-resource-rds-dbcluster-return-values:
 * `Ref` is the DBClusterIdentifier; Endpoint.Port a string); the host names have Aurora's form,
 * `<cluster>.cluster-<id>.<region>.rds.amazonaws.com` and `<cluster>.cluster-ro-<id>...` for the
 * reader endpoint (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Cluster.html,
 * .../Aurora.Endpoints.Reader.html), with `moto` where RDS puts the identifier of the account and
 * region, so they resolve nowhere (as elastiCacheValue's). The resource id has RDS's form, `cluster-`
 * and 26 upper-case letters and digits, as in `rds-db:connect` ARNs
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html),
 * derived from the identifier so two clusters differ and every reader gets the same. The port is
 * the template's `Port`, or the engine's default, 3306 for MySQL and 5432 for PostgreSQL
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html, `Port`).
 * Anything else is refused, not guessed.
 */
function clusterValue(id: string, cluster: { Properties?: Record<string, any> }, attribute: string | undefined, readerId: string): string {
  const what = `${readerId} reads ${attribute ? `${id}.${attribute}` : id} (AWS::RDS::DBCluster)`;
  const identifier = cluster.Properties?.DBClusterIdentifier;
  if (typeof identifier !== 'string') {
    throw new Error(`${what}, which moto cannot resolve, and the template gives it no literal DBClusterIdentifier to build the value from`);
  }
  const name = identifier.toLowerCase();
  const engine = String(cluster.Properties?.Engine ?? '');
  const port = cluster.Properties?.Port ?? (/postgres/.test(engine) ? 5432 : /mysql|^aurora$/.test(engine) ? 3306 : undefined);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const resourceId = `cluster-${[...createHash('sha256').update(`${ACCOUNT}/${REGION}/${name}`).digest()].slice(0, 26)
    .map((byte) => alphabet[byte % alphabet.length]).join('')}`;
  const values: Record<string, string | undefined> = {
    'Ref': name,
    'DBClusterArn': `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${name}`,
    'DBClusterResourceId': resourceId,
    'Endpoint.Address': `${name}.cluster-moto.${REGION}.rds.amazonaws.com`,
    'Endpoint.Port': typeof port === 'number' || typeof port === 'string' ? String(port) : undefined,
    'ReadEndpoint.Address': `${name}.cluster-ro-moto.${REGION}.rds.amazonaws.com`,
  };
  const value = values[attribute ?? 'Ref'];
  if (value === undefined) {
    throw new Error(attribute === 'Endpoint.Port'
      ? `${what}, which moto cannot resolve, and the template gives it no literal Port, nor an engine (${engine || 'none'}) whose default port the harness knows`
      : `${what}, which moto cannot resolve and the harness does not stand in for`);
  }
  return value;
}

/**
 * moto 5.2.1's CloudFormation has no `AWS::RDS::DBCluster`: it skips the cluster unread, and a
 * `Fn::GetAtt` of it from a resource moto creates fails CreateStack ("Template error: instance of
 * Fn::GetAtt references undefined resource"), while a `Ref` resolves to nothing. So in each resource
 * moto creates (a type `motoResolves` has a model for; a type it skips unread, such as an alarm or
 * an RDS Proxy's target group, keeps its references) and in each output, a `Ref` or `Fn::GetAtt` of
 * a cluster, also inside an `Fn::Sub`, becomes the value CloudFormation would return (clusterValue).
 * `MasterUserSecret.SecretArn` is left to the stand-in secret (forMoto). A resource whose reference
 * cannot be stood in for is refused; such an output is left to forMoto's rule on outputs, which
 * removes it and says so. Returns one sentence per cluster read, naming its readers and the values
 * they get.
 */
function standInForClusters(template: any, motoResolves?: ForMotoOptions['motoResolves']): string[] {
  const resources: Record<string, { Type: string; Properties?: Record<string, any> }> = template.Resources;
  const clusters = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::RDS::DBCluster');
  if (clusters.length === 0) return [];
  const standsIn = (clusterId: string, attribute: string | undefined) => clusterId !== undefined && clusters.includes(clusterId)
    && attribute !== 'MasterUserSecret.SecretArn';
  const candidates = Object.entries(resources).filter(([id, r]) => !clusters.includes(id)
    && referencesIn(r.Properties ?? {}).some(([target, attribute]) => standsIn(target, attribute)));
  const created = candidates.length > 0 && motoResolves ? motoResolves(candidates.map(([, r]) => [r.Type, undefined])) : candidates.map(() => true);
  const readers: Array<[string, string, any]> = [
    ...candidates.filter((_, i) => created[i]).map(([id, r]) => [id, id, r.Properties] as [string, string, any]),
    ...Object.entries<any>(template.Outputs ?? {}).map(([id, output]) => [`output ${id}`, id, output.Value] as [string, string, any]),
  ];
  const read = new Map<string, { readers: Set<string>; values: Map<string, string> }>();
  const replaced = (readerName: string, value: any) => {
    const values: Array<[string, string, string]> = [];
    const lookUp = (clusterId: string, attribute: string | undefined) => {
      const found = clusterValue(clusterId, resources[clusterId], attribute, readerName);
      values.push([clusterId, attribute ?? 'Ref', found]);
      return found;
    };
    const after = JSON.parse(JSON.stringify(value), (_key, v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const getAtt = v['Fn::GetAtt'];
      const [target, attribute] = Array.isArray(getAtt) ? getAtt : [v.Ref, undefined];
      const alone = Object.keys(v).length === 1;
      if (alone && typeof target === 'string' && standsIn(target, attribute)) return lookUp(target, attribute);
      const sub = v['Fn::Sub'];
      if (!alone || (typeof sub !== 'string' && !(Array.isArray(sub) && typeof sub[0] === 'string'))) return v;
      // ${Cluster} and ${Cluster.Attribute} in the string, but for the names the Fn::Sub maps itself.
      const [text, variables = {}] = typeof sub === 'string' ? [sub, undefined] : sub;
      const rewritten = (text as string).replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
        const [clusterId, ...rest] = name.split('.');
        const subAttribute = rest.length > 0 ? rest.join('.') : undefined;
        return name in variables || !standsIn(clusterId, subAttribute) ? whole : lookUp(clusterId, subAttribute);
      });
      return { 'Fn::Sub': typeof sub === 'string' ? rewritten : [rewritten, ...sub.slice(1)] };
    });
    return { after, values };
  };
  for (const [readerName, id, value] of readers) {
    let result: ReturnType<typeof replaced>;
    try {
      result = replaced(readerName, value);
    } catch (error) {
      // An output the harness cannot stand in for is left to the rule on outputs, which removes it and says so.
      if (readerName.startsWith('output ')) continue;
      throw error;
    }
    if (result.values.length === 0) continue;
    if (readerName.startsWith('output ')) template.Outputs[id].Value = result.after;
    else resources[id].Properties = result.after;
    for (const [clusterId, attribute, found] of result.values) {
      const entry = read.get(clusterId) ?? { readers: new Set<string>(), values: new Map<string, string>() };
      entry.readers.add(readerName);
      entry.values.set(attribute, found);
      read.set(clusterId, entry);
    }
  }
  return [...read].map(([clusterId, { readers: names, values }]) => {
    const attributes = CLUSTER_ATTRIBUTES.filter((attribute) => values.has(attribute)).map((attribute) => `${attribute} ${values.get(attribute)}`);
    return `${clusterId}: read by ${[...names].join(', ')} as the values CloudFormation would return, from its DBClusterIdentifier`
      + ` (moto's CloudFormation has no AWS::RDS::DBCluster): ${attributes.join(', ')}`;
  });
}

/** The resources (and attributes) a template value reads through Ref, Fn::GetAtt and Fn::Sub. */
function referencesIn(value: any): Array<[string, string | undefined]> {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (typeof value === 'string' || value === null || typeof value !== 'object') return [];
  const found: Array<[string, string | undefined]> = [];
  if (typeof value.Ref === 'string') found.push([value.Ref, undefined]);
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.push([getAtt[0], typeof getAtt[1] === 'string' ? getAtt[1] : undefined]);
  const sub = value['Fn::Sub'];
  const subText = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
  if (typeof subText === 'string') {
    for (const [, name] of subText.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const [logicalId, ...attribute] = name.split('.');
      found.push([logicalId, attribute.length > 0 ? attribute.join('.') : undefined]);
    }
  }
  return [...found, ...Object.values(value).flatMap(referencesIn)];
}

/**
 * Asks moto itself, through the Python that has it installed, which references its CloudFormation
 * resolves: a type it has a model for and, for Fn::GetAtt, an attribute that model declares
 * (moto/cloudformation/parsing.py, `get_model_map` and `has_cfn_attr`). Python is found as
 * moto_server's own interpreter when its script names one, otherwise as `python3`.
 */
export function motoResolvesReferences(references: Array<[string, string | undefined]>): boolean[] {
  const script = [
    'import json, sys',
    'from moto.cloudformation.parsing import get_model_map',
    'models = get_model_map()',
    'print(json.dumps([t in models and (a is None or models[t].has_cfn_attr(a)) for t, a in json.load(sys.stdin)]))',
  ].join('\n');
  const result = spawnSync(motoPython(), ['-c', script], { input: JSON.stringify(references), encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`Could not ask moto which template references it resolves (${motoPython()} exited with ${result.status ?? result.error?.message}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

function motoPython(): string {
  const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
  const shebang = found && fs.existsSync(found) ? fs.readFileSync(found, 'utf8').split('\n')[0] : '';
  const interpreter = /^#!\s*(\S*python[\d.]*)\s*$/.exec(shebang)?.[1];
  return interpreter && fs.existsSync(interpreter) ? interpreter : 'python3';
}

/** What moto created for each resource of a stack's template, and which types it skipped. */
export async function describeDeployedStack(
  stackName: string, stackId: string, template: any, answeredCustomResources: string[], redirectedFromAliases: string[],
  changedForMoto: string[] = [],
): Promise<DeployedStack> {
  const cloudFormation = new CloudFormationClient(motoClientConfig());
  const reported = new Map<string, string>();
  for await (const page of paginateListStackResources({ client: cloudFormation }, { StackName: stackName })) {
    for (const summary of page.StackResourceSummaries ?? []) reported.set(summary.LogicalResourceId!, summary.PhysicalResourceId ?? '');
  }
  const resources = Object.entries(template.Resources as Record<string, { Type: string }>).map(([logicalId, resource]) => ({
    logicalId,
    type: resource.Type,
    physicalId: reported.get(logicalId) ?? '',
  }));
  const skippedTypes = [...new Set(resources.filter((r) => !r.physicalId).map((r) => r.type))].sort();
  return { stackName, stackId, template, resources, skippedTypes, answeredCustomResources, redirectedFromAliases, changedForMoto };
}

/** What `cdk bootstrap` leaves in an account and `cdk deploy` checks: the version parameter and the assets bucket. */
export async function bootstrapMoto(): Promise<void> {
  await new SSMClient(motoClientConfig()).send(new PutParameterCommand({
    Name: `/cdk-bootstrap/${BOOTSTRAP_QUALIFIER}/version`,
    Value: '30',
    Type: 'String',
    Overwrite: true,
  }));
  // Creating a bucket you already own in us-east-1 succeeds, so every test file may do it.
  await new S3Client({ ...motoClientConfig(), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: ASSETS_BUCKET }));
}

/** Uploads each file asset as cdk-assets would: a directory zipped, a file as it is. */
async function publishFileAssets(artifact: cxapi.CloudFormationStackArtifact): Promise<void> {
  const s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
  const manifests = artifact.dependencies.filter((dep): dep is cxapi.AssetManifestArtifact => dep instanceof cxapi.AssetManifestArtifact);
  for (const manifest of manifests) {
    const { files = {} } = JSON.parse(fs.readFileSync(manifest.file, 'utf8'));
    for (const asset of Object.values<any>(files)) {
      // Relative to the manifest's own assembly: a cdk.Stage's stacks are in a nested one.
      const source = path.join(path.dirname(manifest.file), asset.source.path);
      const body = asset.source.packaging === 'zip' ? zipDirectory(source) : fs.readFileSync(source);
      for (const destination of Object.values<any>(asset.destinations)) {
        const bucket = String(destination.bucketName).replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: destination.objectKey, Body: body }));
      }
    }
  }
}

/**
 * Custom resource handlers are Lambda functions, which moto runs only in Docker. Without it
 * moto waits for the callback forever, so the harness answers SUCCESS for each one: the stack
 * completes, but what the handler would have done is not exercised.
 */
export async function answerCustomResources(template: any, stackId: string): Promise<string[]> {
  const custom = Object.entries(template.Resources as Record<string, { Type: string }>)
    .filter(([, resource]) => resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource')
    .map(([logicalId]) => logicalId);
  for (const logicalId of custom) {
    const response = await fetch(`${motoClientConfig().endpoint}/cloudformation_${REGION}/cfnresponse?stack=${encodeURIComponent(stackId)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Status: 'SUCCESS', StackId: stackId, LogicalResourceId: logicalId, PhysicalResourceId: logicalId, Data: {} }),
    });
    if (!response.ok) throw new Error(`moto refused the answer to custom resource ${logicalId}: ${response.status} ${await response.text()}`);
  }
  return custom;
}

/**
 * moto answers an exception it does not map to an AWS error with Werkzeug's HTML page and HTTP 500,
 * and an error another service raises inside CreateStack in that service's protocol (JSON for
 * EventBridge); the SDK reports either as an XML parse error, so this says where to look instead.
 */
function explainMotoCrash(error: any, operation: string): Error {
  if (error?.$metadata?.httpStatusCode !== 500 && !/XML parse error/.test(String(error?.message))) return error;
  return new Error(
    `moto answered ${operation} with HTTP ${error?.$metadata?.httpStatusCode ?? '(status unknown)'} and a body that is not CloudFormation's XML:`
    + ' a crash (its log has the Python traceback) or an error of another of its services passed through as it is.'
    + ` The SDK said: ${error.message}`,
  );
}

async function waitForCreateComplete(cloudFormation: CloudFormationClient, stackName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Stacks: [stack] = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))
      .catch((error: any) => { throw explainMotoCrash(error, 'DescribeStacks'); });
    if (stack?.StackStatus === 'CREATE_COMPLETE') return;
    if (stack?.StackStatus !== 'CREATE_IN_PROGRESS' || Date.now() > deadline) {
      throw new Error(`${stackName} is ${stack?.StackStatus}: ${stack?.StackStatusReason ?? 'no reason given'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Resolves the intrinsics a skipped resource's properties use, against what moto created: Ref of
 * a topic or queue, and Fn::GetAtt of a queue's Arn. Anything else is refused, not guessed.
 */
export function resolveProperty(stack: DeployedStack, value: any): any {
  if (Array.isArray(value)) return value.map((item) => resolveProperty(stack, item));
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) return physicalId(stack, value.Ref);
  if ('Fn::GetAtt' in value) {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    const type = stack.template.Resources[logicalId]?.Type;
    if (type === 'AWS::SQS::Queue' && attribute === 'Arn') {
      // A queue's physical id is its URL, whose last segment is its name.
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${physicalId(stack, logicalId).split('/').pop()}`;
    }
    throw new Error(`The harness cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${type})`);
  }
  const keys = Object.keys(value);
  if (keys.some((key) => key.startsWith('Fn::'))) throw new Error(`The harness cannot resolve ${keys.join(', ')}`);
  return Object.fromEntries(keys.map((key) => [key, resolveProperty(stack, value[key])]));
}

/**
 * moto's CloudFormation skips AWS::SNS::Subscription. This subscribes through the SNS API
 * instead, with each subscription's own template properties (protocol, endpoint, filter policy
 * and scope, raw delivery, redrive policy), and returns the subscription ARN per logical id.
 */
export async function subscribeSkippedSubscriptions(stack: DeployedStack): Promise<Record<string, string>> {
  const sns = new SNSClient(motoClientConfig());
  const arns: Record<string, string> = {};
  for (const logicalId of logicalIdsOfType(stack, 'AWS::SNS::Subscription')) {
    const properties = resolveProperty(stack, stack.template.Resources[logicalId].Properties);
    const { TopicArn, Protocol, Endpoint, FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy, ...rest } = properties;
    const unsupported = Object.keys(rest).filter((key) => key !== 'Region');
    if (unsupported.length > 0) throw new Error(`${logicalId} has properties the harness does not subscribe with: ${unsupported.join(', ')}`);
    const attributes: Record<string, string> = {};
    if (FilterPolicy) attributes.FilterPolicy = JSON.stringify(FilterPolicy);
    if (FilterPolicyScope) attributes.FilterPolicyScope = FilterPolicyScope;
    if (RawMessageDelivery !== undefined) attributes.RawMessageDelivery = String(RawMessageDelivery);
    if (RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(RedrivePolicy);
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({
      TopicArn, Protocol, Endpoint, Attributes: attributes, ReturnSubscriptionArn: true,
    }));
    arns[logicalId] = SubscriptionArn!;
  }
  return arns;
}

/** A stored (uncompressed) zip of a directory: all moto needs of a Lambda code asset. */
function zipDirectory(directory: string): Buffer {
  const files = (fs.readdirSync(directory, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(directory, file)).isFile())
    .sort();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.split(path.sep).join('/'));
    const data = fs.readFileSync(path.join(directory, file));
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01: the same bytes on every run
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralSize = centrals.reduce((size, part) => size + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
