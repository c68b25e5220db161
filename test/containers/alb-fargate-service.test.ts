import * as path from 'path';
import { Annotations, App, CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations as AssertionAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AlbFargateService, AlbFargateServiceProps, DeploymentStage, GuardedKey, MultiAzVpc } from '../../src';
import { PublicLoadBalancer } from '../../src/building-blocks/public-load-balancer';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { COMPLIANT, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

type Props = Omit<AlbFargateServiceProps, 'vpc' | 'image'> & { image?: ecs.ContainerImage };

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const APP_DIR = path.join(__dirname, '..', '..', 'examples', 'container-service', 'app');

/** The service in a MultiAzVpc, without synthesizing. */
function place(props: Props = { allowInsecureHttp: true }, stack = newStack({ withEnv: true })) {
  const network = new MultiAzVpc(stack, 'Network');
  const service = new AlbFargateService(stack, 'Service', { vpc: network.vpc, image: IMAGE, ...props });
  return { stack, network, service };
}

function build(props?: Props, stack?: Stack) {
  const placed = place(props, stack);
  return { ...placed, template: Template.fromStack(placed.stack) };
}

/** Secrets, a domain and requests-per-target scaling: the snapshot's fully configured set. */
function fullyConfigured(stack: Stack): Props {
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const secret = new secretsmanager.Secret(stack, 'DatabaseSecret');
  const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/app/api-key' });
  return {
    stage: DeploymentStage.PROD,
    image: ecs.ContainerImage.fromAsset(APP_DIR),
    domainName: 'app.example.com',
    hostedZone: zone,
    containerPort: 3000,
    cpu: 1024,
    memoryLimitMiB: 4096,
    environment: { LOG_LEVEL: 'info' },
    secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'), API_KEY: ecs.Secret.fromSsmParameter(parameter) },
    containerHealthCheck: { command: ['CMD-SHELL', 'wget -qO- http://localhost:3000/health || exit 1'], startPeriod: Duration.seconds(20) },
    user: '1000:1000',
    minCapacity: 3,
    maxCapacity: 12,
    targetCpuUtilization: 60,
    targetRequestsPerTarget: 500,
    healthCheckPath: '/ready',
    healthCheckGracePeriod: Duration.minutes(2),
    deregistrationDelay: Duration.seconds(10),
    enableExecuteCommand: true,
  };
}

const serviceOf = (template: Template) => Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
const containerOf = (template: Template) => Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];

describe('AlbFargateService', () => {
  const prod = build();
  const dev = build({ allowInsecureHttp: true, stage: DeploymentStage.DEV });
  const fullStack = newStack({ withEnv: true });
  const full = build(fullyConfigured(fullStack), fullStack);

  describe('snapshots', () => {
    test('defaults', () => {
      expect(normalizedTemplate(prod.stack)).toMatchSnapshot();
    });

    test('fully configured: secrets, a domain and requests-per-target scaling', () => {
      expect(normalizedTemplate(full.stack)).toMatchSnapshot();
    });
  });

  describe('the shared front', () => {
    test('an internet-facing load balancer over the public subnets, invalid headers dropped, deletion protection in PROD only', () => {
      prod.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        Subnets: prod.network.vpc.publicSubnets.map((s) => prod.stack.resolve(s.subnetId)),
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'deletion_protection.enabled', Value: 'true' },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
        ]),
      });
      dev.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
      });
    });

    test('with a domain and zone: a DNS-validated certificate, HTTPS with TLS 1.2/1.3, the port-80 redirect and an alias record', () => {
      full.template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'app.example.com', ValidationMethod: 'DNS' });
      full.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^ServiceCertificate') } }],
      });
      full.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })],
      });
      full.template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.example.com.', Type: 'A', AliasTarget: Match.anyValue() });
      // The load balancer is IPv4 only: an AAAA alias would answer nothing.
      full.template.resourceCountIs('AWS::Route53::RecordSet', 1);
      expect(full.service.url).toBe('https://app.example.com');
      expect(full.service.certificate).toBeDefined();
    });

    test('a given certificate is used as it is; no certificate is requested', () => {
      const stack = newStack({ withEnv: true });
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Given', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
      const { template } = build({ certificate }, stack);
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }] });
    });

    test('WAF with managed rules in PROD, none in DEV; the front alarms on unhealthy tasks, 5xx and p99 latency', () => {
      prod.template.resourceCountIs('AWS::WAFv2::WebACL', 1);
      prod.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      dev.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      const descriptions = Object.values(prod.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmDescription);
      expect(descriptions).toEqual(expect.arrayContaining([
        'A task of TestStack/Service fails its health checks',
        'The tasks of TestStack/Service answer 5xx errors',
        expect.stringMatching(/^The load balancer of TestStack\/Service answers 5xx/),
        expect.stringMatching(/^1% of the requests to TestStack\/Service take longer than 1 second/),
      ]));
    });

    test("is the pattern's Default child, owning its resources and alarms, with the logical ids the pattern always gave them", () => {
      const { stack, service, template } = prod;
      const front = service.node.defaultChild as PublicLoadBalancer;
      expect(front).toBeInstanceOf(PublicLoadBalancer);
      expect(front.node.path).toBe('TestStack/Service/Default');
      for (const child of [service.loadBalancer, service.loadBalancerSecurityGroup, service.accessLogsBucket, service.webAcl!]) {
        expect(child.node.scope).toBe(front);
      }
      expect(service.listener.node.path).toBe('TestStack/Service/Default/LoadBalancer/HttpListener');
      expect(service.targetGroup.node.path).toBe('TestStack/Service/Default/LoadBalancer/HttpListener/TasksGroup');
      expect(full.service.certificate!.node.path).toBe('TestStack/Service/Default/Certificate');
      // The tasks stay the pattern's own, and so do their alarms.
      expect(service.service.node.scope).toBe(service);
      const frontAlarms = ['UnhealthyHostsAlarm', 'Target5xxAlarm', 'LoadBalancer5xxAlarm', 'ResponseTimeP99Alarm'];
      expect(front.alarms.map((a) => a.node.path)).toEqual(frontAlarms.map((id) => `TestStack/Service/Default/${id}`));
      expect(service.alarms.map((a) => a.node.path)).toEqual([...frontAlarms.map((id) => `Default/${id}`), 'CpuAlarm', 'MemoryAlarm', 'RunningTasksAlarm']
        .map((id) => `TestStack/Service/${id}`));
      expect(service.alarms.slice(0, 4)).toEqual(front.alarms);
      // `Default` is left out of logical ids: these are the ids from before the front was a construct.
      expect(stack.getLogicalId(service.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer)).toBe('ServiceLoadBalancer31A7DB79');
      expect(stack.getLogicalId(service.listener.node.defaultChild as elbv2.CfnListener)).toBe('ServiceLoadBalancerHttpListener7A52CDDD');
      expect(full.stack.getLogicalId(full.service.listener.node.defaultChild as elbv2.CfnListener)).toBe('ServiceLoadBalancerHttpsListener26581618');
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.startsWith('Service')).sort()).toEqual([
        'ServiceCpuAlarm758C1616', 'ServiceLoadBalancer5xxAlarmBA380278', 'ServiceMemoryAlarm3EAFD814', 'ServiceResponseTimeP99Alarm60DD26DA',
        'ServiceRunningTasksAlarmEA238BB0', 'ServiceTarget5xxAlarm1609B13B', 'ServiceUnhealthyHostsAlarmE817EF69',
      ]);
      // What an operator reads still names the pattern.
      full.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        Tags: [{ Key: 'Name', Value: 'TestStack/Service/Certificate' }],
      });
    });

    test('the load balancer reaches only the tasks, on the container port', () => {
      const egress = Object.values(prod.template.findResources('AWS::EC2::SecurityGroupEgress'))
        .filter((r) => JSON.stringify(r.Properties.GroupId).includes('ServiceLoadBalancerSecurityGroup'));
      expect(egress).toHaveLength(1);
      expect(egress[0].Properties).toMatchObject({ FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceServiceSecurityGroup/), 'GroupId'] } });
    });
  });

  describe('cluster and task', () => {
    test('a new cluster with Container Insights in enhanced observability mode; a given cluster is used instead', () => {
      prod.template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      const cluster = new ecs.Cluster(stack, 'Shared', { vpc: network.vpc });
      const service = new AlbFargateService(stack, 'Service', { vpc: network.vpc, image: IMAGE, allowInsecureHttp: true, cluster });
      Template.fromStack(stack).resourceCountIs('AWS::ECS::Cluster', 1);
      expect(service.cluster).toBe(cluster);
    });

    test('ARM64, 512 CPU units and 1024 MiB by default, the container on port 8080', () => {
      prod.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' }, RequiresCompatibilities: ['FARGATE'],
      });
      expect(containerOf(prod.template).PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp' }]);
    });

    test('hardened container: read-only root, a writable scratch volume at /tmp, not privileged, no added capabilities, awslogs to an encrypted log group', () => {
      const container = containerOf(prod.template);
      expect(container).toMatchObject({ ReadonlyRootFilesystem: true, Privileged: false, MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'scratch', ReadOnly: false }] });
      expect(container.LinuxParameters).toBeUndefined();
      expect(container.User).toBeUndefined();
      expect(container.LogConfiguration).toMatchObject({ LogDriver: 'awslogs', Options: { 'awslogs-group': { Ref: expect.stringMatching(/^ServiceLogs/) } } });
      prod.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceLogKey'), 'Arn'] } });
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      expect(containerOf(full.template)).toMatchObject({ User: '1000:1000', Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }] });
    });

    test('writableRootFilesystem turns the read-only root off; the scratch volume stays', () => {
      const { template } = build({ allowInsecureHttp: true, writableRootFilesystem: true });
      expect(containerOf(template)).toMatchObject({ ReadonlyRootFilesystem: false, MountPoints: [expect.objectContaining({ ContainerPath: '/tmp' })] });
    });

    test('secrets come from Secrets Manager and SSM, never as plain environment variables', () => {
      const container = containerOf(full.template);
      expect(container.Secrets.map((s: any) => s.Name).sort()).toEqual(['API_KEY', 'DB_PASSWORD']);
      expect(JSON.stringify(container.Environment)).not.toMatch(/DB_PASSWORD|API_KEY/);
    });

    test('the task role is empty; the execution role may pull this image, read these secrets and write this log group, in a managed policy', () => {
      const roles = prod.template.findResources('AWS::IAM::Role');
      const taskRole = Object.keys(roles).find((id) => id.startsWith('ServiceTaskRole'))!;
      expect(Object.values(prod.template.findResources('AWS::IAM::ManagedPolicy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(taskRole))).toEqual([]);
      expect(prod.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^Service') }]) } })).toEqual({});
      const execution = Object.values(full.template.findResources('AWS::IAM::ManagedPolicy'))
        .find((p) => JSON.stringify(p.Properties.Roles).includes('ServiceExecutionRole'))!;
      const statements = JSON.stringify(execution.Properties.PolicyDocument.Statement);
      expect(statements).toMatch(/ecr:BatchGetImage/);
      expect(statements).toMatch(/secretsmanager:GetSecretValue/);
      expect(statements).toMatch(/DatabaseSecret/);
      expect(statements).toMatch(/ssm:GetParameters/);
      expect(statements).toMatch(/parameter\/app\/api-key/);
      expect(statements).toMatch(/logs:PutLogEvents/);
    });

    test('a container health check and ECS Exec with encrypted, retained session logs when asked', () => {
      expect(containerOf(full.template).HealthCheck).toMatchObject({ Command: ['CMD-SHELL', 'wget -qO- http://localhost:3000/health || exit 1'], StartPeriod: 20 });
      expect(serviceOf(prod.template).EnableExecuteCommand).toBe(false);
      expect(serviceOf(full.template).EnableExecuteCommand).toBe(true);
      full.template.hasResourceProperties('AWS::ECS::Cluster', {
        Configuration: { ExecuteCommandConfiguration: Match.objectLike({ Logging: 'OVERRIDE', KmsKeyId: Match.anyValue(), LogConfiguration: Match.objectLike({ CloudWatchEncryptionEnabled: true }) }) },
      });
    });

    describe('ECS Exec and the root file system', () => {
      const EXEC_WRITABLE_ROOT = 'cdk-best-practice-patterns:execWritableRoot';
      const volumesOf = (template: Template) => Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.Volumes
        .map((v: { Name: string }) => v.Name).sort();

      test('without Exec: a read-only root with the scratch volume only, and no warning', () => {
        expect(containerOf(prod.template)).toMatchObject({ ReadonlyRootFilesystem: true, MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'scratch', ReadOnly: false }] });
        expect(volumesOf(prod.template)).toEqual(['scratch']);
        AssertionAnnotations.fromStack(prod.stack).hasNoWarning('*', Match.stringLikeRegexp(EXEC_WRITABLE_ROOT));
      });

      test('with Exec: a writable root, the only way AWS supports Exec, and a warning that says so', () => {
        const { stack, template, service } = build({ allowInsecureHttp: true, enableExecuteCommand: true });
        expect(containerOf(template)).toMatchObject({ ReadonlyRootFilesystem: false, MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'scratch', ReadOnly: false }] });
        expect(volumesOf(template)).toEqual(['scratch']);
        AssertionAnnotations.fromStack(stack).hasWarning(`/${service.node.path}`, Match.stringLikeRegexp(
          "^enableExecuteCommand is true, so the container's root file system is writable: AWS supports ECS Exec only with a writable root "
          + '\\(https://docs\\.aws\\.amazon\\.com/AmazonECS/latest/developerguide/ecs-exec\\.html\\)\\..*writableRootFilesystem: false'));
      });

      test('the warning can be acknowledged', () => {
        const { stack, service } = place({ allowInsecureHttp: true, enableExecuteCommand: true });
        Annotations.of(service).acknowledgeWarning(EXEC_WRITABLE_ROOT, 'Exec is on while we debug the checkout flow');
        AssertionAnnotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(EXEC_WRITABLE_ROOT));
      });

      test('with Exec and writableRootFilesystem: false, the root stays read-only and the three directories the Exec agent writes get writable volumes', () => {
        const { stack, template } = build({ allowInsecureHttp: true, enableExecuteCommand: true, writableRootFilesystem: false });
        expect(containerOf(template).ReadonlyRootFilesystem).toBe(true);
        expect(containerOf(template).MountPoints).toEqual([
          { ContainerPath: '/tmp', SourceVolume: 'scratch', ReadOnly: false },
          { ContainerPath: '/managed-agents', SourceVolume: 'exec-agents', ReadOnly: false },
          { ContainerPath: '/var/lib/amazon/ssm', SourceVolume: 'ssm-state', ReadOnly: false },
          { ContainerPath: '/var/log/amazon/ssm', SourceVolume: 'ssm-logs', ReadOnly: false },
        ]);
        // Each is a task-scoped bind mount of its own, empty at start.
        expect(volumesOf(template)).toEqual(['exec-agents', 'scratch', 'ssm-logs', 'ssm-state']);
        AssertionAnnotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(EXEC_WRITABLE_ROOT));
      });

      test('with Exec and writableRootFilesystem: true, no agent volumes and no warning: the user chose the writable root', () => {
        const { stack, template } = build({ allowInsecureHttp: true, enableExecuteCommand: true, writableRootFilesystem: true });
        expect(containerOf(template)).toMatchObject({ ReadonlyRootFilesystem: false });
        expect(volumesOf(template)).toEqual(['scratch']);
        AssertionAnnotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(EXEC_WRITABLE_ROOT));
      });
    });
  });

  describe('service', () => {
    test('tasks in the private subnets without public IPs, admitting only the load balancer', () => {
      const service = serviceOf(prod.template);
      expect(service.NetworkConfiguration.AwsvpcConfiguration).toMatchObject({
        AssignPublicIp: 'DISABLED',
        Subnets: prod.network.vpc.privateSubnets.map((s) => prod.stack.resolve(s.subnetId)),
      });
      const ingress = Object.values(prod.template.findResources('AWS::EC2::SecurityGroupIngress'))
        .filter((r) => JSON.stringify(r.Properties.GroupId).includes('ServiceServiceSecurityGroup'));
      expect(ingress.map((r) => r.Properties)).toEqual([expect.objectContaining({
        FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLoadBalancerSecurityGroup/), 'GroupId'] },
      })]);
    });

    test('2 to 4 tasks in PROD, 1 to 2 in DEV, scaled on 50% CPU; never a desired count for deployments to reset', () => {
      prod.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
      dev.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 2 });
      prod.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
      });
      for (const template of [prod.template, dev.template, full.template]) {
        expect(serviceOf(template).DesiredCount).toBeUndefined();
      }
    });

    test('requests-per-target scaling when asked', () => {
      full.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 500, PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }) }),
      });
      prod.template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }) }),
      }, 0);
    });

    test("the service waits for the execution role's grants", () => {
      const service = Object.values(prod.template.findResources('AWS::ECS::Service'))[0];
      expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ServiceExecutionRolePolicy/)]));
    });

    test('deploys with the circuit breaker and rollback, 100% minimum healthy, 200% maximum, a grace period', () => {
      expect(serviceOf(prod.template)).toMatchObject({
        DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
        HealthCheckGracePeriodSeconds: 60,
        LaunchType: 'FARGATE',
      });
    });

    test('the target group checks /health and drains for 30 s', () => {
      prod.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/health',
        Port: 8080,
        TargetType: 'ip',
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
      full.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/ready', TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
      });
    });

    test('alarms on CPU, memory and running tasks below the minimum, besides the front, each notifying the stack alarm topic', () => {
      const alarms = Object.values(prod.template.findResources('AWS::CloudWatch::Alarm')).filter((a) => JSON.stringify(a.Properties.AlarmDescription).includes('TestStack/Service'));
      expect(alarms).toHaveLength(7);
      const byMetric = Object.fromEntries(alarms.map((a) => [a.Properties.MetricName, a.Properties]));
      expect(byMetric.CPUUtilization).toMatchObject({ Threshold: 80, Namespace: 'AWS/ECS', ComparisonOperator: 'GreaterThanThreshold' });
      expect(byMetric.MemoryUtilization).toMatchObject({ Threshold: 80, Namespace: 'AWS/ECS' });
      expect(byMetric.RunningTaskCount).toMatchObject({
        Threshold: 2,
        Namespace: 'ECS/ContainerInsights',
        ComparisonOperator: 'LessThanThreshold',
        Statistic: 'Minimum',
        // A service with no task left may publish nothing: that must not read as fine.
        TreatMissingData: 'breaching',
        Dimensions: [
          { Name: 'ClusterName', Value: { Ref: expect.stringMatching(/^ServiceCluster/) } },
          { Name: 'ServiceName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^Service[0-9A-F]{8}$/), 'Name'] } },
        ],
      });
      expect(byMetric.CPUUtilization.TreatMissingData).toBe('notBreaching');
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PatternOperationsAlarmTopic/) }]);
      }
      expect(prod.service.alarms).toHaveLength(7);
    });

    test('the CPU and memory alarm thresholds are settable, in percent', () => {
      const { template } = build({ allowInsecureHttp: true, cpuAlarmThreshold: 90, memoryAlarmThreshold: 75.5 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CPUUtilization', Namespace: 'AWS/ECS', Threshold: 90, AlarmDescription: 'The tasks of TestStack/Service averaged over 90% CPU for 15 minutes',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'MemoryUtilization', Namespace: 'AWS/ECS', Threshold: 75.5, AlarmDescription: 'The tasks of TestStack/Service averaged over 75.5% memory for 15 minutes',
      });
    });
  });

  describe('validation', () => {
    const stack = newStack({ withEnv: true });
    const vpc = new MultiAzVpc(stack, 'Network').vpc;
    let n = 0;
    const attempt = (props: Props) => () => new AlbFargateService(stack, `Service${n++}`, { vpc, image: IMAGE, allowInsecureHttp: true, ...props });

    // Every edge of Fargate's table: each CPU value's smallest and largest memory, one step outside
    // each, and a value between steps (for 256 CPU units, 1536, which the table leaves out).
    const table: Array<[number, number, number, number, number]> = [
      [256, 512, 2048, 512, 1536], [512, 1024, 4096, 1024, 1536], [1024, 2048, 8192, 1024, 2560], [2048, 4096, 16384, 1024, 4608],
      [4096, 8192, 30720, 1024, 8704], [8192, 16384, 61440, 4096, 18432], [16384, 32768, 122880, 8192, 36864],
    ];
    test.each(table)('cpu %d: %d and %d MiB are accepted; one step below or above, and %d between steps, are refused', (cpu, min, max, step, between) => {
      expect(attempt({ cpu, memoryLimitMiB: min })).not.toThrow();
      expect(attempt({ cpu, memoryLimitMiB: max })).not.toThrow();
      const range = cpu === 256 ? '512, 1024, 2048 MiB' : `${min} to ${max} MiB in steps of ${step}`;
      expect(attempt({ cpu, memoryLimitMiB: min - step })).toThrow(new RegExp(`memoryLimitMiB is ${min - step}; it must be Fargate's memory for ${cpu} CPU units: ${range}`));
      expect(attempt({ cpu, memoryLimitMiB: max + step })).toThrow(new RegExp(`memoryLimitMiB is ${max + step};`));
      expect(attempt({ cpu, memoryLimitMiB: between })).toThrow(new RegExp(`memoryLimitMiB is ${between};`));
    });

    test('cpu 256 with 1024 MiB is accepted', () => {
      expect(attempt({ cpu: 256, memoryLimitMiB: 1024 })).not.toThrow();
    });

    test.each<[string, Props, RegExp]>([
      ['a CPU value Fargate does not have', { cpu: 768 }, /cpu is 768; it must be one of Fargate's CPU values: 256, 512, 1024, 2048, 4096, 8192, 16384/],
      ['container port 0', { containerPort: 0 }, /containerPort is 0.*from 1 to 65535/],
      ['container port 65536', { containerPort: 65536 }, /containerPort is 65536/],
      ['minimum 0 tasks', { minCapacity: 0 }, /minCapacity is 0.*at least 1/],
      ['a maximum below the minimum', { minCapacity: 3, maxCapacity: 2 }, /maxCapacity is 2.*at least minCapacity \(3\)/],
      ['a CPU target of 0%', { targetCpuUtilization: 0 }, /targetCpuUtilization is 0.*from 1 to 100/],
      ['a CPU target above 100%', { targetCpuUtilization: 101 }, /targetCpuUtilization is 101/],
      ['0 requests per target', { targetRequestsPerTarget: 0 }, /targetRequestsPerTarget is 0/],
      ['a CPU alarm threshold of 0%', { cpuAlarmThreshold: 0 }, /cpuAlarmThreshold is 0; it must be a percentage above 0 and at most 100\./],
      ['a CPU alarm threshold above 100%', { cpuAlarmThreshold: 101 }, /cpuAlarmThreshold is 101; it must be a percentage above 0 and at most 100\./],
      ['a memory alarm threshold of 0%', { memoryAlarmThreshold: 0 }, /memoryAlarmThreshold is 0; it must be a percentage above 0 and at most 100\./],
      ['a memory alarm threshold above 100%', { memoryAlarmThreshold: 150 }, /memoryAlarmThreshold is 150; it must be a percentage above 0 and at most 100\./],
      // From JavaScript or JSON the former name would pass unnoticed and leave the default alarm.
      ['the p99 threshold under its former name', { responseTimeP99Threshold: Duration.seconds(2) } as unknown as Props,
        /responseTimeP99Threshold is '2 seconds'; it must be left unset: responseTimeP99Threshold was renamed latencyP99Threshold, a Duration \(the p99 target response time\)\./],
      ['a health check path without a leading slash', { healthCheckPath: 'health' }, /healthCheckPath is 'health'/],
      ['a grace period of 1.5 s', { healthCheckGracePeriod: Duration.millis(1500) }, /healthCheckGracePeriod is 1.5 seconds.*whole number of seconds from 0 seconds to 2147483647 seconds/],
      ['a deregistration delay above 3600 s', { deregistrationDelay: Duration.seconds(3601) }, /deregistrationDelay is 3601 seconds.*from 0 seconds to 1 hour/],
      ['a health check command without CMD or CMD-SHELL', { containerHealthCheck: { command: ['curl', 'localhost'] } }, /containerHealthCheck.command/],
      ['a health check every 4 s', { containerHealthCheck: { command: ['CMD', '/check'], interval: Duration.seconds(4) } }, /containerHealthCheck.interval is 4 seconds.*from 5 seconds to 5 minutes/],
      ['a health check timeout of 121 s', { containerHealthCheck: { command: ['CMD', '/check'], timeout: Duration.seconds(121) } }, /containerHealthCheck.timeout is 121 seconds.*from 2 seconds to 2 minutes/],
      ['a health check timeout not shorter than its interval', { containerHealthCheck: { command: ['CMD', '/check'], interval: Duration.seconds(5), timeout: Duration.seconds(5) } },
        /containerHealthCheck.timeout is '5 seconds'; it must be shorter than the interval \(5 seconds\)/],
      ['a wildcard domain name', { allowInsecureHttp: undefined, domainName: '*.example.com' }, /domainName is '\*.example.com'; it must be one host name, not a wildcard/],
      ['11 health check retries', { containerHealthCheck: { command: ['CMD', '/check'], retries: 11 } }, /containerHealthCheck.retries is 11.*from 1 to 10/],
      ['a start period of 301 s', { containerHealthCheck: { command: ['CMD', '/check'], startPeriod: Duration.seconds(301) } }, /containerHealthCheck.startPeriod is 301 seconds/],
      ['a user with spaces', { user: 'app user' }, /user is 'app user'/],
      ['ECS Exec on a given cluster', { enableExecuteCommand: true, cluster: ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'c', vpc }) },
        /enableExecuteCommand is true.*a cluster setting/],
      ['no certificate and no opt-in to HTTP', { allowInsecureHttp: undefined }, /certificate is unset; it must be an ACM certificate.*domainName with hostedZone.*allowInsecureHttp: true/],
      ['a domain name without a zone', { allowInsecureHttp: undefined, domainName: 'app.example.com' }, /hostedZone is unset; it must be the public hosted zone of domainName/],
      ['an invalid allowed CIDR', { allowedCidrs: ['10.0.0.0/33'] }, /allowedCidrs is '10.0.0.0\/33'/],
      ['a CloudFront web ACL', { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' }, /webAclArn is 'arn:aws:wafv2:us-east-1:123456789012:global/],
      ['a log retention CloudWatch Logs does not offer, as untyped configuration gives it', { logRetention: 13 as logs.RetentionDays },
        /^ {2}- logRetention is 13; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999\.$/m],
    ])('%s is refused, naming the prop, its value and the range', (_, props, message) => {
      expect(attempt(props)).toThrow(message);
    });

    test('a domain outside its zone is refused', () => {
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'OtherZone', { hostedZoneId: 'Z1', zoneName: 'example.org' });
      expect(attempt({ allowInsecureHttp: undefined, domainName: 'app.example.com', hostedZone: zone })).toThrow(/domainName is 'app.example.com'; it must be a name in the hosted zone example.org/);
    });

    test('an SSL policy that is no elbv2.SslPolicy, as untyped configuration gives it, is refused, naming every policy', () => {
      const policies = Object.values(elbv2.SslPolicy).map((p) => `'${p}'`).join(', ');
      expect(policies).toContain("'ELBSecurityPolicy-TLS13-1-2-2021-06'");
      expect(attempt({ sslPolicy: 'TLS12' as elbv2.SslPolicy })).toThrow(`\n  - sslPolicy is 'TLS12'; it must be one of elbv2.SslPolicy's values: ${policies}.`);
    });

    test('an SSL policy from a token reaches the HTTPS listener unchecked', () => {
      const sslStack = newStack({ withEnv: true });
      const certificate = acm.Certificate.fromCertificateArn(sslStack, 'Given', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
      const sslPolicy = new CfnParameter(sslStack, 'SslPolicy').valueAsString as elbv2.SslPolicy;
      new AlbFargateService(sslStack, 'Service', { vpc: new MultiAzVpc(sslStack, 'Network').vpc, image: IMAGE, certificate, sslPolicy });
      Template.fromStack(sslStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: { Ref: 'SslPolicy' } });
    });

    describe("the certificate must be in the load balancer's region", () => {
      const secure = (certificate: acm.ICertificate) => attempt({ allowInsecureHttp: undefined, certificate });
      const otherRegion = new Stack(stack.node.root as App, 'Certificates', { env: { account: TEST_ENV.account, region: 'eu-west-1' } });
      const sameRegion = new Stack(stack.node.root as App, 'SameRegionCertificates', { env: TEST_ENV });

      test('a literal ACM ARN of another region is refused', () => {
        const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
        expect(secure(acm.Certificate.fromCertificateArn(stack, 'EuropeanArn', arn))).toThrow(`\n  - certificate is '${arn}'; it must be in the load balancer's region, us-east-1, `
          + 'not eu-west-1: an Application Load Balancer uses ACM certificates of its own region only.');
      });

      test('a certificate created in a stack of another region is refused', () => {
        const certificate = new acm.Certificate(otherRegion, 'Certificate', { domainName: 'app.example.com' });
        expect(secure(certificate)).toThrow("\n  - certificate is 'Certificates/Certificate, a certificate of stack Certificates'; it must be in the load balancer's region, "
          + 'us-east-1, not eu-west-1: an Application Load Balancer uses ACM certificates of its own region only.');
      });

      test("the load balancer's region, a token ARN, an IAM server certificate and an env-agnostic stack are accepted", () => {
        expect(secure(acm.Certificate.fromCertificateArn(stack, 'SameRegionArn', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'))).not.toThrow();
        expect(secure(new acm.Certificate(sameRegion, 'Certificate', { domainName: 'app.example.com' }))).not.toThrow();
        const tokenArn = new CfnParameter(stack, 'CertificateArn').valueAsString;
        expect(secure(acm.Certificate.fromCertificateArn(stack, 'TokenArn', tokenArn))).not.toThrow();
        // An imported certificate's stack says nothing of where the certificate is.
        expect(secure(acm.Certificate.fromCertificateArn(otherRegion, 'ImportedTokenArn', tokenArn))).not.toThrow();
        expect(secure(acm.Certificate.fromCertificateArn(stack, 'IamServerCertificate', 'arn:aws:iam::123456789012:server-certificate/app'))).not.toThrow();
        const agnostic = newStack();
        const european = acm.Certificate.fromCertificateArn(agnostic, 'EuropeanArn', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
        expect(() => new AlbFargateService(agnostic, 'Service', { vpc: new MultiAzVpc(agnostic, 'Network').vpc, image: IMAGE, certificate: european })).not.toThrow();
      });

      test('an ARN of neither an ACM nor an IAM server certificate is refused', () => {
        expect(secure(acm.Certificate.fromCertificateArn(stack, 'BucketArn', 'arn:aws:s3:::certificates'))).toThrow("\n  - certificate is 'arn:aws:s3:::certificates'; "
          + 'it must be the ARN of an ACM certificate (arn:<partition>:acm:<region>:<account>:certificate/<id>) '
          + 'or of an IAM server certificate (arn:<partition>:iam::<account>:server-certificate/<name>).');
      });
    });

    test("the alarm thresholds' limits themselves, 1% and 100%, are accepted", () => {
      expect(attempt({ cpuAlarmThreshold: 1, memoryAlarmThreshold: 100 })).not.toThrow();
      expect(attempt({ cpuAlarmThreshold: 100, memoryAlarmThreshold: 1 })).not.toThrow();
    });

    test('every invalid prop is reported in one error; tokens are not validated', () => {
      expect(attempt({ cpu: 100, containerPort: 0, minCapacity: 0 })).toThrow(/3 invalid props/);
      expect(attempt({ cpu: Lazy.number({ produce: () => 999 }), memoryLimitMiB: Lazy.number({ produce: () => 1 }) })).not.toThrow();
    });
  });

  describe('values known only at deploy time', () => {
    const fromTokens = (props: (t: DeployTimeValues, stack: Stack) => Props) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      const service = new AlbFargateService(stack, 'Service', { vpc, image: IMAGE, allowInsecureHttp: true, ...props(t, stack) });
      return { service, template: Template.fromStack(stack) };
    };
    const checked = { command: ['CMD', '/check'] };

    it.each<[string, (t: DeployTimeValues, stack: Stack) => Props, (template: Template) => void]>([
      ['containerPort', (t) => ({ containerPort: t.number }), (tp) => expect(containerOf(tp).PortMappings).toEqual([{ ContainerPort: { Ref: 'DeployTimeNumber' }, Protocol: 'tcp' }])],
      ['cpu', (t) => ({ cpu: t.number }), (tp) => tp.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: { Ref: 'DeployTimeNumber' } })],
      ['memoryLimitMiB', (t) => ({ memoryLimitMiB: t.number }), (tp) => tp.hasResourceProperties('AWS::ECS::TaskDefinition', { Memory: { Ref: 'DeployTimeNumber' } })],
      ['minCapacity', (t) => ({ minCapacity: t.number }), (tp) => {
        tp.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: { Ref: 'DeployTimeNumber' } });
        // The running-tasks alarm names the parameter's value, not a token's encoding.
        tp.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RunningTaskCount', AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] } });
      }],
      ['maxCapacity', (t) => ({ maxCapacity: t.number }), (tp) => tp.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MaxCapacity: { Ref: 'DeployTimeNumber' } })],
      ['targetCpuUtilization', (t) => ({ targetCpuUtilization: t.number }), (tp) => tp.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: { Ref: 'DeployTimeNumber' } }),
      })],
      ['targetRequestsPerTarget', (t) => ({ targetRequestsPerTarget: t.number }), (tp) => tp.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: { Ref: 'DeployTimeNumber' } }),
      })],
      ['healthCheckPath', (t) => ({ healthCheckPath: t.text }), (tp) => tp.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: { Ref: 'DeployTimeText' } })],
      ['healthCheckGracePeriod', (t) => ({ healthCheckGracePeriod: t.duration }), (tp) => expect(serviceOf(tp).HealthCheckGracePeriodSeconds).toEqual({ Ref: 'DeployTimeNumber' })],
      ['containerHealthCheck.command after its first element', (t) => ({ containerHealthCheck: { command: ['CMD-SHELL', t.text] } }),
        (tp) => expect(containerOf(tp).HealthCheck.Command).toEqual(['CMD-SHELL', { Ref: 'DeployTimeText' }])],
      ['containerHealthCheck.retries', (t) => ({ containerHealthCheck: { ...checked, retries: t.number } }), (tp) => expect(containerOf(tp).HealthCheck.Retries).toEqual({ Ref: 'DeployTimeNumber' })],
      ['containerHealthCheck.startPeriod', (t) => ({ containerHealthCheck: { ...checked, startPeriod: t.duration } }), (tp) => expect(containerOf(tp).HealthCheck.StartPeriod).toEqual({ Ref: 'DeployTimeNumber' })],
      ['user', (t) => ({ user: t.text }), (tp) => expect(containerOf(tp).User).toEqual({ Ref: 'DeployTimeText' })],
      ['logRetention', (t) => ({ logRetention: t.number as logs.RetentionDays }), (tp) => tp.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'DeployTimeNumber' } })],
      ['deregistrationDelay', (t) => ({ deregistrationDelay: t.duration }), (tp) => tp.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: { Ref: 'DeployTimeNumber' } }]),
      })],
      ['latencyP99Threshold', (t) => ({ latencyP99Threshold: t.duration }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: { Ref: 'DeployTimeNumber' } })],
      ['target5xxThreshold', (t) => ({ target5xxThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: { Ref: 'DeployTimeNumber' } })],
      ['loadBalancer5xxThreshold', (t) => ({ loadBalancer5xxThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: { Ref: 'DeployTimeNumber' } })],
      // The alarms' descriptions name the parameter's value, not a token's encoding.
      ['cpuAlarmThreshold', (t) => ({ cpuAlarmThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CPUUtilization',
        Threshold: { Ref: 'DeployTimeNumber' },
        AlarmDescription: { 'Fn::Join': ['', ['The tasks of TestStack/Service averaged over ', { Ref: 'DeployTimeNumber' }, '% CPU for 15 minutes']] },
      })],
      ['memoryAlarmThreshold', (t) => ({ memoryAlarmThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'MemoryUtilization',
        Threshold: { Ref: 'DeployTimeNumber' },
        AlarmDescription: { 'Fn::Join': ['', ['The tasks of TestStack/Service averaged over ', { Ref: 'DeployTimeNumber' }, '% memory for 15 minutes']] },
      })],
      ['a block of allowedCidrs', (t) => ({ allowedCidrs: [t.text] }), (tp) => tp.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: { Ref: 'DeployTimeText' } })]),
      })],
      ['webAclArn', (t) => ({ stage: DeploymentStage.PROD, webAclArn: t.text }), (tp) => tp.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: { Ref: 'DeployTimeText' } })],
      ['certificate', (t, stack) => ({ allowInsecureHttp: undefined, certificate: acm.Certificate.fromCertificateArn(stack, 'TokenCertificate', t.text) }),
        (tp) => tp.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Certificates: [{ CertificateArn: { Ref: 'DeployTimeText' } }] })],
      ['domainName', (t, stack) => ({
        allowInsecureHttp: undefined,
        domainName: t.text,
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'TokenZone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
      }), (tp) => tp.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: { Ref: 'DeployTimeText' } })],
    ])('accepts a token for %s, and passes it on', (_prop, props, reached) => {
      const { template } = fromTokens(props);
      reached(template);
    });

    it.each<[string, (t: DeployTimeValues) => Props, string]>([
      ['allowedCidrs as a whole', (t) => ({ allowedCidrs: t.list }),
        'allowedCidrs is a token, only known at deploy time; it must be a value known at synth: each block is a security group rule of its own; a block in the list may be a token.'],
      ['containerHealthCheck.command as a whole', (t) => ({ containerHealthCheck: { command: t.list } }),
        'containerHealthCheck.command is a token, only known at deploy time; it must be a value known at synth: its first element, CMD or CMD-SHELL, '
        + 'decides how ECS runs it, and aws-cdk-lib reads it at synth; the elements after it may be tokens.'],
      ['the first element of containerHealthCheck.command', (t) => ({ containerHealthCheck: { command: [t.text, '/check'] } }),
        'containerHealthCheck.command is a token, only known at deploy time; it must be a value known at synth: its first element'],
      ['containerHealthCheck.interval', (t) => ({ containerHealthCheck: { ...checked, interval: t.duration } }),
        "containerHealthCheck.interval is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib checks it against ECS's range at synth."],
      ['containerHealthCheck.timeout', (t) => ({ containerHealthCheck: { ...checked, timeout: t.duration } }),
        "containerHealthCheck.timeout is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib checks it against ECS's range at synth."],
    ])('refuses a token for %s, saying why', (_prop, props, message) => {
      expect(() => fromTokens(props)).toThrow(message);
    });
  });

  describe('compliance', () => {
    test.each<[string, Props]>([
      ['defaults (plain HTTP)', { allowInsecureHttp: true }],
      ['DEV', { allowInsecureHttp: true, stage: DeploymentStage.DEV }],
    ])('%s: no unacknowledged finding in any of the five cdk-nag packs, under 3.x and 2.x', (_, props) => {
      const app = newApp();
      place(props, new Stack(app, 'Compliance', { env: TEST_ENV }));
      // Both majors in one synth of the one app.
      const { v3, v2 } = runNagPacksOfBothMajors(app);
      expect(v3).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });

    test('fully configured: no unacknowledged finding under 3.x and 2.x (the secret and parameter are the user\'s)', () => {
      const app = newApp();
      const stack = new Stack(app, 'Compliance', { env: TEST_ENV });
      place(fullyConfigured(stack), stack);
      const { v3, v2 } = runNagPacksOfBothMajors(app, { onlyUnder: 'Compliance/Service' });
      expect(v3).toEqual(COMPLIANT);
      expect(v2.filter((finding) => finding.includes('Compliance/Service'))).toEqual([]);
    });
  });

  describe('composition', () => {
    test('two services in one stack synthesize, each with its own front', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      new AlbFargateService(stack, 'Api', { vpc: network.vpc, image: IMAGE, allowInsecureHttp: true });
      new AlbFargateService(stack, 'Admin', { vpc: network.vpc, image: IMAGE, allowInsecureHttp: true, stage: DeploymentStage.DEV });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ECS::Service', 2);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      const { service } = place(fullyConfigured(stack), stack);
      // ECS Exec's writable root is warned of; a user who keeps Exec on acknowledges it.
      Annotations.of(service).acknowledgeWarning('cdk-best-practice-patterns:execWritableRoot', 'Exec stays on in this test');
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // The network, a zone, a certificate and a secret under a GuardedKey in a Data stack; the service in an App stack. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const network = new MultiAzVpc(dataStack, 'Network');
      const hostedZone = new route53.PublicHostedZone(dataStack, 'Zone', { zoneName: 'example.com' });
      const certificate = new acm.Certificate(dataStack, 'Certificate', { domainName: 'www.example.com', validation: acm.CertificateValidation.fromDns(hostedZone) });
      const secret = new secretsmanager.Secret(dataStack, 'Secret', { encryptionKey: new GuardedKey(dataStack, 'Key') });
      const plainSecret = new secretsmanager.Secret(dataStack, 'PlainSecret');
      new AlbFargateService(appStack, 'Web', {
        vpc: network.vpc,
        certificate,
        hostedZone,
        domainName: 'www.example.com',
        image: ecs.ContainerImage.fromRegistry('nginx'),
        secrets: { PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'), TOKEN: ecs.Secret.fromSecretsManager(plainSecret) },
      });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the execution role is granted Data's secret and its key in its own policy", () => {
      svc.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Description: 'The permissions granted to Prod/App/Web/ExecutionRole',
        PolicyDocument: {
          Statement: Match.arrayWith([
            // Both secrets, Data's plain one through aws-cdk-lib's own grant: one merged statement.
            Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: [{ 'Fn::GetStackOutput': Match.anyValue() }, { 'Fn::GetStackOutput': Match.anyValue() }] }),
            Match.objectLike({
              Action: 'kms:Decrypt',
              Resource: { 'Fn::GetStackOutput': Match.anyValue() },
              Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
            }),
          ]),
        },
      });
    });

    test("the listener and the alias record use Data's certificate and zone", () => {
      svc.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Certificates: [{ CertificateArn: { 'Fn::GetStackOutput': Match.anyValue() } }] });
      svc.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
