import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlbAutoScalingGroup, AlbAutoScalingGroupProps, DeploymentStage, MultiAzVpc } from '../../src';
import { PublicLoadBalancer } from '../../src/building-blocks/public-load-balancer';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeCases, DeployTimeValues, deployTimeValues } from '../support/tokens';

type Extra = Partial<AlbAutoScalingGroupProps>;
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Certificate', CERT_ARN);
}

/**
 * The pattern with default props, and with DEV alone, is built once per file and shared: no test
 * changes a stack after building it, and building it for each of them was most of this suite's time.
 */
function build(extra?: Extra, options?: { withEnv?: boolean; withCertificate?: boolean }) {
  if (options === undefined && extra === undefined) {
    return (defaults ??= buildNew());
  }
  if (options === undefined && Object.keys(extra ?? {}).length === 1 && extra?.stage === DeploymentStage.DEV) {
    return (dev ??= buildNew({ stage: DeploymentStage.DEV }));
  }
  return buildNew(extra, options);
}
let defaults: ReturnType<typeof buildNew> | undefined;
let dev: ReturnType<typeof buildNew> | undefined;

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app synthesized
 * once: a test of each major reads them.
 */
function fullyConfiguredNag() {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new AlbAutoScalingGroup(stack, 'Web', fullyConfigured(stack, new MultiAzVpc(stack, 'Network').vpc));
    fullNag = runNagPacksOfBothMajors(app);
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

function buildNew(extra: Extra = {}, options: { withEnv?: boolean; withCertificate?: boolean } = {}) {
  const stack = newStack({ withEnv: options.withEnv ?? true });
  const vpc = new MultiAzVpc(stack, 'Network').vpc;
  const web = new AlbAutoScalingGroup(stack, 'Web', {
    vpc,
    ...(options.withCertificate === false ? { allowInsecureHttp: true } : { certificate: certificate(stack) }),
    ...extra,
  });
  return { stack, web, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack, vpc: ec2.IVpc): AlbAutoScalingGroupProps {
  return {
    vpc,
    stage: DeploymentStage.PROD,
    certificate: certificate(stack),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    userData: ec2.UserData.forLinux(),
    rootVolumeSize: 20,
    minCapacity: 3,
    maxCapacity: 9,
    desiredCapacity: 3,
    targetCpuUtilization: 40,
    targetRequestsPerMinute: 1000,
    scheduledCapacity: [
      { name: 'MorningPeak', schedule: autoscaling.Schedule.cron({ hour: '7', minute: '30' }), minCapacity: 6 },
      { name: 'Night', schedule: autoscaling.Schedule.cron({ hour: '22', minute: '0' }), minCapacity: 3, maxCapacity: 6 },
    ],
    instanceWarmup: Duration.minutes(3),
    applicationPort: 8080,
    healthCheckPath: '/health',
    healthyHttpCodes: '200-299',
    healthCheckGracePeriod: Duration.minutes(2),
    allowedCidrs: ['203.0.113.0/24', '198.51.100.0/24'],
    webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/abc',
    deregistrationDelay: Duration.seconds(60),
    stickinessCookieDuration: Duration.hours(1),
    latencyP99Threshold: Duration.millis(500),
    target5xxThreshold: 5,
    loadBalancer5xxThreshold: 5,
    alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) }),
  };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: any } }) => stack.getLogicalId(construct.node.defaultChild);

describe('AlbAutoScalingGroup', () => {
  describe('snapshots', () => {
    test('defaults with plain HTTP opted in, env-agnostic', () => {
      const stack = newStack();
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, allowInsecureHttp: true });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: certificate, scheduled scaling, existing WAF', () => {
      const stack = newStack({ withEnv: true });
      new AlbAutoScalingGroup(stack, 'Web', fullyConfigured(stack, new MultiAzVpc(stack, 'Network').vpc));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged', () => {
      expect(fullyConfiguredNag().v2).toEqual([]);
    });
  });

  describe('instances', () => {
    test("a grant to the group lands in a managed policy of the instances' role, never inline", () => {
      const stack = newStack({ withEnv: true });
      const web = new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, allowInsecureHttp: true });
      new sns.Topic(stack, 'Jobs', { enforceSSL: true }).grantPublish(web.autoScalingGroup);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: 'sns:Publish' })] },
        Roles: [{ Ref: stack.getLogicalId(web.autoScalingGroup.role.node.defaultChild as any) }],
      });
    });

    test('launch from a Graviton type with the latest Amazon Linux 2023 for ARM64, resolved at deploy time', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({
          InstanceType: 't4g.small',
          ImageId: { Ref: Match.stringLikeRegexp('SsmParameterValueawsserviceamiamazonlinuxlatestal2023amikernel.*arm64') },
        }),
      });
    });

    test('pick the x86 image for an x86 type', () => {
      build({ instanceType: new ec2.InstanceType('m7i.large') }).template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ ImageId: { Ref: Match.stringLikeRegexp('x8664') } }),
      });
    });

    test('require IMDSv2, use an encrypted gp3 root volume, and get no public IP', () => {
      build({ rootVolumeSize: 30 }).template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 30, DeleteOnTermination: true } }],
          NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: false })],
          Monitoring: { Enabled: true },
        }),
      });
    });

    test('have Session Manager and nothing broader: no key pair, no port 22', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
      });
      const launchData = Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData;
      expect(launchData.KeyName).toBeUndefined();
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
      expect(ingress.some((r) => r.FromPort <= 22 && r.ToPort >= 22)).toBe(false);
    });

    test('name their Availability Zones, those of the private subnets', () => {
      const { template, stack, web } = build();
      const group = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties;
      const vpc = (web.node.scope as Stack).node.findChild('Network') as MultiAzVpc;
      expect(group.AvailabilityZones).toEqual(stack.resolve(vpc.vpc.privateSubnets.map((s) => s.availabilityZone)));
      expect(new Set(group.AvailabilityZones).size).toBe(3);
    });

    test('diversify instance types: t4g.small first, m7g.medium when it has no capacity, all on demand', () => {
      const policy = Object.values(build().template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties.MixedInstancesPolicy;
      expect(policy.LaunchTemplate.Overrides).toEqual([{ InstanceType: 't4g.small' }, { InstanceType: 'm7g.medium' }]);
      expect(policy.InstancesDistribution).toEqual({ OnDemandAllocationStrategy: 'prioritized', OnDemandPercentageAboveBaseCapacity: 100 });
      // The pattern's own launch template: IMDSv2, encrypted gp3, the instance security group.
      expect(policy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId).toEqual({ Ref: expect.stringMatching(/^WebLaunchTemplate/) });
    });

    test('fall back within the instance type\'s architecture, or to the given types', () => {
      const overrides = (extra: Extra) => Object.values(build(extra).template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0]
        .Properties.MixedInstancesPolicy.LaunchTemplate.Overrides.map((o: any) => o.InstanceType);
      expect(overrides({ instanceType: new ec2.InstanceType('c7i.large') })).toEqual(['c7i.large', 'm7i.large']);
      expect(overrides({ instanceType: new ec2.InstanceType('m7g.medium') })).toEqual(['m7g.medium', 't4g.medium']);
      expect(overrides({ fallbackInstanceTypes: [new ec2.InstanceType('c7g.medium'), new ec2.InstanceType('t4g.medium')] }))
        .toEqual(['t4g.small', 'c7g.medium', 't4g.medium']);
    });

    test('run in the private subnets', () => {
      const { template, stack, web } = build();
      const subnets = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties.VPCZoneIdentifier;
      const vpc = (web.node.scope as Stack).node.findChild('Network') as MultiAzVpc;
      expect(subnets).toEqual(vpc.vpc.privateSubnets.map((s) => ({ Ref: logicalId(stack, s) })));
    });

    test('accept the application port from the load balancer security group only, never from a CIDR', () => {
      const { template, stack, web } = build({ applicationPort: 8080 });
      const instanceSg = logicalId(stack, web.instanceSecurityGroup);
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties)
        .filter((r) => JSON.stringify(r.GroupId).includes(instanceSg));
      expect(ingress).toEqual([expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
        SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(stack, web.loadBalancerSecurityGroup), 'GroupId'] },
      })]);
      const inline = template.toJSON().Resources[instanceSg].Properties.SecurityGroupIngress;
      expect(inline).toBeUndefined();
    });
  });

  describe('capacity and scaling', () => {
    test('2 to 4 instances in PROD, 1 to 2 in DEV, desired capacity left to scaling', () => {
      build().template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '4', DesiredCapacity: Match.absent() });
      build({ stage: DeploymentStage.DEV }).template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '2' });
    });

    test('tracks 50% average CPU by default', () => {
      build().template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
      });
    });

    test('tracks requests per target when asked', () => {
      build({ targetRequestsPerMinute: 600 }).template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
        TargetTrackingConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
          TargetValue: 600,
        }),
      });
    });

    test('runs scheduled actions', () => {
      build({ scheduledCapacity: [{ name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '8', minute: '0' }), minCapacity: 4, maxCapacity: 8 }] })
        .template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 8 * * *', MinSize: 4, MaxSize: 8 });
    });

    test('uses ELB health checks with a grace period, an instance warm-up, and rolling updates that keep the minimum in service', () => {
      build().template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
        Properties: Match.objectLike({ HealthCheckType: 'ELB', HealthCheckGracePeriod: 300, DefaultInstanceWarmup: 300 }),
        UpdatePolicy: { AutoScalingRollingUpdate: { MinInstancesInService: 2, MaxBatchSize: 1 } },
      });
    });

    // CloudFormation refuses an update whose MinInstancesInService is not below MaxSize: a group
    // of fixed size would deploy once and fail its first instance replacement.
    test.each([[3, 3, 2], [1, 1, 0], [2, 6, 2]])('a group of %i to %i instances keeps %i in service during a rolling update, below its maximum', (minCapacity, maxCapacity, inService) => {
      build({ minCapacity, maxCapacity }).template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
        Properties: Match.objectLike({ MinSize: String(minCapacity), MaxSize: String(maxCapacity) }),
        UpdatePolicy: { AutoScalingRollingUpdate: { MinInstancesInService: inService, MaxBatchSize: 1 } },
      });
    });
  });

  describe('listeners', () => {
    test('HTTPS on 443 with the certificate and a TLS 1.2/1.3 policy; port 80 only redirects', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: CERT_ARN }],
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
      });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    });

    test('plain HTTP only with allowInsecureHttp', () => {
      const { template, web } = build({}, { withCertificate: false });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'forward' })] });
      expect(web.url).toMatch(/^http:\/\//);
    });

    test('a custom domain with its hosted zone: a DNS-validated certificate, HTTPS with it, an alias record, an https URL on the name', () => {
      const stack = newStack({ withEnv: true });
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      const web = new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, domainName: 'www.example.com', hostedZone: zone });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'www.example.com', ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: 'www.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^WebCertificate') } }] });
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'www.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        AliasTarget: Match.objectLike({ DNSName: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
      });
      expect(web.url).toBe('https://www.example.com');
      expect(web.certificate).toBeDefined();
    });

    test('a domain with a given certificate uses the certificate and still gets its record', () => {
      const stack = newStack({ withEnv: true });
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, certificate: certificate(stack), domainName: 'www.example.com', hostedZone: zone });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.resourceCountIs('AWS::Route53::RecordSet', 1);
    });

    test('the load balancer accepts the listener ports from the allowed CIDRs only', () => {
      const { template, stack, web } = build({ allowedCidrs: ['203.0.113.0/24'] });
      const lbSg = template.toJSON().Resources[logicalId(stack, web.loadBalancerSecurityGroup)].Properties;
      expect(lbSg.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort])).toEqual([['203.0.113.0/24', 443], ['203.0.113.0/24', 80]]);
    });

    test('by default anyone may reach the load balancer, on 443 and the port-80 redirect', () => {
      const { template, stack, web } = build();
      const lbSg = template.toJSON().Resources[logicalId(stack, web.loadBalancerSecurityGroup)].Properties;
      expect(lbSg.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort])).toEqual([['0.0.0.0/0', 443], ['0.0.0.0/0', 80]]);
    });
  });

  describe('load balancer', () => {
    test('drops invalid headers, mitigates desync defensively, and is protected from deletion in PROD', () => {
      const attributes = (template: Template) =>
        Object.fromEntries(Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0].Properties.LoadBalancerAttributes
          .map((a: any) => [a.Key, a.Value]));
      const prod = attributes(build().template);
      expect(prod).toEqual(expect.objectContaining({
        'routing.http.drop_invalid_header_fields.enabled': 'true',
        'routing.http.desync_mitigation_mode': 'defensive',
        'deletion_protection.enabled': 'true',
        'access_logs.s3.enabled': 'true',
      }));
      expect(attributes(build({ stage: DeploymentStage.DEV }).template)['deletion_protection.enabled']).toBe('false');
    });

    test("is the pattern's Default child, owning its resources and alarms, with the logical ids the pattern always gave them", () => {
      const { stack, web, template } = build();
      const front = web.node.defaultChild as PublicLoadBalancer;
      expect(front).toBeInstanceOf(PublicLoadBalancer);
      expect(front.node.path).toBe('TestStack/Web/Default');
      for (const child of [web.loadBalancer, web.loadBalancerSecurityGroup, web.accessLogsBucket, web.webAcl!]) {
        expect(child.node.scope).toBe(front);
      }
      expect(web.listener.node.path).toBe('TestStack/Web/Default/LoadBalancer/HttpsListener');
      expect(web.targetGroup.node.path).toBe('TestStack/Web/Default/LoadBalancer/HttpsListener/InstancesGroup');
      // The instances stay the pattern's own.
      expect(web.autoScalingGroup.node.scope).toBe(web);
      expect(front.alarms.map((a) => a.node.path)).toEqual(['UnhealthyHostsAlarm', 'Target5xxAlarm', 'LoadBalancer5xxAlarm', 'ResponseTimeP99Alarm']
        .map((id) => `TestStack/Web/Default/${id}`));
      expect(web.alarms).toEqual(front.alarms);
      // `Default` is left out of logical ids: these are the ids from before the front was a construct.
      expect(stack.getLogicalId(web.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer)).toBe('WebLoadBalancer8E8983B1');
      expect(stack.getLogicalId(web.listener.node.defaultChild as elbv2.CfnListener)).toBe('WebLoadBalancerHttpsListenerF5A68E98');
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/ApplicationELB' } })).sort())
        .toEqual(['WebLoadBalancer5xxAlarmA8F71591', 'WebResponseTimeP99AlarmE4A3D7F2', 'WebTarget5xxAlarm7BF86FB8', 'WebUnhealthyHostsAlarm1736BA67']);
      // What an operator reads still names the pattern.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: 'An instance of TestStack/Web fails its health checks' });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'Load balancer of TestStack/Web: the listener ports from the allowed CIDRs' });
    });

    test('is internet-facing in the public subnets', () => {
      build().template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    });

    test('logs to an encrypted, TLS-only, private, versioned bucket with a lifecycle, retained in PROD', () => {
      const { template } = build();
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          VersioningConfiguration: { Status: 'Enabled' },
          LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
        }),
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('in a known region, the regional ELB account writes the logs', () => {
      build().template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:PutObject', Principal: { AWS: 'arn:aws:iam::127311923021:root' } })]) },
      });
    });

    test('env-agnostic, the ELB account is looked up per region at deploy time, with the service principal for newer regions', () => {
      const { template } = build({}, { withEnv: false });
      const mapping = Object.values(template.toJSON().Mappings)[0] as any;
      expect(mapping['us-east-1']).toEqual({ account: '127311923021' });
      expect(mapping['eu-central-2']).toEqual({ account: 'none' });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject' })]),
        },
      });
    });

    test('DEV keeps 30 days of logs and empties the bucket on delete', () => {
      const { template } = build({ stage: DeploymentStage.DEV });
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] } }),
      });
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    });
  });

  describe('target group', () => {
    test('checks health on / expecting 200, drains for 30 seconds, without stickiness', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 80,
        Protocol: 'HTTP',
        TargetType: 'instance',
        HealthCheckPath: '/',
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
      const attributes = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))[0].Properties.TargetGroupAttributes;
      expect(attributes.find((a: any) => a.Key === 'stickiness.enabled')?.Value ?? 'false').toBe('false');
    });

    test('configurable health check, draining and stickiness', () => {
      build({ healthCheckPath: '/health', healthyHttpCodes: '200,204', deregistrationDelay: Duration.seconds(120), stickinessCookieDuration: Duration.hours(1) })
        .template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
          HealthCheckPath: '/health',
          Matcher: { HttpCode: '200,204' },
          TargetGroupAttributes: Match.arrayWith([
            { Key: 'deregistration_delay.timeout_seconds', Value: '120' },
            { Key: 'stickiness.enabled', Value: 'true' },
            { Key: 'stickiness.lb_cookie.duration_seconds', Value: '3600' },
          ]),
        });
    });
  });

  describe('WAF', () => {
    test('PROD creates a web ACL with AWS managed rule groups, associated and logged', () => {
      const { template, web } = build();
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'].map((name) =>
          Match.objectLike({ Name: name, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } })),
      });
      template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'), RetentionInDays: 365, KmsKeyId: Match.anyValue() });
      template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
      expect(web.webAcl).toBeDefined();
    });

    test('an existing web ACL is associated instead', () => {
      const arn = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/abc';
      const { template } = build({ webAclArn: arn });
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: arn });
    });

    test('DEV goes without', () => {
      build({ stage: DeploymentStage.DEV }).template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });
  });

  describe('alarms', () => {
    test('unhealthy hosts, target and load balancer 5xx, and p99 response time', () => {
      const { template, web } = build({ latencyP99Threshold: Duration.millis(800) });
      expect(web.alarms).toHaveLength(4);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count', Threshold: 10, Statistic: 'Sum' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_ELB_5XX_Count', Threshold: 10 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Threshold: 0.8 });
    });

    test("without a topic, scaling events go to the stack's alarm topic, whose key Auto Scaling may use through SNS", () => {
      const stack = newStack({ withEnv: true });
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, allowInsecureHttp: true });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        NotificationConfigurations: [Match.objectLike({ TopicARN: { Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') } })],
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AllowAutoScalingNotifications',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': Match.anyValue() },
              StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' },
            },
          })]),
        },
      });
    });

    test('go to the alarm topic, and scaling events too', () => {
      const stack = newStack({ withEnv: true });
      const topic = new sns.Topic(stack, 'Alarms');
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, allowInsecureHttp: true, alarmTopic: topic });
      const template = Template.fromStack(stack);
      const ref = { Ref: logicalId(stack, topic) };
      // The VPC's alarms are not given the topic; the web tier's are.
      const webAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => a.Properties.Namespace === 'AWS/ApplicationELB');
      expect(webAlarms.map((a: any) => a.Properties.AlarmActions)).toEqual([[ref], [ref], [ref], [ref]]);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { NotificationConfigurations: [Match.objectLike({ TopicARN: ref })] });
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, Extra, RegExp]> = [
      ['a minimum of 0', { minCapacity: 0 }, /minCapacity is 0; it must be a whole number of at least 1\./],
      ['a maximum below the minimum', { minCapacity: 3, maxCapacity: 2 }, /maxCapacity is 2; it must be at least minCapacity \(3\)/],
      ['a fractional maximum', { maxCapacity: 4.5 }, /maxCapacity is 4.5; it must be a whole number of at least 1/],
      ['a desired capacity above the maximum', { desiredCapacity: 5 }, /desiredCapacity is 5; it must be a whole number from 2 to 4/],
      ['a desired capacity below the minimum', { desiredCapacity: 1 }, /desiredCapacity is 1; it must be a whole number from 2 to 4/],
      ['a root volume under 8 GiB', { rootVolumeSize: 4 }, /rootVolumeSize is 4; it must be a whole number from 8 to 16384/],
      ['no fallback instance type', { fallbackInstanceTypes: [] }, /fallbackInstanceTypes is \[\]; it must be 1 to 39 instance types/],
      ['40 fallback instance types', { fallbackInstanceTypes: Array.from({ length: 40 }, (_, i) => new ec2.InstanceType(`m7g.${i + 1}xlarge`)) },
        /fallbackInstanceTypes is .*; it must be 1 to 39 instance types \(a mixed instances policy takes at most 40/],
      ['a fallback that repeats the instance type', { fallbackInstanceTypes: [new ec2.InstanceType('t4g.small')] },
        /fallbackInstanceTypes is \["t4g.small"\]; it must be instance types that repeat neither each other nor instanceType \(t4g.small\)/],
      ['a fallback of another architecture', { fallbackInstanceTypes: [new ec2.InstanceType('m7i.large')] },
        /fallbackInstanceTypes is \["m7i.large"\]; it must be instance types of instanceType's architecture \(arm64\)/],
      ['a root volume over 16 TiB', { rootVolumeSize: 16385 }, /rootVolumeSize is 16385; it must be a whole number from 8 to 16384/],
      ['a CPU target of 0', { targetCpuUtilization: 0 }, /targetCpuUtilization is 0; it must be a whole number from 1 to 100/],
      ['a CPU target over 100', { targetCpuUtilization: 101 }, /targetCpuUtilization is 101; it must be a whole number from 1 to 100/],
      ['a request target of 0', { targetRequestsPerMinute: 0 }, /targetRequestsPerMinute is 0; it must be a whole number of at least 1\./],
      ['a warm-up over an hour', { instanceWarmup: Duration.seconds(3601) }, /instanceWarmup is 3601 seconds; it must be a whole number of seconds from 0 seconds to 1 hour/],
      ['port 0', { applicationPort: 0 }, /applicationPort is 0; it must be a whole number from 1 to 65535/],
      ['port 65536', { applicationPort: 65536 }, /applicationPort is 65536; it must be a whole number from 1 to 65535/],
      ['a relative health check path', { healthCheckPath: 'health' }, /healthCheckPath is 'health'; it must be a path starting with '\/'/],
      ['healthy codes outside 200-499', { healthyHttpCodes: '500' }, /healthyHttpCodes is '500'; it must be codes from 200 to 499/],
      ['a grace period over 2 hours', { healthCheckGracePeriod: Duration.seconds(7201) }, /healthCheckGracePeriod is 7201 seconds; it must be a whole number of seconds from 0 seconds to 2 hours/],
      ['an invalid CIDR', { allowedCidrs: ['10.0.0.300/24'] }, /allowedCidrs is '10.0.0.300\/24'; it must be IPv4 CIDR blocks/],
      ['no CIDR at all', { allowedCidrs: [] }, /allowedCidrs is \[\]; it must be at least one IPv4 CIDR block/],
      ['a web ACL ARN that is not one', { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y' }, /webAclArn is .*; it must be the ARN of a regional WAFv2 web ACL/],
      ['a web ACL of another region', { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' },
        /webAclArn is 'arn:aws:wafv2:eu-west-1:123456789012:regional\/webacl\/x\/y'; it must be a web ACL in the load balancer's region, us-east-1, not eu-west-1: WAF protects resources of its own region only\./],
      ['a deregistration delay over an hour', { deregistrationDelay: Duration.seconds(3601) }, /deregistrationDelay is 3601 seconds; it must be a whole number of seconds from 0 seconds to 1 hour/],
      ['stickiness over 7 days', { stickinessCookieDuration: Duration.days(8) }, /stickinessCookieDuration is 8 days; it must be a whole number of seconds from 1 second to 7 days/],
      ['a zero latency threshold', { latencyP99Threshold: Duration.millis(0) }, /latencyP99Threshold is '0 ms'; it must be longer than 0/],
      ['a negative 5xx threshold', { target5xxThreshold: -1 }, /target5xxThreshold is -1; it must be a whole number of at least 0\./],
      ['a negative load balancer 5xx threshold', { loadBalancer5xxThreshold: -1 }, /loadBalancer5xxThreshold is -1; it must be a whole number of at least 0\./],
      ['a scheduled minimum of 0', { scheduledCapacity: [{ name: 'Night', schedule: autoscaling.Schedule.cron({ hour: '2' }), minCapacity: 0 }] },
        /scheduledCapacity\['Night'\]\.minCapacity is 0; it must be a whole number of at least 1\./],
      ['a scheduled action without capacity', { scheduledCapacity: [{ name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '8' }) }] },
        /scheduledCapacity\['Peak'\] is 'no capacity'; it must be a minCapacity, a maxCapacity or both/],
      ['a scheduled maximum below its minimum', { scheduledCapacity: [{ name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '8' }), minCapacity: 5, maxCapacity: 4 }] },
        /scheduledCapacity\['Peak'\]\.maxCapacity is 4; it must be at least its minCapacity \(5\)/],
      ['duplicate scheduled action names', {
        scheduledCapacity: [
          { name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '8' }), minCapacity: 3 },
          { name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '9' }), minCapacity: 3 },
        ],
      }, /scheduledCapacity\['Peak'\]\.name is 'Peak'; it must be unique/],
    ];

    test.each(invalid)('rejects %s', (_name, extra, message) => {
      expect(() => build(extra)).toThrow(message);
    });

    // From JavaScript or JSON the former name would pass unnoticed and leave the default alarm.
    test('refuses the p99 threshold under its former name, naming the new prop', () => {
      expect(() => build({ responseTimeP99Threshold: Duration.millis(500) } as unknown as Extra)).toThrow(
        "responseTimeP99Threshold is '500 millis'; it must be left unset: responseTimeP99Threshold was renamed latencyP99Threshold, a Duration (the p99 target response time).");
    });

    test('without a certificate, says how to get one unless insecure HTTP is allowed', () => {
      const stack = newStack({ withEnv: true });
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      expect(() => new AlbAutoScalingGroup(stack, 'Web', { vpc })).toThrow(
        /certificate is unset; it must be an ACM certificate for the HTTPS listener \(request one with certificatemanager\.Certificate and DNS validation.*or set allowInsecureHttp: true/,
      );
    });

    test("rejects a certificate of another region than the load balancer's", () => {
      const stack = newStack({ withEnv: true });
      const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
      expect(() => new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', arn) }))
        .toThrow(`\n  - certificate is '${arn}'; it must be in the load balancer's region, us-east-1, not eu-west-1: `
          + 'an Application Load Balancer uses ACM certificates of its own region only.');
    });

    test('rejects insecure HTTP together with a certificate', () => {
      expect(() => build({ allowInsecureHttp: true })).toThrow(/allowInsecureHttp is true; it must be left unset with a certificate/);
    });

    // Every validated prop takes a value known only at deploy time; the validator skips it.
    const tokenCases: Array<[string, (t: DeployTimeValues) => Extra]> = [
      ['minCapacity', (t) => ({ minCapacity: t.number, desiredCapacity: 2 })],
      ['maxCapacity', (t) => ({ maxCapacity: t.number, desiredCapacity: 2 })],
      ['desiredCapacity', (t) => ({ desiredCapacity: t.number })],
      ['rootVolumeSize', (t) => ({ rootVolumeSize: t.number })],
      ['targetCpuUtilization', (t) => ({ targetCpuUtilization: t.number })],
      ['targetRequestsPerMinute', (t) => ({ targetRequestsPerMinute: t.number })],
      ['instanceWarmup', (t) => ({ instanceWarmup: t.duration })],
      ['applicationPort', (t) => ({ applicationPort: t.number })],
      ['healthCheckPath', (t) => ({ healthCheckPath: t.text })],
      ['healthyHttpCodes', (t) => ({ healthyHttpCodes: t.text })],
      ['healthCheckGracePeriod', (t) => ({ healthCheckGracePeriod: t.duration })],
      ['a block of allowedCidrs', (t) => ({ allowedCidrs: [t.text, '198.51.100.0/24'] })],
      ['webAclArn', (t) => ({ webAclArn: t.text })],
      ['sslPolicy', (t) => ({ sslPolicy: t.text as elbv2.SslPolicy })],
      ['deregistrationDelay', (t) => ({ deregistrationDelay: t.duration })],
      ['latencyP99Threshold in seconds', (t) => ({ latencyP99Threshold: t.duration })],
      ['target5xxThreshold', (t) => ({ target5xxThreshold: t.number })],
      ['loadBalancer5xxThreshold', (t) => ({ loadBalancer5xxThreshold: t.number })],
      ['scheduledCapacity minCapacity', (t) => ({ scheduledCapacity: [{ name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '8' }), minCapacity: t.number, maxCapacity: 4 }] })],
      ['scheduledCapacity maxCapacity', (t) => ({ scheduledCapacity: [{ name: 'Peak', schedule: autoscaling.Schedule.cron({ hour: '8' }), minCapacity: 3, maxCapacity: t.number }] })],
    ];
    // All cases in one app, eight to a stack over one VPC (a stack holds at most 500 resources),
    // synthesized once; each case's parameters are its own.
    const tokenCase = deployTimeCases(newApp, tokenCases, (stack, id, t, [, extra]) => {
      const vpc = (stack.node.findChild('Network') as MultiAzVpc).vpc;
      new AlbAutoScalingGroup(stack, id, { vpc, certificate: stack.node.findChild('Certificate') as acm.ICertificate, ...extra(t) });
    }, {
      perStack: 8,
      stackProps: { env: TEST_ENV },
      prepare: (stack) => {
        new MultiAzVpc(stack, 'Network');
        certificate(stack);
      },
    });
    test.each(tokenCases.map(([prop], i) => [prop, i] as const))('accepts a token for %s', (_prop, i) => {
      // The parameter reaches the template, not a value the pattern made up in its place.
      const { name, resources } = tokenCase(i);
      expect(resources).toMatch(new RegExp(`\\{"Ref":"${name}(Number|Text)"\\}`));
    });

    test.each<[string, (t: DeployTimeValues) => Extra, string]>([
      ['allowedCidrs as a whole', (t) => ({ allowedCidrs: t.list }),
        'allowedCidrs is a token, only known at deploy time; it must be a value known at synth: each block is a security group rule of its own; a block in the list may be a token.'],
      ['stickinessCookieDuration', (t) => ({ stickinessCookieDuration: t.duration }),
        "stickinessCookieDuration is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's target group reads it at synth."],
      ['latencyP99Threshold in milliseconds', (t) => ({ latencyP99Threshold: Duration.millis(t.number) }),
        'it must be in seconds when it is a token (Duration.seconds(token)): the alarm compares seconds.'],
    ])('refuses a token for %s, saying why', (_prop, extra, message) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      expect(() => new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, certificate: certificate(stack), ...extra(t) })).toThrow(message);
    });

    test('accepts the limits themselves', () => {
      expect(() => build({
        minCapacity: 1,
        maxCapacity: 1,
        desiredCapacity: 1,
        rootVolumeSize: 16384,
        targetCpuUtilization: 100,
        applicationPort: 65535,
        deregistrationDelay: Duration.seconds(3600),
        stickinessCookieDuration: Duration.days(7),
        healthyHttpCodes: '200-499',
      })).not.toThrow();
    });
  });

  describe('compliance', () => {
    test('PROD with a certificate, env-agnostic: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      const stack = new Stack(app, 'Prod');
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, certificate: certificate(stack) });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV with plain HTTP opted in: no unacknowledged finding', () => {
      const app = newApp();
      const stack = new Stack(app, 'Dev', { env: TEST_ENV });
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, allowInsecureHttp: true, stage: DeploymentStage.DEV });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured: no unacknowledged finding', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two web tiers in one VPC synthesize', () => {
      const stack = newStack({ withEnv: true });
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      new AlbAutoScalingGroup(stack, 'Blue', { vpc, certificate: certificate(stack) });
      new AlbAutoScalingGroup(stack, 'Green', { vpc, allowInsecureHttp: true });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
      template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags, with or without an environment", () => {
      for (const env of [undefined, TEST_ENV]) {
        const app = newApp();
        const stack = new Stack(app, 'Validated', { env });
        new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, certificate: certificate(stack) });
        expect(cloudFormationFindings(app)).toEqual([]);
      }
    });
  });

  describe('across stacks', () => {
    // The network, a hosted zone and a certificate in a Data stack; the web tier in an App stack. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const network = new MultiAzVpc(dataStack, 'Network');
      const hostedZone = new route53.PublicHostedZone(dataStack, 'Zone', { zoneName: 'example.com' });
      const dataCertificate = new acm.Certificate(dataStack, 'Certificate', { domainName: 'www.example.com', validation: acm.CertificateValidation.fromDns(hostedZone) });
      new AlbAutoScalingGroup(appStack, 'Web', { vpc: network.vpc, certificate: dataCertificate, hostedZone, domainName: 'www.example.com' });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the load balancer's listener and alias record use Data's certificate and zone", () => {
      svc.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Certificates: [{ CertificateArn: { 'Fn::GetStackOutput': Match.anyValue() } }] });
      svc.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
