import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  DeploymentStage, ExecutionLogLevel, HardenedFunction, LambdaAuthorizerKind, MultiAzVpc, RestApiEndpoint, RestApiLambda, RestApiLambdaProps,
} from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { consumerFunction, onlyAliasId, patternResourceCount, referencesOnlyAlias } from '../support/fixtures';
import { functionAlarmThresholdTests } from '../support/lambda-api';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeCases, DeployTimeValues, deployTimeValues, LAMBDA_API_DEPLOY_TIME_CASES } from '../support/tokens';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });');
type Extra = Partial<RestApiLambdaProps>;

// The zone and certificates the custom-domain tests share, imported by id and ARN: their
// attributes are literal strings, so a stack of any app may use them.
const IMPORTS = newStack({ withEnv: true });
const ZONE = route53.HostedZone.fromHostedZoneAttributes(IMPORTS, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
const certificateIn = (region: string) => (IMPORTS.node.tryFindChild(region) as acm.ICertificate | undefined)
  ?? acm.Certificate.fromCertificateArn(IMPORTS, region, `arn:aws:acm:${region}:123456789012:certificate/11111111-2222-3333-4444-555555555555`);
const CERTIFICATE = certificateIn('us-east-1');
const DOMAIN: Extra = { domainName: 'api.example.com', hostedZone: ZONE };

/**
 * The pattern with default props is built once per file and shared: no test changes a stack after
 * building it, and building it for each of them was most of this suite's time.
 */
function build(extra?: Extra) {
  return extra === undefined ? (defaults ??= buildNew()) : buildNew(extra);
}
let defaults: ReturnType<typeof buildNew> | undefined;

function buildNew(extra: Extra = {}) {
  const stack = newStack({ withEnv: true });
  const api = new RestApiLambda(stack, 'Notes', { code: CODE, ...extra });
  return { stack, api, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): RestApiLambdaProps {
  return {
    stage: DeploymentStage.PROD,
    code: CODE,
    handler: 'app.main',
    memorySize: 512,
    timeout: Duration.seconds(20),
    reservedConcurrentExecutions: 20,
    environment: { TABLE: 'notes' },
    logRetention: logs.RetentionDays.TWO_YEARS,
    throttlingRateLimit: 50,
    throttlingBurstLimit: 100,
    allowedOrigins: ['https://app.example.com'],
    userPool: cognito.UserPool.fromUserPoolId(stack, 'Users', 'us-east-1_Example'),
    usagePlan: { rateLimit: 10, burstLimit: 20, dailyQuota: 10000 },
    requestBodySchema: { type: apigw.JsonSchemaType.OBJECT, required: ['text'], properties: { text: { type: apigw.JsonSchemaType.STRING } } },
    executionLogLevel: ExecutionLogLevel.INFO,
    stageName: 'v1',
    errorRate5xxThreshold: 5,
    errorRate4xxThreshold: 20,
    latencyP99Threshold: Duration.seconds(2),
    alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) }),
    domainName: 'notes.example.com',
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
  };
}

const stageProps = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].Properties;
const methods = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::Method')).map((m: any) => m.Properties);

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new RestApiLambda(stack, 'Notes', fullyConfigured(stack));
    fullNag = runNagPacksOfBothMajors(app);
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('RestApiLambda', () => {
  describe('snapshots', () => {
    test('defaults, env-agnostic', () => {
      const stack = newStack();
      new RestApiLambda(stack, 'Notes', { code: CODE });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: Cognito, usage plan, request schema, CORS, WAF, custom domain', () => {
      const stack = newStack({ withEnv: true });
      new RestApiLambda(stack, 'Notes', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged', () => {
      expect(fullyConfiguredNag().v2).toEqual([]);
    });
  });

  describe('function', () => {
    test('logs to an encrypted log group kept a year in PROD and a month in DEV', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
      build({ stage: DeploymentStage.DEV }).template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('has no inline policy anywhere: the function\'s permissions are managed policies', () => {
      build().template.resourceCountIs('AWS::IAM::Policy', 0);
    });

    test('runs in the private subnets of a given VPC', () => {
      const stack = newStack({ withEnv: true });
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      new RestApiLambda(stack, 'Notes', { code: CODE, vpc });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: {
          SubnetIds: vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })),
          SecurityGroupIds: Match.anyValue(),
        },
      });
    });

    test('bundles an entry file with esbuild into the same hardened function', () => {
      const stack = newStack({ withEnv: true });
      new RestApiLambda(stack, 'Notes', { entry: path.join(__dirname, '..', 'support', 'echo-handler.ts') });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        Code: { S3Key: Match.stringLikeRegexp('\\.zip$') },
      });
    });

    test('is a HardenedFunction: the integration and every Lambda permission point at its alias, shifted by CodeDeploy', () => {
      const { template, stack, api } = build();
      expect(api.handlerFunction).toBeInstanceOf(HardenedFunction);
      const aliasId = onlyAliasId(template);
      const functionId = stack.getLogicalId((api.handlerFunction as HardenedFunction).lambdaFunction.node.defaultChild as lambda.CfnFunction);
      const proxied = methods(template).filter((m) => m.HttpMethod === 'ANY');
      expect(proxied).toHaveLength(2);
      expect(proxied.every((m) => referencesOnlyAlias(m.Integration.Uri, aliasId, functionId))).toBe(true);
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
      expect(permissions.length).toBeGreaterThan(0);
      expect(permissions.every((p) => referencesOnlyAlias(p.FunctionName, aliasId, functionId))).toBe(true);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' });
    });

    test('your HardenedFunction is invoked through its alias, and keeps its own alarms', () => {
      const stack = newStack({ withEnv: true });
      const own = new HardenedFunction(stack, 'Own', { code: CODE });
      const api = new RestApiLambda(stack, 'Notes', { handlerFunction: own });
      const template = Template.fromStack(stack);
      const functionId = stack.getLogicalId(own.lambdaFunction.node.defaultChild as lambda.CfnFunction);
      expect(methods(template).filter((m) => m.HttpMethod === 'ANY').every((m) => referencesOnlyAlias(m.Integration.Uri, onlyAliasId(template), functionId))).toBe(true);
      expect(api.alarms).toHaveLength(3);
      expect(own.alarms).toHaveLength(4);
    });

    test('uses your function as it is', () => {
      const stack = newStack({ withEnv: true });
      const own = consumerFunction(stack, 'Own', Duration.seconds(5));
      const api = new RestApiLambda(stack, 'Notes', { handlerFunction: own });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [stack.getLogicalId(own.node.defaultChild as lambda.CfnFunction), 'Arn'] } });
      expect(api.handlerFunction).toBe(own);
    });
  });

  describe('API and stage', () => {
    test('is regional by default, edge-optimized or private on request', () => {
      build().template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      build({ endpoint: RestApiEndpoint.EDGE }).template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['EDGE'] } });
      build({ endpoint: RestApiEndpoint.PRIVATE, vpcEndpointIds: ['vpce-0123'] }).template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        EndpointConfiguration: { Types: ['PRIVATE'] },
        Policy: { Statement: [Match.objectLike({ Action: 'execute-api:Invoke', Condition: { StringEquals: { 'aws:SourceVpce': ['vpce-0123'] } } })] },
      });
    });

    test('throttles at 100 requests per second with bursts of 200 by default', () => {
      expect(stageProps(build().template).MethodSettings).toEqual([expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
      })]);
    });

    test('writes JSON access logs to its own log group, with tracing on', () => {
      const { template, stack, api } = build();
      const stage = stageProps(template);
      expect(stage.TracingEnabled).toBe(true);
      const accessLogGroupId = stack.getLogicalId(api.accessLogGroup.node.defaultChild as logs.CfnLogGroup);
      expect(JSON.stringify(stage.AccessLogSetting.DestinationArn)).toContain(accessLogGroupId);
      expect(JSON.parse(stage.AccessLogSetting.Format)).toEqual(expect.objectContaining({ requestId: '$context.requestId', status: '$context.status', ip: '$context.identity.sourceIp' }));
    });

    test('logs execution at INFO on request, never with data tracing', () => {
      expect(stageProps(build({ executionLogLevel: ExecutionLogLevel.INFO }).template).MethodSettings[0]).toEqual(
        expect.objectContaining({ LoggingLevel: 'INFO', DataTraceEnabled: false }));
    });

    test('creates the account logging role once per stack, retained, and the stage waits for it', () => {
      const stack = newStack({ withEnv: true });
      new RestApiLambda(stack, 'Notes', { code: CODE });
      new RestApiLambda(stack, 'Tasks', { code: CODE });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
      template.hasResource('AWS::IAM::Role', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } }),
      });
      const account = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
      for (const stage of Object.values(template.findResources('AWS::ApiGateway::Stage'))) {
        expect(stage.DependsOn).toEqual(expect.arrayContaining([account]));
      }
    });

    test('leaves the account setting alone when asked', () => {
      build({ manageAccountLoggingRole: false }).template.resourceCountIs('AWS::ApiGateway::Account', 0);
    });

    test('answers CORS preflights for the allowed origins', () => {
      const { template } = build({ allowedOrigins: ['https://app.example.com'] });
      const options = methods(template).filter((m) => m.HttpMethod === 'OPTIONS');
      expect(options).toHaveLength(2);
      expect(JSON.stringify(options[0].Integration)).toContain("'https://app.example.com'");
      // The signing headers and X-Api-Key (for usage plans), each listed once.
      const allowed = options[0].Integration.IntegrationResponses[0].ResponseParameters['method.response.header.Access-Control-Allow-Headers'];
      expect(allowed.replace(/'/g, '').split(',')).toEqual(['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent']);
    });
  });

  describe('authorization', () => {
    test('IAM on every method by default', () => {
      const all = methods(build().template);
      expect(all).toHaveLength(2);
      expect(all.every((m) => m.AuthorizationType === 'AWS_IAM')).toBe(true);
    });

    test('a Cognito user pool on every method', () => {
      const stack = newStack({ withEnv: true });
      new RestApiLambda(stack, 'Notes', { code: CODE, userPool: cognito.UserPool.fromUserPoolId(stack, 'Users', 'us-east-1_Example') });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
      expect(methods(template).every((m) => m.AuthorizationType === 'COGNITO_USER_POOLS' && m.AuthorizerId)).toBe(true);
    });

    test('a Lambda token or request authorizer on every method', () => {
      for (const [kind, type] of [[LambdaAuthorizerKind.TOKEN, 'TOKEN'], [LambdaAuthorizerKind.REQUEST, 'REQUEST']] as const) {
        const stack = newStack({ withEnv: true });
        new RestApiLambda(stack, 'Notes', { code: CODE, authorizerFunction: consumerFunction(stack, 'Authorizer'), authorizerKind: kind });
        const template = Template.fromStack(stack);
        template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: type });
        expect(methods(template).every((m) => m.AuthorizationType === 'CUSTOM')).toBe(true);
      }
    });

    test('none only by explicit opt-in', () => {
      expect(methods(build({ allowUnauthenticatedAccess: true }).template).every((m) => m.AuthorizationType === 'NONE')).toBe(true);
    });

    test('a usage plan with an API key every method then requires', () => {
      const { template, api } = build({ usagePlan: { dailyQuota: 1000 } });
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: 100, BurstLimit: 200 },
        Quota: { Limit: 1000, Period: 'DAY' },
        ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
      });
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
      template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
      expect(methods(template).every((m) => m.ApiKeyRequired === true)).toBe(true);
      expect(api.apiKey).toBeDefined();
    });
  });

  describe('request validation', () => {
    test('validates bodies and parameters against the schema on every method', () => {
      const { template } = build({ requestBodySchema: { type: apigw.JsonSchemaType.OBJECT, required: ['text'] } });
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
      template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: Match.objectLike({ required: ['text'] }) });
      expect(methods(template).every((m) => m.RequestValidatorId && m.RequestModels['application/json'])).toBe(true);
    });

    test('without a schema, leaves validation to the function', () => {
      build().template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    });
  });

  describe('WAF', () => {
    test('PROD creates a web ACL with managed rules on the stage, logging with the API\'s own log key', () => {
      const { template } = build();
      template.resourceCountIs('AWS::WAFv2::WebACL', 1);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(1);
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'), KmsKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: { 'Fn::Join': ['', Match.arrayWith(['arn:aws:apigateway:us-east-1::/restapis/', '/stages/'])] },
      });
    });

    test('an existing web ACL is associated instead, and DEV goes without', () => {
      const arn = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/abc';
      const withArn = build({ webAclArn: arn }).template;
      withArn.resourceCountIs('AWS::WAFv2::WebACL', 0);
      withArn.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: arn });
      build({ stage: DeploymentStage.DEV }).template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    });
  });

  describe('custom domain', () => {
    const deploymentId = (template: Template) => Object.keys(template.findResources('AWS::ApiGateway::Deployment'))[0];
    let regional: ReturnType<typeof buildNew>;
    beforeAll(() => {
      regional = build(DOMAIN);
    });

    test('a regional custom domain over TLS 1.2 with a DNS-validated certificate, the stage at its root, A and AAAA aliases, the default endpoint off', () => {
      const { template, stack, api } = regional;
      const certificateId = stack.getLogicalId(api.certificate!.node.defaultChild as acm.CfnCertificate);
      const domainId = stack.getLogicalId(api.domain!.node.defaultChild as apigw.CfnDomainName);
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      });
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'api.example.com',
        EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'dualstack' },
        SecurityPolicy: 'TLS_1_2',
        RegionalCertificateArn: { Ref: certificateId },
      });
      template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
        DomainName: { Ref: domainId },
        RestApiId: { Ref: stack.getLogicalId(api.api.node.defaultChild as apigw.CfnRestApi) },
        Stage: { Ref: stack.getLogicalId(api.stage.node.defaultChild as apigw.CfnStage) },
        BasePath: Match.absent(),
      });
      for (const type of ['A', 'AAAA']) {
        template.hasResourceProperties('AWS::Route53::RecordSet', {
          Name: 'api.example.com.',
          Type: type,
          HostedZoneId: 'Z0123456789ABCDEFGHIJ',
          AliasTarget: { DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] }, HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] } },
        });
      }
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
      expect(api.url).toBe('https://api.example.com/');
      // aws-cdk-lib's output of the execute-api URL, which would answer 403, is gone.
      expect(template.toJSON().Outputs).toBeUndefined();
      // Without a domain, none of it, and the API as it was.
      const plain = build();
      plain.template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
      plain.template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: Match.absent() });
      expect(plain.api.domain).toBeUndefined();
      expect(plain.api.url).toBe(plain.api.api.url);
    });

    test('records left to DnsRouting and the default endpoint kept for its health check, in a new deployment', () => {
      const { template, api } = build({ ...DOMAIN, aliasRecord: false, executeApiEndpoint: true });
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
      template.resourceCountIs('AWS::ApiGateway::DomainName', 1);
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
      expect(api.url).toBe('https://api.example.com/');
      // API Gateway applies the setting at the next deployment, so a change makes a new one.
      expect(deploymentId(template)).not.toBe(deploymentId(regional.template));
    });

    test('edge-optimized for an EDGE endpoint, with your certificate from us-east-1 and no records without a zone', () => {
      const { template } = build({ endpoint: RestApiEndpoint.EDGE, domainName: 'api.example.com', certificate: CERTIFICATE });
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        EndpointConfiguration: { Types: ['EDGE'], IpAddressType: 'dualstack' },
        CertificateArn: CERTIFICATE.certificateArn,
        SecurityPolicy: 'TLS_1_2',
      });
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
    });

    test('refuses a certificate it cannot have: requested outside us-east-1 for EDGE, or created in another region', () => {
      const app = newApp();
      const eu = new Stack(app, 'Eu', { env: { account: TEST_ENV.account, region: 'eu-west-1' } });
      expect(() => new RestApiLambda(eu, 'Notes', { code: CODE, endpoint: RestApiEndpoint.EDGE, ...DOMAIN })).toThrow(
        /hostedZone is '.*Zone'; it must be given with a certificate unless the stack is in us-east-1: an edge-optimized custom domain takes its certificate from us-east-1 only.*this stack's region is eu-west-1/);
      const euCertificate = new acm.Certificate(eu, 'Certificate', { domainName: 'api.example.com' });
      expect(() => new RestApiLambda(new Stack(app, 'Us', { env: TEST_ENV }), 'Notes', { code: CODE, domainName: 'api.example.com', certificate: euCertificate })).toThrow(
        "certificate is 'Eu/Certificate, a certificate of stack Eu'; it must be in the API's region, us-east-1, not eu-west-1: a regional custom domain takes its certificate from its own region only.");
    });
  });

  describe('alarms', () => {
    test('5xx and 4xx rates, p99 latency, and the function errors, throttles and duration near its timeout', () => {
      const { template, api } = build({ timeout: Duration.seconds(20) });
      // The API's three and the function's four, its dead-letter queue among them.
      expect(api.alarms).toHaveLength(7);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Statistic: 'Average', Threshold: 0.01 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4XXError', Statistic: 'Average', Threshold: 0.1 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 3000 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 0 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Namespace: 'AWS/Lambda', Threshold: 0 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 16000 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 });
    });

    // The metrics' Average is a share of requests from 0 to 1; the thresholds are percentages.
    test('error-rate thresholds are percentages: 5 alarms above a share of 0.05', () => {
      const { template } = build({ errorRate5xxThreshold: 5, errorRate4xxThreshold: 0.5 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: '5XXError',
        Statistic: 'Average',
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmDescription: 'More than 5% of the requests to TestStack/Notes end in a 5xx error',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: '4XXError',
        Statistic: 'Average',
        Threshold: 0.005,
        AlarmDescription: 'More than 0.5% of the requests to TestStack/Notes end in a 4xx error',
      });
    });

    // CloudFormation cannot divide a parameter by 100: the alarm multiplies the rate instead.
    test('an error-rate percentage known only at deploy time is compared with 100 times the rate', () => {
      const stack = newStack({ withEnv: true });
      new RestApiLambda(stack, 'Notes', { code: CODE, errorRate5xxThreshold: deployTimeValues(stack).number });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: { Ref: 'DeployTimeNumber' },
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: '100 * rate', ReturnData: true }),
          Match.objectLike({ Id: 'rate', ReturnData: false, MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '5XXError' }), Stat: 'Average', Period: 300 }) }),
        ]),
        AlarmDescription: { 'Fn::Join': ['', ['More than ', { Ref: 'DeployTimeNumber' }, '% of the requests to TestStack/Notes end in a 5xx error']] },
      });
      // The 4xx alarm, given a number, still watches the rate itself.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4XXError', Statistic: 'Average', Threshold: 0.1 });
    });

    test('notify the alarm topic', () => {
      const stack = newStack({ withEnv: true });
      const topic = new sns.Topic(stack, 'Alarms');
      new RestApiLambda(stack, 'Notes', { code: CODE, alarmTopic: topic });
      const ref = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
      Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [ref], OKActions: [ref] });
    });
  });

  functionAlarmThresholdTests(() => newStack({ withEnv: true }), (stack, props) => new RestApiLambda(stack, 'Notes', props), CODE);

  describe('validation', () => {
    const invalid: Array<[string, Extra, RegExp | string]> = [
      ['neither code nor a function', { code: undefined }, /exactly one of handlerFunction, code and entry must be given \(your function, or the code or entry file of the function the pattern creates\); none was given/],
      ['both code and an entry file', { entry: 'handler.ts' }, /exactly one of handlerFunction, code and entry must be given \(.*\); code and entry were both given/],
      ['memory under 128 MB', { memorySize: 127 }, /memorySize is 127; it must be a whole number from 128 to 10240/],
      ['memory over 10240 MB', { memorySize: 10241 }, /memorySize is 10241; it must be a whole number from 128 to 10240/],
      ['a timeout under a second', { timeout: Duration.millis(500) }, /timeout is 0.5 seconds; it must be a whole number of seconds from 1 second to 15 minutes/],
      ['a timeout beyond the integration timeout', { timeout: Duration.seconds(30) },
        /timeout is '30 seconds'; it must be at most the API's integration timeout of 29 seconds/],
      ['negative reserved concurrency', { reservedConcurrentExecutions: -1 }, /reservedConcurrentExecutions is -1; it must be a whole number of at least 0\./],
      ['a negative rate limit', { throttlingRateLimit: -1 }, /throttlingRateLimit is -1; it must be at least 0 requests per second/],
      ['a burst of 0', { throttlingBurstLimit: 0 }, /throttlingBurstLimit is 0; it must be a whole number of at least 1\./],
      ['an error rate over 100 percent', { errorRate5xxThreshold: 101 }, /errorRate5xxThreshold is 101; it must be a percentage from 0 to 100\./],
      ['a negative error rate', { errorRate4xxThreshold: -0.1 }, /errorRate4xxThreshold is -0.1; it must be a percentage from 0 to 100\./],
      ['a zero latency threshold', { latencyP99Threshold: Duration.millis(0) }, /latencyP99Threshold is '0 ms'; it must be longer than 0/],
      ['an origin with a path', { allowedOrigins: ['https://app.example.com/x'] }, /allowedOrigins is 'https:\/\/app.example.com\/x'; it must be origins such as/],
      ['an empty list of origins', { allowedOrigins: [] }, /allowedOrigins is \[\]; it must be at least one origin, or left unset for no CORS\./],
      ["'*' with other origins", { allowedOrigins: ['*', 'https://app.example.com'] },
        /allowedOrigins is \["\*","https:\/\/app.example.com"\]; it must be '\*' alone, or specific origins: '\*' already admits every origin\./],
      ['a wildcard inside an origin', { allowedOrigins: ['https://*.example.com'] },
        /allowedOrigins is 'https:\/\/\*.example.com'; it must be exact origins or '\*' alone: a REST API compares origins as exact strings/],
      ['an interface endpoint given by ARN', { endpoint: RestApiEndpoint.PRIVATE, vpcEndpointIds: ['arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0123456789abcdef0'] },
        /vpcEndpointIds is 'arn:aws:ec2:us-east-1:123456789012:vpc-endpoint\/vpce-0123456789abcdef0'; it must be interface endpoint ids such as 'vpce-0123456789abcdef0'/],
      ["a web ACL in another region than the API's", { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/11111111-2222-3333-4444-555555555555' },
        /webAclArn is 'arn:aws:wafv2:eu-west-1:.*'; it must be a web ACL in the API's region, us-east-1, not eu-west-1: WAF protects resources of its own region only\./],
      ['two authorizers', { userPool: {} as cognito.IUserPool, allowUnauthenticatedAccess: true },
        /authorization is \["userPool","allowUnauthenticatedAccess"\]; it must be at most one of/],
      ['an authorizer kind without an authorizer', { authorizerKind: LambdaAuthorizerKind.REQUEST }, /authorizerKind is 'REQUEST'; it must be left unset without authorizerFunction/],
      ['a stage name with a dot', { stageName: 'v1.2' }, /stageName is 'v1.2'; it must be letters, digits, hyphens and underscores/],
      ['a web ACL ARN that is not one', { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y' }, /webAclArn is .*; it must be the ARN of a regional WAFv2 web ACL/],
      ['a PRIVATE API without endpoints', { endpoint: RestApiEndpoint.PRIVATE }, /vpcEndpointIds is unset; it must be at least one interface endpoint id for a PRIVATE endpoint/],
      ['endpoints for a REGIONAL API', { vpcEndpointIds: ['vpce-1'] }, /vpcEndpointIds is \["vpce-1"\]; it must be left unset unless endpoint is PRIVATE/],
      ['a wildcard domain name', { ...DOMAIN, domainName: '*.example.com' }, /domainName is '\*.example.com'; it must be one host name, not a wildcard/],
      ['a domain name outside the hosted zone', { ...DOMAIN, domainName: 'api.example.org' }, /domainName is 'api.example.org'; it must be a name in the hosted zone example.com\./],
      ['a domain name that is no host name', { ...DOMAIN, domainName: 'api..example.com' }, /domainName is 'api..example.com'; it must be a host name such as www.example.com/],
      ['a domain name in upper case', { ...DOMAIN, domainName: 'API.example.com' }, /domainName is 'API.example.com'; it must be in lower case/],
      ['a domain name without a zone or a certificate', { domainName: 'api.example.com' }, /domainName is 'api.example.com'; it must be given with a hostedZone .* or a certificate/],
      ['a custom domain on a PRIVATE endpoint', { endpoint: RestApiEndpoint.PRIVATE, vpcEndpointIds: ['vpce-0123'], ...DOMAIN },
        /domainName is 'api.example.com'; it must be left unset for a PRIVATE endpoint: a private API's custom domain is another resource/],
      ["a certificate outside a regional API's region", { domainName: 'api.example.com', certificate: certificateIn('eu-west-1') },
        /certificate is 'arn:aws:acm:eu-west-1:.*'; it must be in the API's region, us-east-1, not eu-west-1: a regional custom domain takes its certificate from its own region only\./],
      ['an edge-optimized domain with a certificate outside us-east-1', { endpoint: RestApiEndpoint.EDGE, domainName: 'api.example.com', certificate: certificateIn('eu-west-1') },
        /certificate is 'arn:aws:acm:eu-west-1:.*'; it must be in us-east-1, not eu-west-1: an edge-optimized custom domain takes its certificate from us-east-1 only\./],
      ['a certificate that is not an ACM one', { domainName: 'api.example.com', certificate: acm.Certificate.fromCertificateArn(IMPORTS, 'Iam', 'arn:aws:iam::123456789012:server-certificate/api') },
        /certificate is 'arn:aws:iam::123456789012:server-certificate\/api'; it must be the ARN of an ACM certificate/],
      ['a hosted zone without a domain name', { hostedZone: ZONE }, /hostedZone is '.*Zone'; it must be given with the domainName to request a certificate and create records for\./],
      ['a certificate without a domain name', { certificate: CERTIFICATE }, /certificate is '.*'; it must be given with the domainName it covers\./],
      ['aliasRecord without a hosted zone', { domainName: 'api.example.com', certificate: CERTIFICATE, aliasRecord: false },
        /aliasRecord is false; it must be left unset without hostedZone, where the records would go\./],
      ['the default endpoint off without a custom domain', { executeApiEndpoint: false },
        /executeApiEndpoint is false; it must be true or unset without domainName: with its default endpoint off and no custom domain, the API would answer nowhere\./],
      ['a usage plan burst of 0', { usagePlan: { burstLimit: 0 } }, /usagePlan.burstLimit is 0; it must be a whole number of at least 1\./],
      ['a usage plan quota of 0', { usagePlan: { dailyQuota: 0 } }, /usagePlan.dailyQuota is 0; it must be a whole number of at least 1\./],
      ['a negative usage plan rate', { usagePlan: { rateLimit: -1 } }, /usagePlan.rateLimit is -1; it must be at least 0/],
      ['an endpoint none of RestApiEndpoint\'s', { endpoint: 'regional' as RestApiEndpoint },
        "endpoint is 'regional'; it must be one of RestApiEndpoint's values: 'REGIONAL', 'EDGE', 'PRIVATE'."],
      ['an execution log level none of ExecutionLogLevel\'s', { executionLogLevel: 'OFF' as ExecutionLogLevel },
        "executionLogLevel is 'OFF'; it must be one of ExecutionLogLevel's values: 'ERROR', 'INFO'."],
      ['an authorizer kind none of LambdaAuthorizerKind\'s', { authorizerFunction: {} as lambda.IFunction, authorizerKind: 'request' as LambdaAuthorizerKind },
        "authorizerKind is 'request'; it must be one of LambdaAuthorizerKind's values: 'TOKEN', 'REQUEST'."],
      ['a log retention none of logs.RetentionDays\'s, with your own function', { code: undefined, handlerFunction: {} as lambda.IFunction, logRetention: 13 as logs.RetentionDays },
        /^ {2}- logRetention is 13; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, 14, 30, .*, 3653, 9999\.$/m],
    ];

    test.each(invalid)('rejects %s', (_name, extra, message) => {
      expect(() => build(extra)).toThrow(message);
    });

    // From JavaScript or JSON the former names would pass unnoticed and leave the default alarm.
    test('refuses the error rates under their former names, naming the new prop and its unit', () => {
      const fromJson = JSON.parse('{ "serverErrorRateThreshold": 0.05, "clientErrorRateThreshold": 0.2 }') as Extra;
      expect(() => build(fromJson)).toThrow(new RegExp([
        'serverErrorRateThreshold is 0.05; it must be left unset: serverErrorRateThreshold was renamed errorRate5xxThreshold, a percentage from 0 to 100 \\(a share of 0.05 is 5\\)\\.',
        'clientErrorRateThreshold is 0.2; it must be left unset: clientErrorRateThreshold was renamed errorRate4xxThreshold, a percentage from 0 to 100 \\(a share of 0.2 is 20\\)\\.',
      ].join('\n  - ')));
    });

    test('rejects function settings together with your own function', () => {
      const stack = newStack({ withEnv: true });
      expect(() => new RestApiLambda(stack, 'Notes', { handlerFunction: consumerFunction(stack, 'Own'), memorySize: 512 })).toThrow(
        /memorySize is 'set'; it must be left unset with handlerFunction/,
      );
    });

    describe('values known only at deploy time', () => {
      // Every validated prop takes a value known only at deploy time; the validator skips it, and
      // the template refers to the parameter.
      const tokenCases: Array<[string, (t: DeployTimeValues) => Extra]> = [
        ...LAMBDA_API_DEPLOY_TIME_CASES,
        ['durationP99Threshold, in milliseconds', (t) => ({ durationP99Threshold: Duration.millis(t.number) })],
        ['errorsThreshold', (t) => ({ errorsThreshold: t.number })],
        ['allowedOrigins', (t) => ({ allowedOrigins: [t.text] })],
        ['executionLogLevel', (t) => ({ executionLogLevel: t.text as ExecutionLogLevel })],
        ['webAclArn', (t) => ({ webAclArn: t.text })],
        ['vpcEndpointIds', (t) => ({ endpoint: RestApiEndpoint.PRIVATE, vpcEndpointIds: t.list })],
        ['usagePlan.rateLimit', (t) => ({ usagePlan: { rateLimit: t.number } })],
        ['usagePlan.burstLimit', (t) => ({ usagePlan: { burstLimit: t.number } })],
        ['usagePlan.dailyQuota', (t) => ({ usagePlan: { dailyQuota: t.number } })],
        ['domainName', (t) => ({ domainName: t.text, certificate: CERTIFICATE })],
      ];
      // All cases in one app, six to a stack, synthesized once; each case's parameters are its own.
      const tokenCase = deployTimeCases(newApp, tokenCases, (stack, id, t, [, extra]) => {
        new RestApiLambda(stack, id, { code: CODE, ...extra(t) });
      }, { perStack: 6, stackProps: { env: TEST_ENV } });
      it.each(tokenCases.map(([prop], i) => [prop, i] as const))('accepts a token for %s', (_prop, i) => {
        // The construct of this case alone took its parameters: finding them shows it passed them on.
        const { name, resources } = tokenCase(i);
        expect(resources).toMatch(new RegExp(`"Ref":"${name}(Number|Text|List)"`));
      });

      // These decide what the pattern creates: which authorizer, the web ACL and the resource policy.
      it.each<[string, (t: DeployTimeValues) => Extra, RegExp]>([
        ['endpoint', (t) => ({ endpoint: t.text as RestApiEndpoint }), /endpoint is a token, only known at deploy time; it must be a value known at synth: it decides .*web ACL/],
        ['authorizerKind', (t) => ({ authorizerFunction: {} as lambda.IFunction, authorizerKind: t.text as LambdaAuthorizerKind }),
          /authorizerKind is a token, only known at deploy time; it must be a value known at synth: it decides which kind of authorizer/],
        ['allowedOrigins as a whole list', (t) => ({ allowedOrigins: t.list }),
          /allowedOrigins is a token, only known at deploy time; it must be a value known at synth: .*each origin/],
        ['stageName', (t) => ({ stageName: t.text }), /stageName is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib names the stage's construct after it/],
        ['latencyP99Threshold in seconds', (t) => ({ latencyP99Threshold: t.duration }),
          /latencyP99Threshold is 'a token in seconds'; it must be given as Duration.millis\(\.\.\.\) when only known at deploy time: the alarm compares milliseconds/],
      ])('refuses a token for %s, saying why', (_prop, extra, message) => {
        const stack = newStack({ withEnv: true });
        expect(() => new RestApiLambda(stack, 'Notes', { code: CODE, ...extra(deployTimeValues(stack)) })).toThrow(message);
      });
    });

    // An account whose quota AWS raised may burst past the default 5,000: a warning, not an error.
    test('warns of a burst above the default account burst, and accepts it', () => {
      const { stack } = build({ throttlingBurstLimit: 5001, usagePlan: { burstLimit: 6000 } });
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('burstAboveAccountDefault'))
        .map((w) => String(w.entry.data));
      expect(warnings).toEqual([
        "throttlingBurstLimit is 5001, above API Gateway's default account burst of 5,000 requests: unless your account's quota was raised, "
        + "the account's limit throttles first. [ack: cdk-best-practice-patterns:burstAboveAccountDefault]",
        "usagePlan.burstLimit is 6000, above API Gateway's default account burst of 5,000 requests: unless your account's quota was raised, "
        + "the account's limit throttles first. [ack: cdk-best-practice-patterns:burstAboveAccountDefault]",
      ]);
      expect(Annotations.fromStack(build({ throttlingBurstLimit: 5000 }).stack).findWarning('*', Match.stringLikeRegexp('burstAboveAccountDefault'))).toEqual([]);
    });

    test('accepts the limits themselves', () => {
      expect(() => build({ memorySize: 10240, timeout: Duration.seconds(29), throttlingRateLimit: 0, throttlingBurstLimit: 1 })).not.toThrow();
      expect(() => build({ memorySize: 128, timeout: Duration.seconds(1), errorRate5xxThreshold: 0, errorRate4xxThreshold: 100 })).not.toThrow();
    });
  });

  describe('compliance', () => {
    // The fully configured pattern below has a custom domain: its certificate, domain name, mapping and records.
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new RestApiLambda(new Stack(app, 'Defaults'), 'Notes', { code: CODE });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV, public, with CORS: no unacknowledged finding', () => {
      const app = newApp();
      new RestApiLambda(new Stack(app, 'Dev', { env: TEST_ENV }), 'Notes', {
        code: CODE, stage: DeploymentStage.DEV, allowUnauthenticatedAccess: true, allowedOrigins: ['*'],
      });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured: no unacknowledged finding', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two APIs in one stack synthesize', () => {
      const stack = newStack({ withEnv: true });
      new RestApiLambda(stack, 'Notes', { code: CODE });
      new RestApiLambda(stack, 'Tasks', { code: CODE, stage: DeploymentStage.DEV });
      Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::RestApi', 2);
    });

    test('two APIs have distinct names, so their alarms never watch each other (metrics are keyed by ApiName)', () => {
      const stack = newStack({ withEnv: true });
      const notes = new RestApiLambda(stack, 'Notes', { code: CODE });
      const tasks = new RestApiLambda(stack, 'Tasks', { code: CODE });
      const template = Template.fromStack(stack);
      const names = Object.values(template.findResources('AWS::ApiGateway::RestApi')).map((r) => r.Properties.Name);
      expect(new Set(names).size).toBe(2);
      for (const api of [notes, tasks]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({
          Dimensions: Match.arrayWith([{ Name: 'ApiName', Value: api.api.restApiName }]),
        }));
      }
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new RestApiLambda(stack, 'Notes', fullyConfigured(stack));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // The handler and the authorizer in a Data stack; the API in an App stack that deploys after it. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const code = lambda.Code.fromInline('exports.handler = async () => ({});');
      new RestApiLambda(appStack, 'Api', {
        handlerFunction: new HardenedFunction(dataStack, 'Handler', { code }),
        authorizerFunction: new HardenedFunction(dataStack, 'Authorizer', { code }),
      });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("API Gateway's permissions on both functions are in the API's stack", () => {
      data.resourceCountIs('AWS::Lambda::Permission', 0);
      const permissions = svc.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: { 'Fn::GetStackOutput': Match.anyValue() } } });
      const authorizerArn = Object.values(permissions).filter((p: any) => JSON.stringify(p.Properties.SourceArn).includes('/authorizers/'));
      expect(authorizerArn).toHaveLength(1);
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
