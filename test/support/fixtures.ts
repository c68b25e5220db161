import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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

/**
 * The logical id of the one Lambda alias in a template: what every caller of a HardenedFunction
 * must reference, instead of the function itself.
 */
export function onlyAliasId(template: Template): string {
  const aliases = Object.keys(template.findResources('AWS::Lambda::Alias'));
  if (aliases.length !== 1) {
    throw new Error(`expected one Lambda alias, found ${aliases.length}`);
  }
  return aliases[0];
}

/**
 * Whether a resource's properties reference the alias and never the unqualified function.
 */
export function referencesOnlyAlias(properties: unknown, aliasId: string, functionId: string): boolean {
  const json = JSON.stringify(properties);
  return json.includes(`"Ref":"${aliasId}"`) && !json.includes(`"${functionId}"`);
}
