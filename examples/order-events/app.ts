import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { HardenedFunction, SnsFanOut } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

const stack = new Stack(app, 'OrderEventsExample', {
  description: 'cdk-best-practice-patterns example: order events fanned out to billing, shipping and audit queues',
});

/**
 * An order consumer: a HardenedFunction bundled locally with esbuild (ARM64, traced, JSON logs in
 * an encrypted log group, a managed-policy role, deployed through an alias by CodeDeploy), with a
 * bounded concurrency. The pattern grants it the queue.
 */
function orderConsumer(id: string): HardenedFunction {
  return new HardenedFunction(stack, id, {
    entry: path.join(__dirname, 'consumer', 'handler.ts'),
    reservedConcurrentExecutions: 5,
  });
}

const orders = { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) };
new SnsFanOut(stack, 'OrderEvents', {
  subscribers: [
    { name: 'billing', filterPolicy: orders, queueOptions: { consumer: orderConsumer('BillingConsumer') } },
    {
      name: 'shipping',
      filterPolicy: { ...orders, status: sns.SubscriptionFilter.stringFilter({ allowlist: ['paid'] }) },
      queueOptions: { consumer: orderConsumer('ShippingConsumer') },
    },
    // Everything, kept 14 days for whoever needs to look back.
    { name: 'audit', queueOptions: { retentionPeriod: Duration.days(14) } },
  ],
});

// Every example is checked by the same five cdk-nag packs as the library's tests.
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new ServerlessChecks(app),
  new NIST80053R5Checks(app),
  new HIPAASecurityChecks(app),
  new PCIDSS321Checks(app),
);
