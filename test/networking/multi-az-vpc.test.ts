import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, MultiAzVpc, MultiAzVpcProps } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { patternResourceCount } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

/**
 * The pattern with default props is built once per file and shared: no test changes a stack after
 * building it, and building it for each of them was most of this suite's time.
 */
function build(props?: MultiAzVpcProps, withEnv?: boolean) {
  return props === undefined && withEnv === undefined ? (defaults ??= buildNew()) : buildNew(props, withEnv);
}
let defaults: ReturnType<typeof buildNew> | undefined;

function buildNew(props: MultiAzVpcProps = {}, withEnv = true): { stack: Stack; network: MultiAzVpc; template: Template } {
  const stack = newStack({ withEnv });
  const network = new MultiAzVpc(stack, 'Network', props);
  return { stack, network, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): MultiAzVpcProps {
  return {
    stage: DeploymentStage.PROD,
    cidr: '172.20.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    natGateways: 2,
    publicSubnetCidrMask: 26,
    privateSubnetCidrMask: 19,
    isolatedSubnetCidrMask: 25,
    flowLogRetention: logs.RetentionDays.TWO_YEARS,
    interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SSM, ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
    alarmTopic: new sns.Topic(stack, 'Alarms', {
      enforceSSL: true,
      masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }),
    }),
  };
}

const subnetsOfType = (template: Template, type: string) =>
  template.findResources('AWS::EC2::Subnet', {
    Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: type }]) },
  });

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new MultiAzVpc(stack, 'Network', fullyConfigured(stack));
    fullNag = runNagPacksOfBothMajors(app);
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('MultiAzVpc', () => {
  describe('snapshots', () => {
    test('defaults, env-agnostic', () => {
      const stack = newStack();
      new MultiAzVpc(stack, 'Network');
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured', () => {
      const stack = newStack({ withEnv: true });
      new MultiAzVpc(stack, 'Network', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged', () => {
      expect(fullyConfiguredNag().v2).toEqual([]);
    });
  });

  describe('availability zones and tiers', () => {
    test('spreads three tiers over three AZs where the environment knows them', () => {
      const { template, network } = build();
      expect(network.vpc.availabilityZones).toHaveLength(3);
      expect(Object.keys(subnetsOfType(template, 'Public'))).toHaveLength(3);
      expect(Object.keys(subnetsOfType(template, 'Private'))).toHaveLength(3);
      expect(Object.keys(subnetsOfType(template, 'Isolated'))).toHaveLength(3);
    });

    test('gets two AZs in an env-agnostic stack, the most Fn::GetAZs guarantees', () => {
      const { template } = build({}, false);
      template.resourceCountIs('AWS::EC2::Subnet', 6);
    });

    test('uses the Availability Zones it is given', () => {
      const { network } = build({ availabilityZones: ['us-east-1b', 'us-east-1d'] });
      expect(network.vpc.availabilityZones).toEqual(['us-east-1b', 'us-east-1d']);
    });

    test('makes private subnets larger than public and isolated ones', () => {
      const { template } = build();
      const masks = (type: string) => Object.values(subnetsOfType(template, type)).map((s: any) => s.Properties.CidrBlock.split('/')[1]);
      expect(new Set(masks('Public'))).toEqual(new Set(['24']));
      expect(new Set(masks('Private'))).toEqual(new Set(['20']));
      expect(new Set(masks('Isolated'))).toEqual(new Set(['24']));
    });

    test('derives subnet sizes from a smaller VPC block', () => {
      const { template } = build({ cidr: '10.1.0.0/20' });
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.1.0.0/20' });
      const cidrs = Object.values(template.findResources('AWS::EC2::Subnet')).map((s: any) => s.Properties.CidrBlock);
      expect(cidrs.filter((c) => c.endsWith('/24'))).toHaveLength(3);
      expect(cidrs.filter((c) => c.endsWith('/28'))).toHaveLength(6);
    });

    test('public subnets assign no public IPs unless asked', () => {
      build().template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
      const { template } = build({ mapPublicIpOnLaunch: true });
      expect(Object.values(subnetsOfType(template, 'Public')).map((s: any) => s.Properties.MapPublicIpOnLaunch)).toEqual([true, true, true]);
    });

    test('isolated subnets have no route out', () => {
      const { template, network } = build();
      const stack = Stack.of(network);
      const isolatedTables = network.vpc.isolatedSubnets.map((s) =>
        stack.getLogicalId(s.node.findChild('RouteTable') as ec2.CfnRouteTable));
      const routeTables = Object.values(template.findResources('AWS::EC2::Route')).map((r: any) => r.Properties.RouteTableId.Ref);
      expect(isolatedTables).toHaveLength(3);
      expect(routeTables.filter((t) => isolatedTables.includes(t))).toEqual([]);
      template.resourceCountIs('AWS::EC2::Route', 6); // 3 to the internet gateway, 3 to NAT gateways
    });

    test('can leave out the isolated tier, and the private tier with its NAT gateways', () => {
      const { template, network } = build({ isolatedSubnets: false, privateSubnets: false });
      template.resourceCountIs('AWS::EC2::Subnet', 3);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::NetworkAcl', 0);
      expect(network.privateSubnets).toBeUndefined();
      expect(network.isolatedSubnets).toBeUndefined();
    });

    test('exposes a selection for each tier', () => {
      const { network } = build();
      expect(network.vpc.selectSubnets(network.publicSubnets).subnets).toHaveLength(3);
      expect(network.vpc.selectSubnets(network.privateSubnets).subnets).toEqual(network.vpc.privateSubnets);
      expect(network.vpc.selectSubnets(network.isolatedSubnets).subnets).toEqual(network.vpc.isolatedSubnets);
    });
  });

  describe('NAT gateways', () => {
    test('one per AZ in PROD', () => {
      build().template.resourceCountIs('AWS::EC2::NatGateway', 3);
    });

    test('one in DEV', () => {
      build({ stage: DeploymentStage.DEV }).template.resourceCountIs('AWS::EC2::NatGateway', 1);
    });

    test('an explicit count wins over the stage', () => {
      build({ stage: DeploymentStage.DEV, natGateways: 2 }).template.resourceCountIs('AWS::EC2::NatGateway', 2);
    });
  });

  describe('flow logs', () => {
    test('capture all traffic into an encrypted log group with a retention', () => {
      const { template, stack, network } = build();
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      expect(stack.resolve(network.flowLogGroup!.logGroupName)).toEqual({ Ref: expect.stringMatching(/^NetworkFlowLogGroup/) });
    });

    test('the key lets only CloudWatch Logs of this account and region use it for log groups', () => {
      build().template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:123456789012:log-group:*' } },
          })]),
        },
      });
    });

    test('PROD retains the logs and their key; DEV destroys them and keeps a month', () => {
      const prod = build().template;
      prod.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
      prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
      const dev = build({ stage: DeploymentStage.DEV }).template;
      dev.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RetentionInDays: 30 }) });
      dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    });

    test('write through a least-privilege role with a managed policy and no inline one', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
              ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*' },
            },
          })],
        },
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [{
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogGroup'), 'Arn'] },
          }],
        },
      });
      template.resourceCountIs('AWS::IAM::Policy', 0);
    });

    test('use the key they are given instead of creating one', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'SharedLogKey');
      new MultiAzVpc(stack, 'Network', { flowLogEncryptionKey: key });
      const template = Template.fromStack(stack);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(1);
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      });
    });

    test('go to a given bucket instead, with no log group, key or role', () => {
      const stack = newStack({ withEnv: true });
      const bucket = s3.Bucket.fromBucketName(stack, 'Archive', 'central-log-archive');
      const network = new MultiAzVpc(stack, 'Network', { flowLogBucket: bucket });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        LogDestinationType: 's3',
        LogDestination: 'arn:aws:s3:::central-log-archive',
      });
      template.resourceCountIs('AWS::Logs::LogGroup', 0);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(0);
      expect(network.flowLogGroup).toBeUndefined();
    });
  });

  describe('endpoints and security groups', () => {
    test('S3 and DynamoDB gateway endpoints, always', () => {
      const { template } = build();
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
      for (const service of ['s3', 'dynamodb']) {
        template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcEndpointType: 'Gateway',
          ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
        });
      }
    });

    test('interface endpoints with private DNS in the private subnets', () => {
      const { template } = build({ interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SSM] });
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.ssm',
        PrivateDnsEnabled: true,
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }]),
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [Match.objectLike({ FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16', IpProtocol: 'tcp' })],
        SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })], // aws-cdk-lib's marker for "no egress"
      });
    });

    test('the default security group is stripped of its rules', () => {
      build().template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    });
  });

  describe('network ACL of the isolated tier', () => {
    test('admits the private and isolated subnets, both ways, and nothing else', () => {
      const { template, network } = build();
      template.resourceCountIs('AWS::EC2::NetworkAcl', 1);
      template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 3);
      const entries = Object.values(template.findResources('AWS::EC2::NetworkAclEntry')).map((e: any) => e.Properties);
      const allowed = [...network.vpc.privateSubnets, ...network.vpc.isolatedSubnets].map((s) => s.ipv4CidrBlock).sort();
      for (const egress of [false, true]) {
        const cidrs = entries.filter((e) => (e.Egress ?? false) === egress).map((e) => e.CidrBlock).sort();
        expect(cidrs).toEqual(allowed);
      }
      expect(entries.every((e) => e.RuleAction === 'allow' && e.Protocol === -1)).toBe(true);
      const publicCidrs = network.vpc.publicSubnets.map((s) => s.ipv4CidrBlock);
      expect(entries.some((e) => publicCidrs.includes(e.CidrBlock))).toBe(false);
    });

    test('is associated with the isolated subnets only', () => {
      const { template, network } = build();
      const associated = Object.values(template.findResources('AWS::EC2::SubnetNetworkAclAssociation')).map((a: any) => a.Properties.SubnetId.Ref);
      const isolatedIds = network.vpc.isolatedSubnets.map((s) => Stack.of(network).getLogicalId(s.node.defaultChild as ec2.CfnSubnet));
      expect(associated.sort()).toEqual(isolatedIds.sort());
    });
  });

  describe('alarms', () => {
    test('two per NAT gateway: port allocation errors and dropped packets', () => {
      const { template, network } = build();
      expect(network.alarms).toHaveLength(6);
      for (const metricName of ['ErrorPortAllocation', 'PacketsDropCount']) {
        const alarms = template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { MetricName: metricName, Namespace: 'AWS/NATGateway', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' },
        });
        expect(Object.keys(alarms)).toHaveLength(3);
      }
    });

    test('notify the alarm topic when given', () => {
      const stack = newStack({ withEnv: true });
      const topic = new sns.Topic(stack, 'Alarms');
      new MultiAzVpc(stack, 'Network', { alarmTopic: topic, stage: DeploymentStage.DEV });
      const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
      Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicRef], OKActions: [topicRef] });
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, MultiAzVpcProps, RegExp]> = [
      ['a public CIDR', { cidr: '8.8.0.0/16' }, /cidr is '8.8.0.0\/16'; it must be inside a private range/],
      ['a malformed CIDR', { cidr: '10.0.0/16' }, /cidr is '10.0.0\/16'; it must be an IPv4 CIDR block/],
      ['a CIDR larger than /16', { cidr: '10.0.0.0/12' }, /cidr is '10.0.0.0\/12'; it must be a block with a prefix from \/16 to \/28/],
      ['a CIDR smaller than /28', { cidr: '10.0.0.0/29', publicSubnetCidrMask: 28 }, /cidr is '10.0.0.0\/29'; it must be a block with a prefix from \/16 to \/28/],
      ['a single AZ', { maxAzs: 1 }, /maxAzs is 1; it must be a whole number from 2 to 6/],
      ['more AZs than any region has', { maxAzs: 7 }, /maxAzs is 7; it must be a whole number from 2 to 6/],
      ['one named AZ', { availabilityZones: ['us-east-1a'] }, /availabilityZones is \["us-east-1a"\]; it must be at least 2 distinct/],
      ['repeated AZs', { availabilityZones: ['us-east-1a', 'us-east-1a'] }, /availabilityZones .* at least 2 distinct/],
      ['no NAT gateway for private subnets', { natGateways: 0 }, /natGateways is 0; it must be a whole number from 1 to 3/],
      ['more NAT gateways than AZs', { natGateways: 4 }, /natGateways is 4; it must be a whole number from 1 to 3/],
      ['NAT gateways without private subnets', { privateSubnets: false, natGateways: 1 }, /natGateways is 1; it must be 0 when privateSubnets is false/],
      ['a subnet mask below /16', { publicSubnetCidrMask: 15 }, /publicSubnetCidrMask is 15; it must be a whole number from 16 to 28/],
      ['a subnet mask above /28', { privateSubnetCidrMask: 29 }, /privateSubnetCidrMask is 29; it must be a whole number from 16 to 28/],
      ['a subnet larger than the VPC', { cidr: '10.0.0.0/20', isolatedSubnetCidrMask: 19 }, /isolatedSubnetCidrMask is 19; it must be a whole number from 20 to 28/],
      ['subnets that do not fit', { privateSubnetCidrMask: 18 }, /subnet CIDR masks is '\/24, \/18, \/24 in 3 AZs'; it must be small enough .* \/16 \(65536 addresses; these need 66304\)/],
      ['a retention for flow logs that go to a bucket', { flowLogBucket: s3.Bucket.fromBucketName(newStack(), 'B', 'logs'), flowLogRetention: logs.RetentionDays.ONE_YEAR }, /flowLogRetention is 365; it must be left unset with flowLogBucket/],
      ['a log key for flow logs that go to a bucket', { flowLogBucket: s3.Bucket.fromBucketName(newStack(), 'B', 'logs'), flowLogEncryptionKey: new kms.Key(newStack(), 'K') }, /flowLogEncryptionKey is 'TestStack\/K'; it must be left unset with flowLogBucket/],
      ['an interface endpoint asked for twice', { interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SQS, ec2.InterfaceVpcEndpointAwsService.SQS] },
        /interfaceEndpoints is \["sqs"\]; it must be services that each appear once/],
      ['a retention CloudWatch does not offer', { flowLogRetention: 17 as logs.RetentionDays }, /flowLogRetention is 17; it must be one of CloudWatch Logs' retention periods in days \(1, 3, 5, 7/],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    test('reports every invalid prop at once', () => {
      expect(() => build({ cidr: '10.0.0.0/12', maxAzs: 1, natGateways: 9 })).toThrow(
        /MultiAzVpc 'TestStack\/Network' has 3 invalid props:\n {2}- cidr .*\n {2}- maxAzs .*\n {2}- natGateways/,
      );
    });

    // The VPC's layout (how many AZs, subnets and NAT gateways, and their blocks) is computed at
    // synth, so those props must be known then; a token natGateways used to give no NAT gateway at
    // all, silently, leaving the private subnets without a way out.
    test.each<[string, (t: DeployTimeValues) => MultiAzVpcProps, string]>([
      ['cidr', (t) => ({ cidr: t.text }), 'the subnets are carved out of it at synth'],
      ['maxAzs', (t) => ({ maxAzs: t.number }), 'it decides how many subnets and NAT gateways exist'],
      ['availabilityZones', (t) => ({ availabilityZones: t.list }), 'it decides how many subnets and NAT gateways exist'],
      ['natGateways', (t) => ({ natGateways: t.number }), 'it decides how many NAT gateways exist'],
      ['publicSubnetCidrMask', (t) => ({ publicSubnetCidrMask: t.number }), 'the subnets are carved out of the VPC at synth'],
      ['privateSubnetCidrMask', (t) => ({ privateSubnetCidrMask: t.number }), 'the subnets are carved out of the VPC at synth'],
      ['isolatedSubnetCidrMask', (t) => ({ isolatedSubnetCidrMask: t.number }), 'the subnets are carved out of the VPC at synth'],
    ])('refuses a token for %s, saying why', (prop, props, why) => {
      const stack = newStack({ withEnv: true });
      expect(() => new MultiAzVpc(stack, 'Network', props(deployTimeValues(stack))))
        .toThrow(`${prop} is a token, only known at deploy time; it must be a value known at synth: ${why}.`);
    });

    test('accepts a token for flowLogRetention', () => {
      const stack = newStack({ withEnv: true });
      new MultiAzVpc(stack, 'Network', { flowLogRetention: deployTimeValues(stack).number as logs.RetentionDays });
      Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'DeployTimeNumber' } });
    });

    test('accepts the limits themselves', () => {
      expect(() => build({ cidr: '192.168.0.0/16', maxAzs: 2, natGateways: 2 })).not.toThrow();
      expect(() => build({ cidr: '172.31.255.0/24', publicSubnetCidrMask: 28, privateSubnetCidrMask: 28, isolatedSubnetCidrMask: 28 })).not.toThrow();
      expect(() => build({ flowLogRetention: logs.RetentionDays.TEN_YEARS })).not.toThrow();
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new MultiAzVpc(new Stack(app, 'Defaults'), 'Network');
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV, in a known environment: no unacknowledged finding', () => {
      const app = newApp();
      new MultiAzVpc(new Stack(app, 'Dev', { env: TEST_ENV }), 'Network', { stage: DeploymentStage.DEV });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('public IPs on launch, asked for by name, are acknowledged on the public subnets and nowhere else', () => {
      const app = newApp();
      new MultiAzVpc(new Stack(app, 'PublicIps'), 'Network', { mapPublicIpOnLaunch: true });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
      const acknowledged = app.node.findAll()
        .filter((c) => c.node.metadata.some((m) => JSON.stringify(m.data).includes('VPCSubnetAutoAssignPublicIpDisabled')))
        .map((c) => c.node.path);
      expect(acknowledged).toEqual(['PublicIps/Network/Vpc/PublicSubnet1/Subnet', 'PublicIps/Network/Vpc/PublicSubnet2/Subnet']);
    });

    test('fully configured: no unacknowledged finding', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two VPCs in one stack synthesize side by side', () => {
      const stack = newStack({ withEnv: true });
      new MultiAzVpc(stack, 'Blue');
      new MultiAzVpc(stack, 'Green', { cidr: '10.1.0.0/16' });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EC2::VPC', 2);
      template.resourceCountIs('AWS::EC2::FlowLog', 2);
      // aws-cdk-lib shares one handler for the default security groups of every VPC in a stack.
      template.resourceCountIs('Custom::VpcRestrictDefaultSG', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      new MultiAzVpc(new Stack(app, 'Validated', { env: TEST_ENV }), 'Network');
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // A flow log bucket and a flow log key in a Data stack; the networks in an App stack. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const bucket = new s3.Bucket(dataStack, 'FlowLogs', { enforceSSL: true });
      const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      new MultiAzVpc(appStack, 'ToBucket', { flowLogBucket: bucket });
      new MultiAzVpc(appStack, 'ToLogs', { flowLogEncryptionKey: key });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the flow logs go to Data's bucket, and to a log group under Data's key", () => {
      svc.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3', LogDestination: { 'Fn::GetStackOutput': Match.anyValue() } });
      svc.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
