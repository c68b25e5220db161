import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * A minimal consumer function. Its own compliance (VPC, concurrency, tracing) is the user's
 * business, so compliance tests that use it scope their findings to the pattern.
 */
export function consumerFunction(scope: Construct, id: string, timeout?: Duration): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout,
  });
}
