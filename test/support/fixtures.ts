import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
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

/**
 * Resources every one of the five cdk-nag packs reports, in a stack named `Bad`: an unencrypted
 * queue (`Bad/Queue/Resource`), a log group without retention (`Bad/Logs`) and a function without
 * a dead-letter queue (`Bad/Function`). The compliance helpers prove with them that they see
 * findings.
 */
export function knownBadStack(app: App): Stack {
  const stack = new Stack(app, 'Bad');
  new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  new logs.CfnLogGroup(stack, 'Logs');
  new lambda.CfnFunction(stack, 'Function', {
    code: { zipFile: 'exports.handler = async () => {};' },
    role: 'arn:aws:iam::123456789012:role/example',
    runtime: 'nodejs22.x',
    handler: 'index.handler',
  });
  return stack;
}
