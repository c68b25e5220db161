import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStage, EventRuleWithDeadLetterQueue, HardenedFunction, StepFunctionsWorkflow } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// An event put on the bus must start the workflow through the rule, and the workflow must run its
// Lambda task (a HardenedFunction, through its alias) to SUCCEEDED.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'StepFunctionsWorkflowInteg');
const stage = DeploymentStage.DEV;
const step = StepFunctionsWorkflow.invokeFunction(stack, 'Confirm', new HardenedFunction(stack, 'ConfirmFunction', {
  stage,
  code: lambda.Code.fromInline('exports.handler = async (order) => ({ ...order, confirmed: true });'),
}));
const workflow = new StepFunctionsWorkflow(stack, 'Workflow', { stage, definition: step, timeout: Duration.minutes(5) });
const placed = new EventRuleWithDeadLetterQueue(stack, 'Placed', {
  stage,
  createEventBus: true,
  eventPattern: { source: ['integ.orders'], detailType: ['order.placed'] },
});
placed.addStateMachineTarget(workflow.stateMachine, { input: events.RuleTargetInput.fromEventPath('$.detail') });

const integ = new IntegTest(app, 'StepFunctionsWorkflowTest', {
  testCases: [stack],
  diffAssets: true,
});

integ.assertions
  .awsApiCall('EventBridge', 'putEvents', {
    Entries: [{ EventBusName: placed.eventBus!.eventBusName, Source: 'integ.orders', DetailType: 'order.placed', Detail: JSON.stringify({ orderId: 'o-1' }) }],
  })
  .expect(ExpectedResult.objectLike({ FailedEntryCount: 0 }))
  .next(
    integ.assertions
      .awsApiCall('SFN', 'listExecutions', { stateMachineArn: workflow.stateMachine.stateMachineArn, statusFilter: 'SUCCEEDED' })
      .expect(ExpectedResult.objectLike({ executions: Match.arrayWith([Match.objectLike({ status: 'SUCCEEDED' })]) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) }),
  );
