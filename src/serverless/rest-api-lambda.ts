import { Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { apiDomainCertificate, apiDomainUrl, createApiAliasRecords, disableExecuteApiEndpoint, validateApiDomainProps } from './api-domain';
import { addApiDashboardSection, apiAccessLogFormat, apiAlarms, ApiLogSettings, validateLambdaApiProps, warnAboveAccountBurst } from './api-function';
import { LambdaApiProps } from './lambda-api-props';
import { LambdaBackedApi } from './lambda-backed-api';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS, NIST_AND_PCI_PACKS } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PropValidator } from '../core/prop-validator';
import { associateWebAcl, checkRegionalWebAclArn, protectWithManagedRules } from '../core/web-acl';

/**
 * Where a REST API is reachable from.
 */
export enum RestApiEndpoint {
  /** In its region: for clients in or near it, and behind your own CDN. */
  REGIONAL = 'REGIONAL',
  /** Through CloudFront's edge locations: for clients spread over the world. */
  EDGE = 'EDGE',
  /** Only from VPCs through an interface endpoint: for internal APIs. */
  PRIVATE = 'PRIVATE',
}

/**
 * How much API Gateway writes to its execution logs.
 */
export enum ExecutionLogLevel {
  /** Only failed requests. */
  ERROR = 'ERROR',
  /** Every request. Verbose, and it costs accordingly. */
  INFO = 'INFO',
}

/**
 * The kind of Lambda authorizer.
 */
export enum LambdaAuthorizerKind {
  /** The authorizer receives the bearer token of the Authorization header. */
  TOKEN = 'TOKEN',
  /** The authorizer receives the headers, query string and context of the request. */
  REQUEST = 'REQUEST',
}

/**
 * A usage plan: limits per API key, on top of the stage throttling.
 */
export interface RestApiUsagePlan {
  /**
   * Requests per second per API key.
   *
   * @default - the stage's throttlingRateLimit
   */
  readonly rateLimit?: number;

  /**
   * Burst of requests per API key.
   *
   * @default - the stage's throttlingBurstLimit
   */
  readonly burstLimit?: number;

  /**
   * Requests per API key per day, at least 1.
   *
   * @default - no quota
   */
  readonly dailyQuota?: number;
}

/**
 * Properties of a RestApiLambda.
 */
export interface RestApiLambdaProps extends LambdaApiProps {
  /**
   * Where the API is reachable from.
   *
   * @default RestApiEndpoint.REGIONAL
   */
  readonly endpoint?: RestApiEndpoint;

  /**
   * The ids ('vpce-...') of the interface endpoints (execute-api) a PRIVATE API answers through.
   * Required for, and only for, a PRIVATE endpoint.
   *
   * @default - none
   */
  readonly vpcEndpointIds?: string[];

  /**
   * The name of the API's one stage, which is also the first segment of its URL path.
   *
   * @default 'api'
   */
  readonly stageName?: string;

  /**
   * What API Gateway writes to its execution logs. Data tracing (full request and response
   * bodies) stays off: it would log your callers' data.
   *
   * @default ExecutionLogLevel.ERROR
   */
  readonly executionLogLevel?: ExecutionLogLevel;

  /**
   * Authorize callers with this Cognito user pool instead of IAM.
   *
   * @default - IAM authorization (SigV4-signed requests)
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * Authorize callers with this Lambda authorizer instead of IAM. It may live in another stack of
   * the app: API Gateway's permission to invoke it is then created in this pattern's stack.
   *
   * @default - IAM authorization (SigV4-signed requests)
   */
  readonly authorizerFunction?: lambda.IFunction;

  /**
   * What the Lambda authorizer receives. Only with `authorizerFunction`.
   *
   * @default LambdaAuthorizerKind.TOKEN
   */
  readonly authorizerKind?: LambdaAuthorizerKind;

  /**
   * A usage plan with one API key, which every request must then carry.
   *
   * @default - no usage plan, no API key
   */
  readonly usagePlan?: RestApiUsagePlan;

  /**
   * A JSON schema request bodies must match. API Gateway rejects the rest with a 400 before they
   * reach the function. It applies to every method of the proxy, so use it for APIs whose
   * requests carry JSON bodies.
   *
   * @default - bodies are not validated by API Gateway
   */
  readonly requestBodySchema?: apigw.JsonSchema;

  /**
   * An existing regional WAF web ACL, in the API's region, to associate with the stage.
   *
   * @default - in PROD a new web ACL with AWS managed rule groups; in DEV none
   */
  readonly webAclArn?: string;

  /**
   * Whether to create the account's API Gateway CloudWatch role, which execution logging needs.
   * It is one setting per account and region: the pattern creates the role once per stack and
   * retains it, so whichever stack set it last, the setting never points at a deleted role. Set
   * false when the account is already configured.
   *
   * @default true
   */
  readonly manageAccountLoggingRole?: boolean;
}

const ACCOUNT_LOGGING_ID = 'ApiGatewayAccountLogging';

/**
 * An API Gateway REST API (v1) proxying every request to a Lambda function, protected and
 * observable from the first deploy.
 *
 * Applies: authorization on every method (IAM by default, Cognito or a Lambda authorizer as
 * options; public only by an explicit opt-in); stage throttling and an optional usage plan with an
 * API key; request validation; JSON access logs with a retention; execution logging without data
 * tracing; X-Ray and detailed metrics; WAF in PROD; a function on ARM64 and the newest Node.js
 * runtime, traced, with JSON logs, a retention and a timeout within the integration timeout;
 * alarms on 5xx and 4xx rates, p99 latency, and function errors, throttles and duration; an
 * optional custom domain over TLS 1.2 with its certificate and alias records, the default
 * execute-api endpoint then off.
 *
 * @example
 * import { RestApiLambda } from 'cdk-best-practice-patterns';
 *
 * declare const userPool: cognito.IUserPool;
 * const api = new RestApiLambda(this, 'Api', {
 *   code: lambda.Code.fromAsset('lambda/api'),
 *   // Callers sign in with Cognito instead of signing requests with IAM
 *   userPool,
 * });
 * new CfnOutput(this, 'ApiUrl', { value: api.url });
 */
export class RestApiLambda extends LambdaBackedApi {
  /**
   * The REST API.
   */
  public readonly api: apigw.LambdaRestApi;

  /**
   * The API's stage.
   */
  public readonly stage: apigw.Stage;

  /**
   * The usage plan's API key, when there is a usage plan.
   */
  public readonly apiKey?: apigw.IApiKey;

  /**
   * The web ACL this pattern created, when it created one.
   */
  public readonly webAcl?: wafv2.CfnWebACL;

  /**
   * The custom domain of `domainName`, with the stage mapped at its root: regional, or
   * edge-optimized for an EDGE endpoint. A regional one can be a DnsRouting endpoint
   * (`RoutingEndpoint.fromRestApiDomain`); an edge-optimized one is a CloudFront distribution of
   * API Gateway's, which DnsRouting refuses.
   */
  public readonly domain?: apigw.DomainName;

  /**
   * The certificate the custom domain serves: `certificate`, or the one the pattern requested
   * through `hostedZone`.
   */
  public readonly certificate?: acm.ICertificate;

  /**
   * The alarms of this pattern: 5xx and 4xx rates, p99 latency, and the function's errors,
   * throttles and duration.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: RestApiLambdaProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'RestApiLambda', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    this.validate(props, prelude.validator);

    const logSettings = this._createBackend(prelude, props);

    const accountLogging = props.manageAccountLoggingRole ?? true ? this.ensureAccountLoggingRole() : undefined;
    const authorizer = this.createAuthorizer(props);
    const authorizationType = props.allowUnauthenticatedAccess ? apigw.AuthorizationType.NONE
      : authorizer?.authorizationType ?? apigw.AuthorizationType.IAM;
    const endpoint = props.endpoint ?? RestApiEndpoint.REGIONAL;
    const disableDefaultEndpoint = disableExecuteApiEndpoint(props);

    this.api = new apigw.LambdaRestApi(this, 'Api', {
      // API Gateway's metrics are keyed by the API's name, so it must be unique in the account and
      // region, or two APIs' alarms would watch each other's traffic.
      restApiName: Names.uniqueResourceName(this, { maxLength: 128 }),
      handler: this.handlerFunction,
      proxy: true,
      description: `The API of ${this.node.path}`,
      endpointConfiguration: { types: [apigw.EndpointType[endpoint]] },
      policy: endpoint === RestApiEndpoint.PRIVATE ? privateApiPolicy(props.vpcEndpointIds ?? []) : undefined,
      disableExecuteApiEndpoint: disableDefaultEndpoint,
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName ?? 'api',
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apiAccessLogFormat(),
        // ExecutionLogLevel's values are MethodLoggingLevel's, so a token passes through as it is.
        loggingLevel: (props.executionLogLevel ?? ExecutionLogLevel.ERROR) as string as apigw.MethodLoggingLevel,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
      },
      defaultMethodOptions: {
        authorizationType,
        authorizer,
        apiKeyRequired: props.usagePlan !== undefined,
      },
      defaultCorsPreflightOptions: props.allowedOrigins ? {
        allowOrigins: props.allowedOrigins,
        // The defaults include the signing headers and X-Api-Key, which a usage plan needs.
        allowHeaders: apigw.Cors.DEFAULT_HEADERS,
        allowMethods: apigw.Cors.ALL_METHODS,
      } : undefined,
    });
    this.stage = this.api.deploymentStage;
    if (disableDefaultEndpoint !== undefined) {
      // A REST API applies DisableExecuteApiEndpoint at its next deployment: a new one whenever it changes.
      this.api.latestDeployment?.addToLogicalId({ disableExecuteApiEndpoint: disableDefaultEndpoint });
    }
    if (disableDefaultEndpoint) {
      // The stack output aws-cdk-lib adds names the execute-api URL, which then answers 403: `url` is the one to read.
      this.api.node.tryRemoveChild('Endpoint');
    }
    this.certificate = apiDomainCertificate(this, props);
    this.domain = this.createDomain(props, endpoint, this.certificate);
    this._setUrl(this.domain ? apiDomainUrl(props.domainName!) : this.api.url);
    if (accountLogging) {
      // Execution logging fails to deploy until the account points at a CloudWatch role.
      this.stage.node.addDependency(accountLogging);
    }

    this.validateRequests(props);
    if (props.usagePlan) {
      this.apiKey = this.createUsagePlan(props, props.usagePlan);
    }
    this.webAcl = this.protectWithWaf(props, prelude.production, logSettings);
    this.acknowledgeStageFindings(props, authorizationType);
    apiAlarms(this, prelude, this.api, this.handlerFunction);
    addApiDashboardSection(prelude, this.api);
  }

  private validate(props: RestApiLambdaProps, v: PropValidator): void {
    validateLambdaApiProps(v, props);
    warnAboveAccountBurst(this, 'throttlingBurstLimit', props.throttlingBurstLimit);
    v.oneOf('endpoint', props.endpoint, RestApiEndpoint, 'RestApiEndpoint');
    v.oneOf('executionLogLevel', props.executionLogLevel, ExecutionLogLevel, 'ExecutionLogLevel');
    v.oneOf('authorizerKind', props.authorizerKind, LambdaAuthorizerKind, 'LambdaAuthorizerKind');
    v.knownAtSynth('endpoint', props.endpoint, 'it decides whether the pattern creates a web ACL and a resource policy for interface endpoints');
    v.knownAtSynth('authorizerKind', props.authorizerKind, 'it decides which kind of authorizer the pattern creates');
    // LambdaRestApi names the stage's construct `DeploymentStage.<stageName>`, and construct ids
    // cannot hold tokens.
    v.knownAtSynth('stageName', props.stageName, "aws-cdk-lib names the stage's construct after it");
    // A REST API answers a preflight from a mapping template that compares the request's origin
    // with each allowed one, so each must be a string of its own (one may be a token).
    v.knownAtSynth('allowedOrigins', props.allowedOrigins,
      'the preflight response compares each origin in turn, so pass a list of strings, each of which may be a token');
    for (const origin of props.allowedOrigins !== undefined && !Token.isUnresolved(props.allowedOrigins) ? props.allowedOrigins : []) {
      // REST APIs compare origins as exact strings: a wildcard inside one never matches.
      v.check(Token.isUnresolved(origin) || origin === '*' || !origin.includes('*'), 'allowedOrigins', origin,
        "exact origins or '*' alone: a REST API compares origins as exact strings, so a wildcard inside one never matches (HTTP APIs accept 'https://*')");
    }
    const authorizers = {
      userPool: props.userPool,
      authorizerFunction: props.authorizerFunction,
      allowUnauthenticatedAccess: props.allowUnauthenticatedAccess || undefined,
    };
    const chosen = Object.entries(authorizers).filter(([, value]) => value !== undefined).map(([name]) => name);
    v.check(chosen.length <= 1, 'authorization', chosen, 'at most one of userPool, authorizerFunction and allowUnauthenticatedAccess');
    const isPrivate = props.endpoint === RestApiEndpoint.PRIVATE;
    v.check(isPrivate === (props.vpcEndpointIds !== undefined && props.vpcEndpointIds.length > 0), 'vpcEndpointIds', props.vpcEndpointIds,
      isPrivate ? 'at least one interface endpoint id for a PRIVATE endpoint' : 'left unset unless endpoint is PRIVATE');
    v.check(props.authorizerKind === undefined || props.authorizerFunction !== undefined, 'authorizerKind', props.authorizerKind,
      'left unset without authorizerFunction');
    if (props.stageName !== undefined && !Token.isUnresolved(props.stageName)) {
      v.check(/^[A-Za-z0-9_-]{1,128}$/.test(props.stageName), 'stageName', props.stageName, 'letters, digits, hyphens and underscores, 1 to 128 of them');
    }
    checkRegionalWebAclArn(v, 'webAclArn', props.webAclArn, Stack.of(this).region, 'the API');
    v.check(!isPrivate || props.domainName === undefined, 'domainName', props.domainName,
      'left unset for a PRIVATE endpoint: a private API\'s custom domain is another resource (AWS::ApiGateway::DomainNameV2), reached through interface endpoints');
    validateApiDomainProps(v, this, props, props.endpoint === RestApiEndpoint.EDGE);
    // A list known only at deploy time holds one encoded element, which is not a value to check.
    const knownList = (list: string[] | undefined) => (list === undefined || Token.isUnresolved(list) ? [] : list);
    for (const vpcEndpointId of knownList(props.vpcEndpointIds)) {
      // The resource policy compares aws:SourceVpce with each id: anything else (an ARN, a service
      // name) never matches, and the private API refuses every request.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
      v.check(Token.isUnresolved(vpcEndpointId) || /^vpce-[0-9a-f]+$/.test(vpcEndpointId), 'vpcEndpointIds', vpcEndpointId,
        "interface endpoint ids such as 'vpce-0123456789abcdef0' (the resource policy compares aws:SourceVpce with them)");
    }
    const plan = props.usagePlan;
    if (plan) {
      if (plan.rateLimit !== undefined && !Token.isUnresolved(plan.rateLimit)) {
        v.check(plan.rateLimit >= 0, 'usagePlan.rateLimit', plan.rateLimit, 'at least 0 requests per second');
      }
      v.integerAtLeast('usagePlan.burstLimit', plan.burstLimit, 1);
      warnAboveAccountBurst(this, 'usagePlan.burstLimit', plan.burstLimit);
      v.integerAtLeast('usagePlan.dailyQuota', plan.dailyQuota, 1);
    }
    v.throwIfInvalid();
  }

  /**
   * The custom domain of `domainName` over TLS 1.2, of the API's endpoint type, with the stage
   * mapped at its root and its alias records; none without `domainName`.
   */
  private createDomain(props: RestApiLambdaProps, endpoint: RestApiEndpoint,
    certificate: acm.ICertificate | undefined): apigw.DomainName | undefined {
    if (props.domainName === undefined || certificate === undefined) {
      return undefined;
    }
    const domain = new apigw.DomainName(this, 'Domain', {
      domainName: props.domainName,
      certificate,
      endpointType: endpoint === RestApiEndpoint.EDGE ? apigw.EndpointType.EDGE : apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    // Dualstack, so the AAAA record answers IPv6 clients (public custom domains default to IPv4):
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html
    // aws-cdk-lib's DomainName has no prop for it.
    (domain.node.defaultChild as apigw.CfnDomainName).addPropertyOverride('EndpointConfiguration.IpAddressType', 'dualstack');
    new apigw.BasePathMapping(this, 'DomainMapping', { domainName: domain, restApi: this.api, stage: this.stage });
    createApiAliasRecords(this, props, new targets.ApiGatewayDomain(domain));
    return domain;
  }

  /**
   * The account-wide API Gateway logging role, once per stack.
   */
  private ensureAccountLoggingRole(): Construct {
    const stack = Stack.of(this);
    const existing = stack.node.tryFindChild(ACCOUNT_LOGGING_ID) as Construct | undefined;
    if (existing) {
      return existing;
    }
    const holder = new Construct(stack, ACCOUNT_LOGGING_ID);
    const role = new iam.Role(holder, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write execution logs to CloudWatch Logs for this account and region',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // Retained: another stack may have pointed the account setting at it since.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeNagFinding(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy for API Gateway's account-level logging role, which API Gateway names itself.");
    const account = new apigw.CfnAccount(holder, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return holder;
  }

  /**
   * The authorizer function, as one whose invoke permission lands in this stack. aws-cdk-lib's
   * Lambda authorizers add API Gateway's permission on the function itself, in the function's
   * stack, naming this API's authorizer: with the function in another stack, that stack would
   * reference this one while this one references the function (a DependencyCycle, issue 28). The
   * same function imported here by ARN gets the permission in this stack instead, as the
   * integration's already do.
   */
  private invokableHere(fn: lambda.IFunction): lambda.IFunction {
    if (Stack.of(fn) === Stack.of(this)) {
      return fn;
    }
    return lambda.Function.fromFunctionAttributes(this, 'AuthorizerFunction', { functionArn: fn.functionArn, sameEnvironment: true });
  }

  private createAuthorizer(props: RestApiLambdaProps): apigw.IAuthorizer | undefined {
    if (props.userPool) {
      return new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [props.userPool] });
    }
    if (props.authorizerFunction) {
      const handler = this.invokableHere(props.authorizerFunction);
      return (props.authorizerKind ?? LambdaAuthorizerKind.TOKEN) === LambdaAuthorizerKind.TOKEN
        ? new apigw.TokenAuthorizer(this, 'Authorizer', { handler })
        : new apigw.RequestAuthorizer(this, 'Authorizer', { handler, identitySources: [apigw.IdentitySource.header('Authorization')] });
    }
    return undefined;
  }

  /**
   * With a schema, API Gateway rejects invalid bodies (and parameters) with a 400 before they cost
   * an invocation. Without one, the proxied function is left to validate its own input.
   */
  private validateRequests(props: RestApiLambdaProps): void {
    if (!props.requestBodySchema) {
      acknowledgeNagFinding(this.api, 'AwsSolutions-APIG2',
        'No requestBodySchema was given: every request is proxied to the function, which validates its own input; a schema makes API Gateway do it.');
      return;
    }
    const validator = this.api.addRequestValidator('RequestValidator', { validateRequestParameters: true, validateRequestBody: true });
    const model = this.api.addModel('RequestBody', { contentType: 'application/json', schema: props.requestBodySchema });
    for (const method of this.api.methods.filter((m) => m.httpMethod !== 'OPTIONS')) {
      const cfn = method.node.defaultChild as apigw.CfnMethod;
      cfn.requestValidatorId = validator.requestValidatorId;
      cfn.requestModels = { 'application/json': model.modelId };
    }
  }

  private createUsagePlan(props: RestApiLambdaProps, plan: RestApiUsagePlan): apigw.IApiKey {
    const usagePlan = this.api.addUsagePlan('UsagePlan', {
      description: `Limits per API key of ${this.node.path}`,
      throttle: { rateLimit: plan.rateLimit ?? props.throttlingRateLimit ?? 100, burstLimit: plan.burstLimit ?? props.throttlingBurstLimit ?? 200 },
      quota: plan.dailyQuota ? { limit: plan.dailyQuota, period: apigw.Period.DAY } : undefined,
    });
    usagePlan.addApiStage({ stage: this.api.deploymentStage });
    const key = this.api.addApiKey('ApiKey', { description: `The API key of ${this.node.path}` });
    usagePlan.addApiKey(key);
    return key;
  }

  private protectWithWaf(props: RestApiLambdaProps, production: boolean, logSettings: ApiLogSettings): wafv2.CfnWebACL | undefined {
    if (props.webAclArn) {
      associateWebAcl(this, this.stage.stageArn, props.webAclArn);
      return undefined;
    }
    if (!production || props.endpoint === RestApiEndpoint.EDGE) {
      const reason = production
        ? 'An edge-optimized API is served through CloudFront, where a global web ACL belongs; attach a regional one with webAclArn if you need it.'
        : 'DEV skips the web ACL (about $8 a month) to keep sandboxes cheap; PROD creates one, and webAclArn attaches an existing one.';
      acknowledgeNagFinding(this.stage, 'AwsSolutions-APIG3', reason);
      acknowledgeNagRule(this.stage, NIST_AND_PCI_PACKS, 'APIGWAssociatedWithWAF', reason);
      return undefined;
    }
    return protectWithManagedRules(this, this.stage.stageArn, logSettings.removalPolicy, logSettings.encryptionKey);
  }

  private acknowledgeStageFindings(props: RestApiLambdaProps, authorizationType: apigw.AuthorizationType): void {
    acknowledgeNagRule(this.stage, COMPLIANCE_PACKS, 'APIGWCacheEnabledAndEncrypted',
      'Caching is off: responses of an authorized proxy API are specific to their caller; enable an encrypted stage cache where reads dominate.');
    acknowledgeNagRule(this.stage, COMPLIANCE_PACKS, 'APIGWSSLEnabled',
      'Client certificates authenticate API Gateway to HTTP backends; this backend is a Lambda function that API Gateway invokes through IAM.');
    for (const method of this.api.methods) {
      if (method.httpMethod === 'OPTIONS') {
        const reason = 'Browsers send CORS preflight requests without credentials, so the OPTIONS method must answer them unauthenticated.';
        acknowledgeNagFinding(method, 'AwsSolutions-APIG4', reason);
        acknowledgeNagFinding(method, 'AwsSolutions-COG4', reason);
        continue;
      }
      if (authorizationType === apigw.AuthorizationType.NONE) {
        const reason = 'allowUnauthenticatedAccess was set: this API deliberately serves anyone who has its URL.';
        acknowledgeNagFinding(method, 'AwsSolutions-APIG4', reason);
        acknowledgeNagFinding(method, 'AwsSolutions-COG4', reason);
      } else if (authorizationType !== apigw.AuthorizationType.COGNITO) {
        acknowledgeNagFinding(method, 'AwsSolutions-COG4', props.authorizerFunction
          ? 'Callers are authorized by the Lambda authorizer given as authorizerFunction instead of a Cognito user pool.'
          : 'Callers are authorized with IAM (SigV4-signed requests) instead of a Cognito user pool; userPool switches to Cognito.');
      }
    }
  }
}

/**
 * A private API answers only requests that come through the given interface endpoints.
 */
function privateApiPolicy(vpcEndpointIds: string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: ['execute-api:/*'],
      conditions: { StringEquals: { 'aws:SourceVpce': vpcEndpointIds } },
    })],
  });
}
