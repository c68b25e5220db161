import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiFunction, apiLogSettings, ApiLogSettings } from './api-function';
import { LambdaApiProps } from './lambda-api-props';
import { PatternPrelude } from '../core/pattern-prelude';

/**
 * An API of this library that a Lambda function serves: RestApiLambda and HttpApiLambda. Both
 * expose their function, the URL of their stage and the log group of its access logs the same way
 * here, so code that only needs those (a record for the URL, a grant to the function) takes either.
 *
 * Only the library's APIs extend it: their function and log group are created by an internal
 * method.
 *
 * @example
 * import { HttpApiLambda, LambdaBackedApi } from 'cdk-best-practice-patterns';
 *
 * const api: LambdaBackedApi = new HttpApiLambda(this, 'Api', { code: lambda.Code.fromAsset('lambda/api') });
 * // The same outputs whichever API it is: here, its URL
 * new CfnOutput(this, 'Url', { value: api.url });
 */
export abstract class LambdaBackedApi extends Construct {
  /** The function and the access log group, once the subclass created them. */
  private backend?: { readonly handlerFunction: lambda.IFunction; readonly accessLogGroup: logs.LogGroup };
  /** The URL of the stage, once the subclass created it. */
  private stageUrl?: string;

  /**
   * The function behind the API: yours, or the one the pattern created.
   */
  public get handlerFunction(): lambda.IFunction {
    return this.requireBackend('handlerFunction').handlerFunction;
  }

  /**
   * The log group of the stage's access logs.
   */
  public get accessLogGroup(): logs.LogGroup {
    return this.requireBackend('accessLogGroup').accessLogGroup;
  }

  /**
   * The URL of the stage: `https://<domainName>/` when the API has a custom domain, else its
   * execute-api URL.
   */
  public get url(): string {
    if (this.stageUrl === undefined) {
      throw new Error(`${this.node.path}: url was read before the API's stage existed (only the library's APIs, `
        + 'RestApiLambda and HttpApiLambda, extend LambdaBackedApi: _setUrl is internal)');
    }
    return this.stageUrl;
  }

  /**
   * Creates the function behind the API (or takes the user's) and the access log group, both with
   * the API's log settings (a rotating key, a retention by stage), which it returns for the API's
   * other log groups. A subclass calls it once, before it reads `handlerFunction` or
   * `accessLogGroup`.
   *
   * @internal
   */
  protected _createBackend(prelude: PatternPrelude<LambdaApiProps>, props: LambdaApiProps): ApiLogSettings {
    const logSettings = apiLogSettings(this, prelude);
    this.backend = {
      handlerFunction: apiFunction(this, props, logSettings),
      accessLogGroup: new logs.LogGroup(this, 'AccessLogs', logSettings),
    };
    return logSettings;
  }

  /**
   * Records the URL of the API's stage (its custom domain's, when it has one).
   *
   * @internal
   */
  protected _setUrl(url: string): void {
    this.stageUrl = url;
  }

  private requireBackend(property: string): { readonly handlerFunction: lambda.IFunction; readonly accessLogGroup: logs.LogGroup } {
    if (!this.backend) {
      throw new Error(`${this.node.path}: ${property} was read before the API's function existed (only the library's APIs, `
        + 'RestApiLambda and HttpApiLambda, extend LambdaBackedApi: _createBackend is internal)');
    }
    return this.backend;
  }
}
