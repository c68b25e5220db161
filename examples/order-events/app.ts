import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HardenedFunction, NagPacks, SnsFanOut } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

const stack = new Stack(app, 'OrderEventsExample', {
  description: 'cdk-best-practice-patterns example: order events fanned out to billing, shipping and audit queues',
});

/**
 * An order consumer: a HardenedFunction bundled locally with esbuild (ARM64, traced, JSON logs in
 * an encrypted log group, a managed-policy role, deployed through an alias by CodeDeploy). The
 * pattern grants it the queue.
 */
function orderConsumer(id: string): HardenedFunction {
  return new HardenedFunction(stack, id, { entry: path.join(__dirname, 'consumer', 'handler.ts') });
}
// Each queue invokes its consumer at most 5 times at once: the event source mapping's maximum
// concurrency, which reserves nothing, so it deploys in an account at the default quota of 10,
// where a reservation (`reservedConcurrentExecutions`) would fail.
const consumerOptions = { maxConcurrency: 5 };

const orders = { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) };
new SnsFanOut(stack, 'OrderEvents', {
  subscribers: [
    { name: 'billing', filterPolicy: orders, queueOptions: { consumer: orderConsumer('BillingConsumer'), ...consumerOptions } },
    {
      name: 'shipping',
      filterPolicy: { ...orders, status: sns.SubscriptionFilter.stringFilter({ allowlist: ['paid'] }) },
      queueOptions: { consumer: orderConsumer('ShippingConsumer'), ...consumerOptions },
    },
    // Everything, kept 14 days for whoever needs to look back.
    { name: 'audit', queueOptions: { retentionPeriod: Duration.days(14) } },
  ],
});

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
