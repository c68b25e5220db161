import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HardenedFunctionProps } from '../building-blocks/hardened-function';

/**
 * What a Lambda-backed API pattern (RestApiLambda, HttpApiLambda) accepts about its function,
 * its throttling, CORS and alarms.
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
}
