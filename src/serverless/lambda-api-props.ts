import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HardenedFunctionProps } from '../building-blocks/hardened-function';

/**
 * What a Lambda-backed API pattern (RestApiLambda, HttpApiLambda) accepts about its function,
 * its throttling, CORS, alarms and custom domain.
 *
 * The pattern creates a HardenedFunction from `code` or `entry` and these props, or puts your
 * `handlerFunction` behind the API; one of the three is required. The created function's
 * `timeout` must stay within API Gateway's 29-second integration timeout, or callers would get a
 * 504 while it still runs. `logRetention` keeps the API's access logs as well as the function's.
 */
export interface LambdaApiProps extends HardenedFunctionProps {
  /**
   * Your own function to put behind the API. Its configuration stays yours; the pattern only
   * lets the API invoke it (a HardenedFunction through its alias) and watches it.
   *
   * @default - a HardenedFunction created from `code` or `entry`
   */
  readonly handlerFunction?: lambda.IFunction;

  /**
   * Steady-state requests per second the API accepts before throttling (429), at least 0.
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Requests the API accepts in a burst before throttling, at least 1. Above API Gateway's default
   * account burst of 5,000 the synth warns: the account's limit throttles first unless AWS raised it.
   *
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Origins browsers may call the API from (CORS), such as 'https://app.example.com': at least
   * one, each a scheme and host without a path, or '*' alone. A REST API compares them as exact
   * strings; an HTTP API also takes 'https://*'.
   *
   * @default - no CORS
   */
  readonly allowedOrigins?: string[];

  /**
   * Serve the API without any authorization. Anyone who finds the URL can call it: use it only
   * for data that is public anyway.
   *
   * @default false
   */
  readonly allowUnauthenticatedAccess?: boolean;

  /**
   * Alarm when more than this percentage of requests, from 0 to 100, end in a 5xx error (the
   * 5-minute average): 1 is 1%, as in StaticWebsite. Formerly `serverErrorRateThreshold`, a share
   * from 0 to 1.
   *
   * @default 1
   */
  readonly errorRate5xxThreshold?: number;

  /**
   * Alarm when more than this percentage of requests, from 0 to 100, end in a 4xx error (the
   * 5-minute average): 10 is 10%, as in StaticWebsite. Formerly `clientErrorRateThreshold`, a
   * share from 0 to 1.
   *
   * @default 10
   */
  readonly errorRate4xxThreshold?: number;

  /**
   * Alarm when the API's p99 latency exceeds this. A value known only at deploy time must be
   * given as `Duration.millis(...)`: the alarm compares milliseconds.
   *
   * @default Duration.seconds(3)
   */
  readonly latencyP99Threshold?: Duration;

  /**
   * The API's own host name, such as api.example.com: one name in lower case, not a wildcard.
   * API Gateway serves it from a custom domain with the TLS 1.2 security policy, and the stage
   * answers at its root, so `url` becomes `https://<domainName>/`. The custom domain is regional
   * (edge-optimized for a RestApiLambda whose endpoint is EDGE); a PRIVATE RestApiLambda takes
   * none. Needs `hostedZone` or `certificate`.
   *
   * @default - none: the API answers on its execute-api endpoint only
   */
  readonly domainName?: string;

  /**
   * The public hosted zone `domainName` belongs to. The pattern requests a DNS-validated
   * certificate for the name through it (unless `certificate` is given) and creates the name's
   * A and AAAA alias records to the custom domain (unless `aliasRecord` is false).
   *
   * @default - none: `certificate` is then required with `domainName`, and you create the records
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * An ACM certificate covering `domainName`, instead of the one the pattern requests: in the
   * API's region, or in us-east-1 for an edge-optimized RestApiLambda.
   *
   * @default - with `hostedZone`, a new DNS-validated certificate in the API's stack
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Whether the pattern creates the A and AAAA alias records of `domainName` in `hostedZone`.
   * Set false when another construct owns the name's records, such as a DnsRouting that routes
   * one name between the APIs of two regions (each API has a custom domain of that name; the
   * routing records alias each region's). Only with `hostedZone`.
   *
   * @default true
   */
  readonly aliasRecord?: boolean;

  /**
   * Whether clients may still call the API on its default execute-api endpoint
   * (`https://<api-id>.execute-api.<region>.amazonaws.com/...`). With a custom domain it is off,
   * so every call goes through the name; turn it on for a Route 53 HTTPS health check, which can
   * reach a regional API only there (on a route that answers without authorization: DnsRouting's
   * `healthCheckAlarm` serves an API behind IAM or JWT instead). It cannot be off without
   * `domainName`: the API would answer nowhere.
   *
   * @default - false with `domainName`, true without
   */
  readonly executeApiEndpoint?: boolean;
}
