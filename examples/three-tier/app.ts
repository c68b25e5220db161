import { App, CfnOutput, Duration, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AlbAutoScalingGroup, DeploymentStage, GuardedKey, HardenedBackupPlan, HardenedFunction, InMemoryCache, MultiAzVpc, NagPacks,
  OperationsScope, PatternDefaults, RelationalDatabase, SnsFanOut,
} from 'cdk-best-practice-patterns';

/**
 * The network and everything that keeps state: the stack that changes least, deployed first, and
 * (in PROD) retained with its data if it is ever deleted. It knows nothing of its clients: they are
 * let in from the application stack, which is where CloudFormation needs those rules and grants.
 */
class DataStack extends Stack {
  public readonly network: MultiAzVpc;
  public readonly database: RelationalDatabase;
  public readonly cache: InMemoryCache;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // The web tier (and its load balancer) and the workers live in the network's public and
    // private subnets; the data tier in its isolated subnets, which have no route out.
    this.network = new MultiAzVpc(this, 'Network');

    // AWS Backup for the data tier: continuous backups (point-in-time restore) kept 35 days in PROD
    // and 7 in DEV, in a vault under its own key that nobody but the account root may empty, locked
    // in PROD; a failed backup, copy or restore job notifies the alarm topic. `copyTo` would copy
    // each backup to a vault in another region.
    const backups = new HardenedBackupPlan(this, 'Backups');

    // The data tier: PostgreSQL, Multi-AZ in PROD, its master password kept and rotated by RDS in
    // a secret under the database's key, backed up by the plan above. Nothing reaches it until a
    // client is allowed in.
    this.database = new RelationalDatabase(this, 'Database', { vpc: this.network.vpc, databaseName: 'app', backupPlan: backups });

    // The cache tier, in front of the database: ElastiCache for Valkey in the isolated subnets, a
    // Multi-AZ replication group (a primary and a replica on cache.r7g.large) in PROD and
    // ElastiCache Serverless in DEV. Clients read through it (cache-aside): look the key up in the
    // cache, and only on a miss read the database and set the key with a TTL. They connect over TLS
    // only, as the IAM-authenticated user `endpoint.userName` (no password: a token each client
    // signs with its role), and only once allowed in.
    this.cache = new InMemoryCache(this, 'Cache', { vpc: this.network.vpc });

    new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.endpoint.socketAddress, description: 'Reachable from the web tier and the workers only' });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn, description: 'The master credentials, rotated by RDS' });
    new CfnOutput(this, 'CacheEndpoint', {
      value: `${this.cache.endpoint.hostname}:${this.cache.endpoint.port}`,
      description: `TLS only, as the IAM-authenticated user ${this.cache.endpoint.userName}; reachable from the web tier and the workers only`,
    });
  }
}

interface ApplicationStackProps extends StackProps {
  readonly data: DataStack;
  /** `-c certificateArn=arn:aws:acm:...` serves HTTPS; without one, the example opts in to plain HTTP. */
  readonly certificateArn?: string;
}

/**
 * The web tier, the jobs topic and its workers: the stack that changes most. It refers to the data
 * stack (its VPC, its database and cache, their security groups and secret), so CloudFormation
 * deploys it after that one; every rule and grant that names a client lands here, beside the client.
 */
class ApplicationStack extends Stack {
  constructor(scope: Construct, id: string, props: ApplicationStackProps) {
    super(scope, id, props);
    const { network, database, cache } = props.data;
    const production = PatternDefaults.stageOf(this) === DeploymentStage.PROD;

    // The jobs topic's key is created here, not by the pattern, so the web tier can be granted it:
    // a GuardedKey, the key every pattern creates (rotated, and no KMS grant except for AWS
    // services), retained in PROD and deleted with the stack in DEV like the patterns' own.
    const jobsKey = new GuardedKey(this, 'JobsKey', { description: 'Encrypts the jobs topic' });

    /**
     * A background worker in the VPC's private subnets: a HardenedFunction (ARM64, traced, JSON
     * logs in an encrypted log group, a managed-policy role, deployed through an alias by
     * CodeDeploy). It fails on a job marked `"fail": true`, so you can watch the job retried and
     * then parked in the dead-letter queue.
     */
    const worker = (workerId: string): HardenedFunction => {
      const fn = new HardenedFunction(this, workerId, {
        code: lambda.Code.fromInline([
          'exports.handler = async (event) => {',
          '  const batchItemFailures = [];',
          '  for (const record of event.Records) {',
          '    const job = JSON.parse(record.body);',
          '    // A real worker reads through the cache first (cache-aside): it looks the key up in the cache at CACHE_HOST:CACHE_PORT',
          '    // (TLS, user CACHE_USER, an IAM token it signs for CACHE_NAME as the password); on a miss it reads the database (DB_HOST/DB_PORT,',
          '    // credentials from the secret DB_SECRET_ARN) and sets the key with a TTL, so the next read is a hit.',
          '    if (job.fail) { batchItemFailures.push({ itemIdentifier: record.messageId }); continue; }',
          '    console.log(JSON.stringify({ message: "job done", job }));',
          '  }',
          '  return { batchItemFailures };',
          '};',
        ].join('\n')),
        timeout: Duration.seconds(30),
        vpc: network.vpc,
        logRetention: production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.TWO_WEEKS,
        environment: {
          DB_HOST: database.endpoint.hostname,
          DB_PORT: String(database.port),
          DB_SECRET_ARN: database.secret.secretArn,
          CACHE_HOST: cache.endpoint.hostname,
          CACHE_PORT: String(cache.endpoint.port),
          CACHE_USER: cache.endpoint.userName,
          CACHE_NAME: cache.endpoint.cacheName,
          // A serverless cache's token names ResourceType=ServerlessCache (DEV's default).
          CACHE_SERVERLESS: String(cache.endpoint.serverless),
        },
      });
      // Reaches the database on its port, and reads its credentials. The database is in the data
      // stack and the worker here: the ingress rule and the grants land in this stack, so the data
      // stack never refers to this one (which would be a dependency cycle).
      database.allowConnectionsFrom(fn);
      database.secret.grantRead(fn);
      // Reaches the cache on its port, and may authenticate as its application user.
      cache.allowConnectionsFrom(fn);
      cache.grantConnect(fn);
      return fn;
    };

    // Each queue invokes its worker at most 5 times at once, which also bounds the database
    // connections the workers open: the event source mapping's maximum concurrency, which reserves
    // nothing, so it deploys in an account at the default quota of 10, where a reservation
    // (`reservedConcurrentExecutions`) would fail.
    const jobs = new SnsFanOut(this, 'Jobs', {
      masterKey: jobsKey,
      subscribers: [
        {
          name: 'thumbnails',
          filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['image-uploaded'] }) },
          queueOptions: { consumer: worker('ThumbnailWorker'), maxConcurrency: 5 },
        },
        {
          name: 'emails',
          filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['signup', 'order-placed'] }) },
          queueOptions: { consumer: worker('EmailWorker'), maxConcurrency: 5 },
        },
      ],
    });

    // The web tier: nginx on each instance, and one job published at boot to show the hand-off.
    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      'dnf install -y nginx',
      'echo "<h1>Three-tier example</h1>" > /usr/share/nginx/html/index.html',
      'echo ok > /usr/share/nginx/html/health',
      'systemctl enable --now nginx',
      `aws sns publish --region ${this.region} --topic-arn ${jobs.topic.topicArn} --message '{"job":"welcome"}' `
        + '--message-attributes \'{"kind":{"DataType":"String","StringValue":"signup"}}\'',
    );
    const web = new AlbAutoScalingGroup(this, 'Web', {
      vpc: network.vpc,
      userData,
      healthCheckPath: '/health',
      ...(props.certificateArn
        ? { certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) }
        : { allowInsecureHttp: true }),
    });

    // The web tier reaches the database too, and may read its credentials: the secret, and its key
    // through Secrets Manager only. A managed policy, like the one below.
    database.allowConnectionsFrom(web.autoScalingGroup, 'The web tier');
    new iam.ManagedPolicy(this, 'WebReadsDatabaseSecret', {
      roles: [web.autoScalingGroup.role],
      statements: [
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [database.secret.secretArn] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [database.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
      ],
    });

    // The web tier reads through the cache too: its security group is let in on the cache's port,
    // and its instances' role may authenticate as the cache's application user
    // (`elasticache:Connect`, in a managed policy of the role, as every grant to the web tier is).
    // An instance would sign a token with its role's credentials for that user and connect with TLS
    // to the cache's endpoint (the CacheEndpoint output), looking a key up there before it reads
    // the database.
    cache.allowConnectionsFrom(web.autoScalingGroup, 'The web tier');
    cache.grantConnect(web.autoScalingGroup);

    // The web tier may publish jobs, and nothing else: a managed policy, never an inline one.
    new iam.ManagedPolicy(this, 'WebPublishesJobs', {
      roles: [web.autoScalingGroup.role],
      statements: [
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [jobs.topic.topicArn] }),
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [jobsKey.keyArn] }),
      ],
    });

    new CfnOutput(this, 'Url', { value: web.url, description: 'Open this once the targets are healthy' });
    new CfnOutput(this, 'JobsTopicArn', { value: jobs.topic.topicArn, description: 'Publish jobs here, with a "kind" message attribute' });
  }
}

interface ThreeTierStageProps extends StageProps {
  readonly deploymentStage: DeploymentStage;
  readonly certificateArn?: string;
}

/**
 * One copy of the whole app: DEV or PROD. A `cdk.Stage` is a unit you deploy as a whole
 * (`cdk deploy 'Dev/*'`), with its own stacks, its own names (`Dev-Data`, `Prod-Data`) and, in a
 * real app, its own account.
 */
class ThreeTierStage extends Stage {
  constructor(scope: Construct, id: string, props: ThreeTierStageProps) {
    super(scope, id, props);
    // Every pattern of the stage in its stage, and one alarm topic and one dashboard for the
    // stage's stacks (in a PatternAlarms and a PatternDashboard stack the library adds) instead of
    // one of each per stack: one e-mail to confirm per stage.
    PatternDefaults.set(this, { stage: props.deploymentStage, operations: OperationsScope.STAGE });
    const description = 'cdk-best-practice-patterns example: three tiers split over two stacks';
    const data = new DataStack(this, 'Data', { description: `${description}, the network, the database and the cache` });
    new ApplicationStack(this, 'Application', {
      description: `${description}, the web tier behind a load balancer and the background workers fed by a fan-out`,
      data,
      certificateArn: props.certificateArn,
    });
  }
}

const app = new App();
// `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you to each stage's alarm topic.
const certificateArn: string | undefined = app.node.tryGetContext('certificateArn');
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env = account && region ? { account, region } : undefined;
new ThreeTierStage(app, 'Dev', { env, deploymentStage: DeploymentStage.DEV, certificateArn });
new ThreeTierStage(app, 'Prod', { env, deploymentStage: DeploymentStage.PROD, certificateArn });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
// With cdk-nag 3.x it adds them to the app as validation plugins, which reach into every stage;
// with 2.x it adds them as Aspects to the app and to each stage, since Aspects added to the app
// alone never reach inside a `cdk.Stage` (the synth would say 0 findings and have checked nothing).
// Call it after the last stage is defined.
NagPacks.enable(app);
