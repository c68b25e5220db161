import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { newApp } from '../support/app';

/** The reason the fixture's acknowledgements give. */
export const ACK_REASON = 'The fixture keeps this finding on purpose, to see its reason in the report.';

/**
 * A user's app that uses none of the library's patterns, split as real apps are: a stack with an
 * unhardened queue, a data stack whose table and a TLS-only queue without a DLQ sit in a nested
 * stack, and a stage holding a stack with an alarm that notifies nobody. The queue and the table are what cdk-nag and the report's own
 * checks find; `build` adds what a test needs before synthesis.
 */
export interface FixtureApp {
  readonly app: App;
  readonly front: Stack;
  readonly queue: sqs.Queue;
  readonly tables: NestedStack;
  readonly table: dynamodb.TableV2;
  readonly stage: Stage;
  readonly api: Stack;
}

export function fixtureApp(): FixtureApp {
  const app = newApp({ treeMetadata: true });
  // As the CLI does: every resource's construct path in its template's metadata.
  app.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, true);
  const front = new Stack(app, 'Front', { env: { account: '123456789012', region: 'eu-west-1' } });
  const queue = new sqs.Queue(front, 'Jobs');
  const data = new Stack(app, 'Data');
  const tables = new NestedStack(data, 'Tables');
  const table = new dynamodb.TableV2(tables, 'Notes', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  // A finding inside the nested stack, to be counted in its parent.
  new sqs.Queue(tables, 'Exports', { enforceSSL: true });
  const stage = new Stage(app, 'Prod');
  const api = new Stack(stage, 'Api');
  new cloudwatch.Alarm(api, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'Fixture', metricName: 'Errors' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  return { app, front, queue, tables, table, stage, api };
}

/**
 * Synthesizes the app and returns its assembly's directory. A pack's finding makes aws-cdk-lib throw
 * after it wrote the assembly, as `cdk synth` fails after writing cdk.out: the report reads it then.
 */
export function synthesize(app: App): string {
  try {
    app.synth();
  } catch (error) {
    if (!/ValidationFailed|Validation failed/.test(String(error))) throw error;
  }
  return app.outdir;
}
