import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, HardenedFunction, HttpApiLambda, HttpApiLambdaProps } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { consumerFunction, onlyAliasId, referencesOnlyAlias } from '../support/fixtures';
import { functionAlarmThresholdTests } from '../support/lambda-api';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeCases, DeployTimeValues, deployTimeValues, LAMBDA_API_DEPLOY_TIME_CASES } from '../support/tokens';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });');
type Extra = Partial<HttpApiLambdaProps>;

// The zone and certificates the custom-domain tests share, imported by id and ARN: their
// attributes are literal strings, so a stack of any app may use them.
const IMPORTS = newStack({ withEnv: true });
const ZONE = route53.HostedZone.fromHostedZoneAttributes(IMPORTS, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
const certificateIn = (region: string) => (IMPORTS.node.tryFindChild(region) as acm.ICertificate | undefined)
  ?? acm.Certificate.fromCertificateArn(IMPORTS, region, `arn:aws:acm:${region}:123456789012:certificate/11111111-2222-3333-4444-555555555555`);
const CERTIFICATE = certificateIn('us-east-1');
const DOMAIN: Extra = { domainName: 'api.example.com', hostedZone: ZONE };

function build(extra: Extra = {}) {
  const stack = newStack({ withEnv: true });
  const api = new HttpApiLambda(stack, 'Notes', { code: CODE, ...extra });
  return { stack, api, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): HttpApiLambdaProps {
  const userPool = new cognito.UserPool(stack, 'Users');
  return {
    stage: DeploymentStage.PROD,
    code: CODE,
    memorySize: 1024,
    timeout: Duration.seconds(15),
    reservedConcurrentExecutions: 10,
    logRetention: logs.RetentionDays.SIX_MONTHS,
    throttlingRateLimit: 20,
    throttlingBurstLimit: 40,
    allowedOrigins: ['https://app.example.com'],
    userPool,
    userPoolClients: [userPool.addClient('Web')],
    latencyP99Threshold: Duration.seconds(1),
    alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) }),
    domainName: 'notes.example.com',
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
  };
}

const routes = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r: any) => r.Properties);
const stageProps = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new HttpApiLambda(stack, 'Notes', fullyConfigured(stack));
    fullNag = runNagPacksOfBothMajors(app, { onlyUnder: 'Full/Notes' });
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('HttpApiLambda', () => {
  describe('snapshots', () => {
    test('defaults, env-agnostic', () => {
      const stack = newStack();
      new HttpApiLambda(stack, 'Notes', { code: CODE });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: Cognito, CORS, alarm topic, custom domain', () => {
      const stack = newStack({ withEnv: true });
      new HttpApiLambda(stack, 'Notes', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged on what the pattern creates', () => {
      expect(fullyConfiguredNag().v2.filter((finding) => finding.includes(' at Full/Notes'))).toEqual([]);
    });
  });

  describe('function', () => {
    test('runs on ARM64 and the newest Node.js runtime, traced, logging JSON to a log group with a retention', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      });
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    });

    test('is invoked through a Lambda proxy integration', () => {
      build().template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    });
  });

  describe('stage', () => {
    test('throttles the default route at 100 per second with bursts of 200, with detailed metrics', () => {
      expect(stageProps(build().template)).toEqual(expect.objectContaining({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, DetailedMetricsEnabled: true },
      }));
    });

    test('writes JSON access logs to its own log group, kept a month in DEV', () => {
      const { template, stack, api } = build({ stage: DeploymentStage.DEV });
      const stage = stageProps(template);
      expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(api.accessLogGroup.node.defaultChild as logs.CfnLogGroup), 'Arn'] });
      expect(JSON.parse(stage.AccessLogSettings.Format)).toEqual(expect.objectContaining({ requestId: '$context.requestId', status: '$context.status' }));
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('answers CORS preflights for the allowed origins', () => {
      build({ allowedOrigins: ['https://app.example.com'] }).template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.example.com'], AllowMethods: ['*'] }),
      });
    });
  });

  describe('custom domain', () => {
    test('a regional custom domain over TLS 1.2 with a DNS-validated certificate, the stage at its root, A and AAAA aliases, the default endpoint off', () => {
      const { template, stack, api } = build(DOMAIN);
      const domainId = stack.getLogicalId(api.domain!.node.defaultChild as apigwv2.CfnDomainName);
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'api.example.com',
        DomainNameConfigurations: [{
          CertificateArn: { Ref: stack.getLogicalId(api.certificate!.node.defaultChild as acm.CfnCertificate) },
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
          IpAddressType: 'dualstack',
        }],
      });
      // The stage is named by its literal name, so the mapping waits for it.
      template.hasResource('AWS::ApiGatewayV2::ApiMapping', {
        Properties: { DomainName: { Ref: domainId }, ApiId: { Ref: stack.getLogicalId(api.api.node.defaultChild as apigwv2.CfnApi) }, Stage: '$default' },
        DependsOn: [stack.getLogicalId(api.stage.node.defaultChild as apigwv2.CfnStage)],
      });
      for (const type of ['A', 'AAAA']) {
        template.hasResourceProperties('AWS::Route53::RecordSet', {
          Name: 'api.example.com.',
          Type: type,
          AliasTarget: { DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] }, HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] } },
        });
      }
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
      expect(api.url).toBe('https://api.example.com/');
    });

    test('records left to DnsRouting and the default endpoint kept for its health check; without a domain, the API as it was', () => {
      const { template, api } = build({ domainName: 'api.example.com', certificate: CERTIFICATE, executeApiEndpoint: true });
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERTIFICATE.certificateArn })] });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
      expect(api.url).toBe('https://api.example.com/');
      build({ ...DOMAIN, aliasRecord: false }).template.resourceCountIs('AWS::Route53::RecordSet', 0);
      const plain = build();
      plain.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
      plain.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: Match.absent() });
      expect(plain.api.url).toBe(plain.api.stage.url);
    });
  });

  describe('authorization', () => {
    test('IAM on every route by default', () => {
      const all = routes(build().template);
      expect(all.length).toBeGreaterThan(0);
      expect(all.every((r) => r.AuthorizationType === 'AWS_IAM')).toBe(true);
    });

    test('JWT from a Cognito user pool', () => {
      const stack = newStack({ withEnv: true });
      new HttpApiLambda(stack, 'Notes', { code: CODE, userPool: new cognito.UserPool(stack, 'Users') });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: Match.objectLike({ Issuer: Match.anyValue() }) });
      expect(routes(template).every((r) => r.AuthorizationType === 'JWT' && r.AuthorizerId)).toBe(true);
    });

    test('JWT from any OpenID Connect issuer', () => {
      build({ jwtIssuer: 'https://login.example.com', jwtAudience: ['notes'] }).template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: { Issuer: 'https://login.example.com', Audience: ['notes'] },
      });
    });

    test('none only by explicit opt-in', () => {
      expect(routes(build({ allowUnauthenticatedAccess: true }).template).every((r) => r.AuthorizationType === 'NONE')).toBe(true);
    });
  });

  describe('alarms', () => {
    test('5xx and 4xx rates, p99 latency, and the function errors, throttles and duration', () => {
      const { template, api } = build();
      // The API's three and the function's four, its dead-letter queue among them.
      expect(api.alarms).toHaveLength(7);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway', Statistic: 'Average', Threshold: 0.01 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4xx', Statistic: 'Average', Threshold: 0.1 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 3000 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 8000 });
    });

    // The metrics' Average is a share of requests from 0 to 1; the thresholds are percentages.
    test('error-rate thresholds are percentages, given as numbers or known only at deploy time', () => {
      build({ errorRate5xxThreshold: 2, errorRate4xxThreshold: 25 }).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: '4xx', Statistic: 'Average', Threshold: 0.25, AlarmDescription: 'More than 25% of the requests to TestStack/Notes end in a 4xx error',
      });
      const stack = newStack({ withEnv: true });
      new HttpApiLambda(stack, 'Notes', { code: CODE, errorRate4xxThreshold: deployTimeValues(stack).number });
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: { Ref: 'DeployTimeNumber' },
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: '100 * rate', ReturnData: true }),
          Match.objectLike({ Id: 'rate', ReturnData: false, MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '4xx' }), Stat: 'Average' }) }),
        ]),
      });
    });
  });

  functionAlarmThresholdTests(() => newStack({ withEnv: true }), (stack, props) => new HttpApiLambda(stack, 'Notes', props), CODE);

  describe('validation', () => {
    const invalid: Array<[string, Extra, RegExp]> = [
      ['a timeout beyond the integration timeout', { timeout: Duration.seconds(30) }, /timeout is '30 seconds'; it must be at most the API's integration timeout of 29 seconds/],
      ['memory over 10240 MB', { memorySize: 20000 }, /memorySize is 20000; it must be a whole number from 128 to 10240/],
      ['a burst of 0', { throttlingBurstLimit: 0 }, /throttlingBurstLimit is 0; it must be a whole number of at least 1\./],
      ['a 5xx rate over 100 percent', { errorRate5xxThreshold: 100.5 }, /errorRate5xxThreshold is 100.5; it must be a percentage from 0 to 100\./],
      ['a negative 4xx rate', { errorRate4xxThreshold: -1 }, /errorRate4xxThreshold is -1; it must be a percentage from 0 to 100\./],
      ['two authorizers', { jwtIssuer: 'https://login.example.com', jwtAudience: ['a'], allowUnauthenticatedAccess: true },
        /authorization is \["jwtIssuer","allowUnauthenticatedAccess"\]; it must be at most one of userPool, jwtIssuer and allowUnauthenticatedAccess/],
      ['an issuer that is not HTTPS', { jwtIssuer: 'http://login.example.com', jwtAudience: ['a'] }, /jwtIssuer is 'http:\/\/login.example.com'; it must be the HTTPS URL/],
      ['an issuer without audience', { jwtIssuer: 'https://login.example.com' }, /jwtAudience is unset; it must be at least one audience with jwtIssuer/],
      ['an audience without issuer', { jwtAudience: ['a'] }, /jwtAudience is \["a"\]; it must be left unset without jwtIssuer/],
      ['clients without a user pool', { userPoolClients: [] }, /userPoolClients is 0; it must be left unset without userPool/],
      ['a user pool with an empty list of clients', { userPool: {} as cognito.IUserPool, userPoolClients: [] },
        /userPoolClients is '0 clients'; it must be 1 to 50 app clients \(a JWT authorizer's limit on audiences\), or left unset for one new client\./],
      ['51 audiences', { jwtIssuer: 'https://login.example.com', jwtAudience: Array.from({ length: 51 }, (_, i) => `client-${i}`) },
        /jwtAudience is '51 audiences'; it must be at most 50 \(a JWT authorizer's limit\)\./],
      ['an empty audience', { jwtIssuer: 'https://login.example.com', jwtAudience: ['notes', ''] },
        /jwtAudience is \["notes",""\]; it must be audiences that are not empty/],
      ['an empty list of origins', { allowedOrigins: [] }, /allowedOrigins is \[\]; it must be at least one origin, or left unset for no CORS\./],
      ["'*' with other origins", { allowedOrigins: ['https://app.example.com', '*'] },
        /allowedOrigins is \["https:\/\/app.example.com","\*"\]; it must be '\*' alone, or specific origins: '\*' already admits every origin\./],
      ['a log retention none of logs.RetentionDays\'s, with your own function', { code: undefined, handlerFunction: {} as lambda.IFunction, logRetention: 13 as logs.RetentionDays },
        /^ {2}- logRetention is 13; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, 14, 30, .*, 3653, 9999\.$/m],
      ['a wildcard domain name', { ...DOMAIN, domainName: '*.example.com' }, /domainName is '\*.example.com'; it must be one host name, not a wildcard/],
      ['a domain name outside the hosted zone', { ...DOMAIN, domainName: 'api.example.net' }, /domainName is 'api.example.net'; it must be a name in the hosted zone example.com\./],
      ["a certificate outside the API's region", { domainName: 'api.example.com', certificate: certificateIn('eu-west-1') },
        /certificate is 'arn:aws:acm:eu-west-1:.*'; it must be in the API's region, us-east-1, not eu-west-1: a regional custom domain takes its certificate from its own region only\./],
      ['a hosted zone without a domain name', { hostedZone: ZONE }, /hostedZone is '.*Zone'; it must be given with the domainName to request a certificate and create records for\./],
      ['aliasRecord without a domain name', { aliasRecord: true }, /aliasRecord is true; it must be left unset without domainName\./],
      ['the default endpoint off without a custom domain', { executeApiEndpoint: false }, /executeApiEndpoint is false; it must be true or unset without domainName/],
    ];

    test.each(invalid)('rejects %s', (_name, extra, message) => {
      expect(() => build(extra)).toThrow(message);
    });

    // From JavaScript or JSON the former names would pass unnoticed and leave the default alarm.
    test('refuses the error rates under their former names, naming the new prop and its unit', () => {
      const fromJson = JSON.parse('{ "clientErrorRateThreshold": 0.07 }') as Extra;
      expect(() => build(fromJson)).toThrow(
        'clientErrorRateThreshold is 0.07; it must be left unset: clientErrorRateThreshold was renamed errorRate4xxThreshold, a percentage from 0 to 100 (a share of 0.07 is 7).');
    });

    test("accepts HTTP API's origin wildcards and 50 audiences", () => {
      expect(() => build({ allowedOrigins: ['https://*'] })).not.toThrow();
      expect(() => build({ jwtIssuer: 'https://login.example.com', jwtAudience: Array.from({ length: 50 }, (_, i) => `client-${i}`) })).not.toThrow();
    });

    describe('values known only at deploy time', () => {
      // Every validated prop takes a value known only at deploy time; the validator skips it, and
      // the template refers to the parameter.
      const tokenCases: Array<[string, (t: DeployTimeValues) => Extra]> = [
        ...LAMBDA_API_DEPLOY_TIME_CASES,
        ['durationP99Threshold, in milliseconds', (t) => ({ durationP99Threshold: Duration.millis(t.number) })],
        ['errorsThreshold', (t) => ({ errorsThreshold: t.number })],
        ['allowedOrigins, one origin', (t) => ({ allowedOrigins: [t.text] })],
        ['allowedOrigins, the whole list', (t) => ({ allowedOrigins: t.list })],
        ['jwtIssuer', (t) => ({ jwtIssuer: t.text, jwtAudience: ['notes'] })],
        ['jwtAudience', (t) => ({ jwtIssuer: 'https://login.example.com', jwtAudience: t.list })],
        ['domainName', (t) => ({ domainName: t.text, certificate: CERTIFICATE })],
      ];
      // All cases in one app, six to a stack, synthesized once; each case's parameters are its own.
      const tokenCase = deployTimeCases(newApp, tokenCases, (stack, id, t, [, extra]) => {
        new HttpApiLambda(stack, id, { code: CODE, ...extra(t) });
      }, { perStack: 6, stackProps: { env: TEST_ENV } });
      it.each(tokenCases.map(([prop], i) => [prop, i] as const))('accepts a token for %s', (_prop, i) => {
        // The construct of this case alone took its parameters: finding them shows it passed them on.
        const { name, resources } = tokenCase(i);
        expect(resources).toMatch(new RegExp(`"Ref":"${name}(Number|Text|List)"`));
      });

      test('refuses a latency threshold in seconds, saying why', () => {
        const stack = newStack({ withEnv: true });
        expect(() => new HttpApiLambda(stack, 'Notes', { code: CODE, latencyP99Threshold: deployTimeValues(stack).duration })).toThrow(
          /latencyP99Threshold is 'a token in seconds'; it must be given as Duration.millis\(\.\.\.\) when only known at deploy time: the alarm compares milliseconds/);
      });
    });

    test('creates a HardenedFunction: the integration and its Lambda permission point at the alias', () => {
      const { template, stack, api } = build();
      const aliasId = onlyAliasId(template);
      const functionId = stack.getLogicalId((api.handlerFunction as HardenedFunction).lambdaFunction.node.defaultChild as lambda.CfnFunction);
      const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).map((i) => i.Properties);
      expect(integrations).toHaveLength(1);
      expect(referencesOnlyAlias(integrations[0].IntegrationUri, aliasId, functionId)).toBe(true);
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
      expect(permissions).toHaveLength(1);
      expect(referencesOnlyAlias(permissions[0].FunctionName, aliasId, functionId)).toBe(true);
    });

    test('uses your function as it is', () => {
      const stack = newStack({ withEnv: true });
      const own = consumerFunction(stack, 'Own');
      expect(new HttpApiLambda(stack, 'Notes', { handlerFunction: own }).handlerFunction).toBe(own);
      Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new HttpApiLambda(new Stack(app, 'Defaults'), 'Notes', { code: CODE });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV, public, with CORS: no unacknowledged finding', () => {
      const app = newApp();
      new HttpApiLambda(new Stack(app, 'Dev', { env: TEST_ENV }), 'Notes', {
        code: CODE, stage: DeploymentStage.DEV, allowUnauthenticatedAccess: true, allowedOrigins: ['*'],
      });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured: no unacknowledged finding on what the pattern creates', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two APIs in one stack synthesize', () => {
      const stack = newStack({ withEnv: true });
      new HttpApiLambda(stack, 'Notes', { code: CODE });
      new HttpApiLambda(stack, 'Tasks', { code: CODE });
      Template.fromStack(stack).resourceCountIs('AWS::ApiGatewayV2::Api', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new HttpApiLambda(stack, 'Notes', fullyConfigured(stack));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // The handler in a Data stack; the API in an App stack that deploys after it. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      new HttpApiLambda(appStack, 'Api', {
        handlerFunction: new HardenedFunction(dataStack, 'Handler', { code: lambda.Code.fromInline('exports.handler = async () => ({});') }),
        allowUnauthenticatedAccess: true,
      });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("API Gateway's permission on the function is in the API's stack", () => {
      data.resourceCountIs('AWS::Lambda::Permission', 0);
      svc.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
