import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PatternProps } from '../core/pattern-props';

/**
 * What a Lambda-backed API pattern (RestApiLambda, HttpApiLambda) accepts about its function,
 * its throttling, CORS and alarms.
 */
export interface LambdaApiProps extends PatternProps {
  /**
   * Your own function to put behind the API. Its configuration stays yours; the pattern only
   * lets the API invoke it and watches it.
   *
   * @default - a function created from `code`
   */
  readonly handlerFunction?: lambda.IFunction;

  /**
   * The code of the function the pattern creates. One of `handlerFunction`, `code` and `entry` is
   * required.
   *
   * @default - none
   */
  readonly code?: lambda.Code;

  /**
   * A TypeScript or JavaScript file the pattern bundles with esbuild (aws-lambda-nodejs; esbuild
   * must be installed, or Docker running) into the function it creates. Instead of `code`.
   *
   * @default - none
   */
  readonly entry?: string;

  /**
   * The handler of the function the pattern creates: `file.export` with `code`, the exported
   * function's name with `entry`.
   *
   * @default - 'index.handler' with `code`, 'handler' with `entry`
   */
  readonly handler?: string;

  /**
   * Memory of the function the pattern creates, in MB from 128 to 10240.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Timeout of the function the pattern creates, from 1 to 29 seconds: never longer than API
   * Gateway's 29-second integration timeout, or callers would get a 504 while it still runs.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Reserved concurrency of the function the pattern creates, to protect what it calls.
   *
   * @default - none: API throttling bounds the load, and a reservation can exceed a new
   * account's concurrency quota
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Environment variables of the function the pattern creates.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * A VPC to run the created function in, in its private subnets with egress, for handlers that
   * call private resources.
   *
   * @default - outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * How long the function's logs and the API's access logs are kept.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Steady-state requests per second the API accepts before throttling (429), at least 0.
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Requests the API accepts in a burst before throttling, at least 1.
   *
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Origins browsers may call the API from (CORS), such as 'https://app.example.com'.
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
   * Alarm when more than this share of requests, from 0 to 1, end in a 5xx error.
   *
   * @default 0.01
   */
  readonly serverErrorRateThreshold?: number;

  /**
   * Alarm when more than this share of requests, from 0 to 1, end in a 4xx error.
   *
   * @default 0.1
   */
  readonly clientErrorRateThreshold?: number;

  /**
   * Alarm when the API's p99 latency exceeds this.
   *
   * @default Duration.seconds(3)
   */
  readonly latencyP99Threshold?: Duration;
}
