import * as path from 'path';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EventRuleWithDeadLetterQueue, HardenedFunction, NagPacks, StepFunctionsWorkflow } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

const stack = new Stack(app, 'OrderWorkflowExample', {
  description: 'cdk-best-practice-patterns example: order.placed events start a validate, charge and ship workflow',
});

/** A step of the workflow: a HardenedFunction bundled locally with esbuild, with Powertools. */
function step(id: string, file: string): HardenedFunction {
  return new HardenedFunction(stack, id, { entry: path.join(__dirname, 'handlers', file), timeout: Duration.seconds(10) });
}

const validate = StepFunctionsWorkflow.invokeFunction(stack, 'Validate', step('ValidateFunction', 'validate.ts'));
const charge = StepFunctionsWorkflow.invokeFunction(stack, 'Charge', step('ChargeFunction', 'charge.ts'));
const ship = StepFunctionsWorkflow.invokeFunction(stack, 'Ship', step('ShipFunction', 'ship.ts'));
// An order's own errors are not retried: they end the execution in a failure state that says why.
const invalid = new sfn.Fail(stack, 'OrderInvalid', { error: 'InvalidOrder', cause: 'The order failed validation' });
const declined = new sfn.Fail(stack, 'PaymentFailed', { error: 'PaymentDeclined', cause: 'The payment was declined; nothing was shipped' });
validate.addCatch(invalid, { errors: ['InvalidOrder'] });
charge.addCatch(declined, { errors: ['PaymentDeclined'] });

const workflow = new StepFunctionsWorkflow(stack, 'OrderWorkflow', {
  definition: validate.next(charge).next(ship),
  comment: 'Validates, charges and ships one order',
  timeout: Duration.minutes(15),
});

// order.placed events on the orders bus start the workflow with the order in the event's detail.
const placed = new EventRuleWithDeadLetterQueue(stack, 'OrderPlaced', {
  createEventBus: true,
  eventPattern: { source: ['com.example.orders'], detailType: ['order.placed'] },
});
placed.addStateMachineTarget(workflow.stateMachine, { input: events.RuleTargetInput.fromEventPath('$.detail') });

// Every night at 02:00 UTC, the report.
const nightly = new EventRuleWithDeadLetterQueue(stack, 'NightlyReport', {
  schedule: events.Schedule.cron({ minute: '0', hour: '2' }),
  retryAttempts: 3,
});
nightly.addFunctionTarget(step('ReportFunction', 'report.ts'));

new CfnOutput(stack, 'EventBusName', { value: placed.eventBus!.eventBusName, description: 'Put order.placed events here' });
new CfnOutput(stack, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
