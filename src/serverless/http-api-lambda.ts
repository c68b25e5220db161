import { Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { apiDomainCertificate, apiDomainUrl, createApiAliasRecords, disableExecuteApiEndpoint, validateApiDomainProps } from './api-domain';
import { addApiDashboardSection, apiAccessLogFormat, apiAlarms, validateLambdaApiProps, warnAboveAccountBurst } from './api-function';
import { LambdaApiProps } from './lambda-api-props';
import { LambdaBackedApi } from './lambda-backed-api';
import { acknowledgeNagFinding } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PropValidator } from '../core/prop-validator';

// API Gateway's fixed quota on the audiences of one JWT authorizer.
const MAX_AUDIENCES = 50;

/**
 * Properties of an HttpApiLambda.
 */
export interface HttpApiLambdaProps extends LambdaApiProps {
  /**
   * Authorize callers with JWTs from this Cognito user pool instead of IAM.
   *
   * @default - IAM authorization (SigV4-signed requests)
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * The app clients whose tokens the user pool authorizer accepts, 1 to 50. Only with `userPool`.
   *
   * @default - one new app client
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];

  /**
   * Authorize callers with JWTs from this OpenID Connect issuer (its HTTPS URL) instead of IAM.
   *
   * @default - IAM authorization (SigV4-signed requests)
   */
  readonly jwtIssuer?: string;

  /**
   * The audiences (client ids) a JWT from `jwtIssuer` must carry, 1 to 50. Required with `jwtIssuer`.
   *
   * @default - none
   */
  readonly jwtAudience?: string[];
}

/**
 * An API Gateway HTTP API (v2) proxying every request to a Lambda function: cheaper and faster
 * than a REST API, when its features suffice (no usage plans, API keys, request validation or WAF).
 *
 * Applies: authorization on every route (IAM by default, JWT from Cognito or any OIDC issuer as
 * options; public only by an explicit opt-in); default route throttling; JSON access logs with a
 * retention; detailed metrics; a function on ARM64 and the newest Node.js runtime, traced, with
 * JSON logs, a retention and a timeout within the integration timeout; alarms on 5xx and 4xx
 * rates, p99 latency, and function errors, throttles and duration; an optional regional custom
 * domain over TLS 1.2 with its certificate and alias records, the default execute-api endpoint
 * then off.
 *
 * @example
 * import { HttpApiLambda } from 'cdk-best-practice-patterns';
 *
 * const api = new HttpApiLambda(this, 'Api', {
 *   code: lambda.Code.fromAsset('lambda/api'),
 *   // JWTs from any OpenID Connect issuer instead of IAM authorization
 *   jwtIssuer: 'https://auth.example.com',
 *   jwtAudience: ['orders-app'],
 * });
 * new CfnOutput(this, 'ApiUrl', { value: api.url });
 */
export class HttpApiLambda extends LambdaBackedApi {
  /**
   * The HTTP API.
   */
  public readonly api: apigwv2.HttpApi;

  /**
   * The API's `$default` stage.
   */
  public readonly stage: apigwv2.HttpStage;

  /**
   * The regional custom domain of `domainName`, with the `$default` stage mapped at its root. Its
   * `regionalDomainName` and `regionalHostedZoneId` are what records of your own (a DnsRouting's)
   * alias.
   */
  public readonly domain?: apigwv2.DomainName;

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

  constructor(scope: Construct, id: string, props: HttpApiLambdaProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'HttpApiLambda', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    this.validate(props, prelude.validator);

    this._createBackend(prelude, props);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: `The API of ${this.node.path}`,
      defaultIntegration: new integrations.HttpLambdaIntegration('Function', this.handlerFunction),
      defaultAuthorizer: this.createAuthorizer(props),
      corsPreflight: props.allowedOrigins ? {
        allowOrigins: props.allowedOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.ANY],
        allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token'],
      } : undefined,
      createDefaultStage: false,
      disableExecuteApiEndpoint: disableExecuteApiEndpoint(props),
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit ?? 100, burstLimit: props.throttlingBurstLimit ?? 200 },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apiAccessLogFormat(),
      },
    });
    this.certificate = apiDomainCertificate(this, props);
    this.domain = this.createDomain(props, this.certificate);
    this._setUrl(this.domain ? apiDomainUrl(props.domainName!) : this.stage.url);

    if (props.allowUnauthenticatedAccess) {
      for (const route of this.api.node.findAll().filter((c): c is apigwv2.CfnRoute => c instanceof apigwv2.CfnRoute)) {
        acknowledgeNagFinding(route, 'AwsSolutions-APIG4', 'allowUnauthenticatedAccess was set: this API deliberately serves anyone who has its URL.');
      }
    }
    apiAlarms(this, prelude, this.api, this.handlerFunction);
    addApiDashboardSection(prelude, this.api);
  }

  private validate(props: HttpApiLambdaProps, v: PropValidator): void {
    validateLambdaApiProps(v, props);
    warnAboveAccountBurst(this, 'throttlingBurstLimit', props.throttlingBurstLimit);
    // HTTP APIs have regional custom domains only:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html
    validateApiDomainProps(v, this, props, false);
    const chosen = Object.entries({
      userPool: props.userPool,
      jwtIssuer: props.jwtIssuer,
      allowUnauthenticatedAccess: props.allowUnauthenticatedAccess || undefined,
    }).filter(([, value]) => value !== undefined).map(([name]) => name);
    v.check(chosen.length <= 1, 'authorization', chosen, 'at most one of userPool, jwtIssuer and allowUnauthenticatedAccess');
    v.check(props.userPoolClients === undefined || props.userPool !== undefined, 'userPoolClients', props.userPoolClients?.length,
      'left unset without userPool');
    // A JWT authorizer takes 1 to 50 audiences (the user pool authorizer's are its clients' ids):
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html ("Audiences per authorizer", 50, fixed).
    // With none, it would accept no token at all.
    const clientCount = props.userPoolClients === undefined || Token.isUnresolved(props.userPoolClients) ? undefined : props.userPoolClients.length;
    v.check(props.userPool === undefined || clientCount === undefined || (clientCount >= 1 && clientCount <= MAX_AUDIENCES), 'userPoolClients',
      `${clientCount} clients`, `1 to ${MAX_AUDIENCES} app clients (a JWT authorizer's limit on audiences), or left unset for one new client`);
    if (props.jwtIssuer !== undefined) {
      v.check(Token.isUnresolved(props.jwtIssuer) || /^https:\/\/[^\s]+$/.test(props.jwtIssuer), 'jwtIssuer', props.jwtIssuer, 'the HTTPS URL of an OpenID Connect issuer');
      v.check((props.jwtAudience ?? []).length > 0, 'jwtAudience', props.jwtAudience, 'at least one audience with jwtIssuer');
      const audiences = props.jwtAudience === undefined || Token.isUnresolved(props.jwtAudience) ? [] : props.jwtAudience;
      v.check(audiences.length <= MAX_AUDIENCES, 'jwtAudience', `${audiences.length} audiences`, `at most ${MAX_AUDIENCES} (a JWT authorizer's limit)`);
      v.check(audiences.every((audience) => Token.isUnresolved(audience) || audience.trim() !== ''), 'jwtAudience', audiences,
        'audiences that are not empty: a token carries a client id in its aud claim');
    } else {
      v.check(props.jwtAudience === undefined, 'jwtAudience', props.jwtAudience, 'left unset without jwtIssuer');
    }
    v.throwIfInvalid();
  }

  /**
   * The regional custom domain of `domainName` over TLS 1.2 (the only version HTTP APIs offer),
   * dualstack so the AAAA record answers, with the `$default` stage mapped at its root and its
   * alias records; none without `domainName`.
   */
  private createDomain(props: HttpApiLambdaProps, certificate: acm.ICertificate | undefined): apigwv2.DomainName | undefined {
    if (props.domainName === undefined || certificate === undefined) {
      return undefined;
    }
    const domain = new apigwv2.DomainName(this, 'Domain', {
      domainName: props.domainName,
      certificate,
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      ipAddressType: apigwv2.IpAddressType.DUAL_STACK,
    });
    new apigwv2.ApiMapping(this, 'DomainMapping', { api: this.api, domainName: domain, stage: this.stage });
    createApiAliasRecords(this, props, new targets.ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId));
    return domain;
  }

  private createAuthorizer(props: HttpApiLambdaProps): apigwv2.IHttpRouteAuthorizer {
    if (props.allowUnauthenticatedAccess) {
      return new apigwv2.HttpNoneAuthorizer();
    }
    if (props.userPool) {
      return new authorizers.HttpUserPoolAuthorizer('Authorizer', props.userPool, { userPoolClients: props.userPoolClients });
    }
    if (props.jwtIssuer) {
      return new authorizers.HttpJwtAuthorizer('Authorizer', props.jwtIssuer, { jwtAudience: props.jwtAudience! });
    }
    return new authorizers.HttpIamAuthorizer();
  }
}
