import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { DeploymentStage, HardenedFunction, StepFunctionsWorkflow, StepFunctionsWorkflowProps, WorkflowFunctionOptions } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

const CODE = lambda.Code.fromInline('exports.handler = async (event) => event;');

/** Two HardenedFunction steps, the second with a catch into a failure state. */
function twoSteps(stack: Stack): sfn.IChainable {
  const charge = StepFunctionsWorkflow.invokeFunction(stack, 'Charge', new HardenedFunction(stack, 'ChargeFunction', { code: CODE }));
  const ship = StepFunctionsWorkflow.invokeFunction(stack, 'Ship', new HardenedFunction(stack, 'ShipFunction', { code: CODE, timeout: Duration.seconds(20) }), {
    resultPath: '$.shipment',
    taskTimeout: Duration.minutes(2),
    retryAttempts: 3,
  });
  charge.addCatch(new sfn.Fail(stack, 'Declined', { error: 'PaymentDeclined' }), { errors: ['PaymentDeclined'] });
  return charge.next(ship);
}

function build(props: Partial<StepFunctionsWorkflowProps> = {}, stack = newStack({ withEnv: true })) {
  const workflow = new StepFunctionsWorkflow(stack, 'Orders', { definition: twoSteps(stack), ...props });
  return { stack, workflow, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): StepFunctionsWorkflowProps {
  return {
    definition: twoSteps(stack),
    stage: DeploymentStage.PROD,
    workflowType: sfn.StateMachineType.EXPRESS,
    timeout: Duration.minutes(2),
    includeExecutionData: true,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    comment: 'Charges and ships an order',
  };
}

const definitionOf = (stack: Stack, template: Template) => {
  const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
  const rendered = JSON.stringify(stack.resolve(machine.Properties.DefinitionString));
  // The definition is a Fn::Join of strings and references: keep the strings, mark the references.
  const parts = JSON.parse(rendered)['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join(''));
};

describe('StepFunctionsWorkflow', () => {
  const standard = build();

  describe('snapshots', () => {
    test('defaults', () => {
      const stack = newStack();
      new StepFunctionsWorkflow(stack, 'Orders', { definition: twoSteps(stack) });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: EXPRESS, with execution data', () => {
      const stack = newStack({ withEnv: true });
      new StepFunctionsWorkflow(stack, 'Orders', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });
  });

  describe('state machine', () => {
    test('STANDARD, with a 1-hour execution timeout and X-Ray tracing', () => {
      standard.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
      });
      expect(definitionOf(standard.stack, standard.template).TimeoutSeconds).toBe(3600);
      const express = build({ workflowType: sfn.StateMachineType.EXPRESS });
      express.template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
      expect(definitionOf(express.stack, express.template).TimeoutSeconds).toBe(300);
    });

    test('logs every event, without execution data, to an encrypted log group under /aws/vendedlogs/states/ kept a year', () => {
      const logGroupId = standard.stack.getLogicalId(standard.workflow.logGroup.node.defaultChild as logs.CfnLogGroup);
      standard.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
        },
      });
      standard.template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/TestStackOrders'),
        RetentionInDays: 365,
        KmsKeyId: Match.anyValue(),
      });
      standard.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
      const dev = build({ stage: DeploymentStage.DEV });
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'), RetentionInDays: 30 });
    });

    test('a given log key is used instead of a new one', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
      const { template } = build({ logEncryptionKey: key }, stack);
      template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
      expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((logicalId) => logicalId.startsWith('OrdersLogKey'))).toEqual([]);
    });

    test("its role's grants land in a managed policy; it may invoke the functions' aliases only", () => {
      standard.template.resourceCountIs('AWS::IAM::Policy', 0);
      const policies = Object.values(standard.template.findResources('AWS::IAM::ManagedPolicy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes('OrdersRole'));
      expect(policies).toHaveLength(1);
      const invoke = (policies[0].Properties.PolicyDocument.Statement as any[]).find((s) => s.Action === 'lambda:InvokeFunction');
      const aliases = Object.keys(standard.template.findResources('AWS::Lambda::Alias')).sort();
      expect(invoke.Resource.map((r: any) => r.Ref).sort()).toEqual(aliases);
    });
  });

  describe('invokeFunction', () => {
    test("retries Lambda's transient errors with backoff and full jitter, times out after the function's timeout plus 30 s, returns the result", () => {
      const { States } = definitionOf(standard.stack, standard.template);
      expect(States.Charge).toMatchObject({
        Type: 'Task',
        Resource: 'REF',
        TimeoutSeconds: 40,
        Retry: [{
          ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException'],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        }],
        Catch: [{ ErrorEquals: ['PaymentDeclined'], Next: 'Declined' }],
      });
      expect(States.Ship).toMatchObject({ TimeoutSeconds: 120, ResultPath: '$.shipment', Retry: [expect.objectContaining({ MaxAttempts: 3 })] });
    });

    test('rejects a task timeout under a second and more than 20 retries', () => {
      const stack = newStack();
      const fn = new HardenedFunction(stack, 'Fn', { code: CODE });
      expect(() => StepFunctionsWorkflow.invokeFunction(stack, 'A', fn, { taskTimeout: Duration.millis(500) }))
        .toThrow(/taskTimeout is 0.5 seconds; it must be a whole number of seconds from 1 second to 365 days\./);
      expect(() => StepFunctionsWorkflow.invokeFunction(stack, 'B', fn, { retryAttempts: 21 })).toThrow(/retryAttempts is 21; it must be a whole number from 0 to 20/);
    });
  });

  describe('alarms', () => {
    test('executions failed, timed out, throttled and aborted: at least 1 in 5 minutes, each notifying the stack alarm topic', () => {
      expect(standard.workflow.alarms).toHaveLength(4);
      for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled', 'ExecutionsAborted']) {
        standard.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/States',
          MetricName: metricName,
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }],
        });
      }
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, Partial<StepFunctionsWorkflowProps>, RegExp]> = [
      ['an EXPRESS timeout over 5 minutes', { workflowType: sfn.StateMachineType.EXPRESS, timeout: Duration.minutes(6) }, /timeout is 6 minutes; it must be a whole number of seconds from 1 second to 5 minutes\./],
      ['a STANDARD timeout over a year', { timeout: Duration.days(366) }, /timeout is 366 days; it must be a whole number of seconds from 1 second to 365 days\./],
      ['a timeout under a second', { timeout: Duration.millis(10) }, /timeout is 0.01 seconds; it must be a whole number of seconds from 1 second to 365 days/],
      ['a workflow type Step Functions does not have, as untyped configuration gives it', { workflowType: 'Express' as sfn.StateMachineType },
        /^ {2}- workflowType is 'Express'; it must be one of sfn\.StateMachineType's values: 'EXPRESS', 'STANDARD'\.$/m],
      ['a log retention CloudWatch Logs does not offer, as untyped configuration gives it', { logRetention: 13 as logs.RetentionDays },
        /^ {2}- logRetention is 13; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999\.$/m],
    ];
    test.each(invalid)('rejects %s', (_name, props, message) => {
      const stack = newStack();
      expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Pass'), ...props })).toThrow(message);
    });

    describe('an EXPRESS workflow with a task that waits: Express workflows support request-response integrations only', () => {
      /** A task that waits for a callback with the task token, inside a Parallel branch after a Pass. */
      const waitForCallback = (stack: Stack): sfn.IChainable => {
        const approver = new lambda.Function(stack, 'Approver', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: CODE });
        const approve = new tasks.LambdaInvoke(stack, 'Approve', {
          lambdaFunction: approver,
          integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken, order: sfn.JsonPath.objectAt('$') }),
        });
        return new sfn.Pass(stack, 'Start').next(new sfn.Parallel(stack, 'Review').branch(approve));
      };
      /** A task that runs a nested execution to its end (.sync:2). */
      const runJob = (stack: Stack): sfn.IChainable => {
        const child = new sfn.StateMachine(stack, 'Child', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'ChildPass')) });
        return new tasks.StepFunctionsStartExecution(stack, 'Fulfil', { stateMachine: child, integrationPattern: sfn.IntegrationPattern.RUN_JOB });
      };
      const express = sfn.StateMachineType.EXPRESS;

      test('refuses a .waitForTaskToken task, naming the state', () => {
        const stack = newStack();
        expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: waitForCallback(stack), workflowType: express })).toThrow(
          "StepFunctionsWorkflow 'TestStack/Orders' has 1 invalid prop:\n"
          + "  - definition's state 'Approve' integration is '.waitForTaskToken'; it must be request-response in an EXPRESS workflow: "
          + 'Express workflows support neither .sync nor .waitForTaskToken (use workflowType STANDARD).');
      });

      test('refuses a .sync task, naming the state', () => {
        const stack = newStack();
        expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: runJob(stack), workflowType: express })).toThrow(
          "  - definition's state 'Fulfil' integration is '.sync:2'; it must be request-response in an EXPRESS workflow: "
          + 'Express workflows support neither .sync nor .waitForTaskToken (use workflowType STANDARD).');
      });

      test('accepts the same definitions in a STANDARD workflow', () => {
        const stack = newStack();
        new StepFunctionsWorkflow(stack, 'Approvals', { definition: waitForCallback(stack), workflowType: sfn.StateMachineType.STANDARD });
        new StepFunctionsWorkflow(stack, 'Fulfilment', { definition: runJob(stack) });
        const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
        expect(Object.keys(machines).filter((logicalId) => /^(Approvals|Fulfilment)StateMachine/.test(logicalId))).toHaveLength(2);
      });
    });

    test('refuses a definition over 1 MB once rendered, even before its ARNs are known', () => {
      const stack = newStack();
      const big = new sfn.Pass(stack, 'Big', { result: sfn.Result.fromString('x'.repeat(1_048_576)) });
      expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: big })).toThrow(
        /^ {2}- definition is 'at least 1,048,6\d\d bytes once rendered'; it must be at most 1,048,576 bytes \(1 MB, Step Functions' hard limit on a state machine definition\)/m);
    });

    test('accepts a definition just under 1 MB', () => {
      const stack = newStack();
      const big = new sfn.Pass(stack, 'Big', { result: sfn.Result.fromString('x'.repeat(1_048_000)) });
      expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: big })).not.toThrow();
    });

    describe('values known only at deploy time', () => {
      it.each<[string, (t: DeployTimeValues) => Partial<StepFunctionsWorkflowProps>]>([
        ['timeout', (t) => ({ timeout: t.duration })],
        ['timeout of an EXPRESS workflow', (t) => ({ workflowType: sfn.StateMachineType.EXPRESS, timeout: t.duration })],
        ['logRetention', (t) => ({ logRetention: t.number as logs.RetentionDays })],
        ['comment', (t) => ({ comment: t.text })],
      ])('accepts a token for %s', (_prop, props) => {
        const stack = newStack();
        const t = deployTimeValues(stack);
        expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Pass'), ...props(t) })).not.toThrow();
        const resources = JSON.stringify(Template.fromStack(stack).toJSON().Resources);
        expect(resources.includes('"Ref":"DeployTime')).toBe(true);
      });

      it.each<[string, (t: DeployTimeValues) => WorkflowFunctionOptions]>([
        ['taskTimeout', (t) => ({ taskTimeout: t.duration })],
        ['retryAttempts', (t) => ({ retryAttempts: t.number })],
      ])('invokeFunction accepts a token for %s', (_prop, options) => {
        const stack = newStack();
        const t = deployTimeValues(stack);
        const task = StepFunctionsWorkflow.invokeFunction(stack, 'Charge', new HardenedFunction(stack, 'Fn', { code: CODE }), options(t));
        new StepFunctionsWorkflow(stack, 'Orders', { definition: task });
        expect(JSON.stringify(Template.fromStack(stack).toJSON().Resources).includes('"Ref":"DeployTime')).toBe(true);
      });

      test("invokeFunction takes a token timeout of the function's with a taskTimeout, and refuses it without one, saying why", () => {
        const stack = newStack();
        const t = deployTimeValues(stack);
        const fn = new HardenedFunction(stack, 'Fn', { code: CODE, timeout: t.duration });
        expect(() => StepFunctionsWorkflow.invokeFunction(stack, 'A', fn)).toThrow(
          "  - taskTimeout is unset; it must be given when the function's timeout is only known at deploy time: the default adds 30 seconds to it, which CloudFormation cannot do.");
        expect(() => StepFunctionsWorkflow.invokeFunction(stack, 'B', fn, { taskTimeout: Duration.minutes(16) })).not.toThrow();
      });

      test('refuses a timeout token in minutes, saying why', () => {
        const stack = newStack();
        expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Pass'), timeout: Duration.minutes(deployTimeValues(stack).number) }))
          .toThrow(/timeout is 'a token in minutes'; it must be given as Duration.seconds\(\.\.\.\) when only known at deploy time: the template holds seconds/);
      });
    });

    test('refuses a workflow type from a token: the timeout limit, logging and alarms depend on it at synth', () => {
      const stack = newStack();
      const workflowType = new CfnParameter(stack, 'WorkflowType').valueAsString as sfn.StateMachineType;
      expect(() => new StepFunctionsWorkflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Pass'), workflowType })).toThrow(
        '  - workflowType is a token, only known at deploy time; it must be a value known at synth: it decides the timeout limit (5 minutes or 1 year), the logging and the alarms.');
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      const stack = new Stack(app, 'Defaults');
      new StepFunctionsWorkflow(stack, 'Orders', { definition: twoSteps(stack) });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured: no unacknowledged finding, under cdk-nag 3.x and 2.x', () => {
      const app = newApp();
      const stack = new Stack(app, 'Full', { env: TEST_ENV });
      new StepFunctionsWorkflow(stack, 'Orders', fullyConfigured(stack));
      // Both majors in one synth of the one app.
      const { v3, v2 } = runNagPacksOfBothMajors(app);
      expect(v3).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });
  });

  describe('composition', () => {
    test('two workflows in one stack synthesize, each with its own log group', () => {
      const stack = newStack({ withEnv: true });
      new StepFunctionsWorkflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'A') });
      new StepFunctionsWorkflow(stack, 'Refunds', { definition: new sfn.Pass(stack, 'B') });
      const names = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName);
      expect(new Set(names).size).toBe(2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new StepFunctionsWorkflow(stack, 'Orders', fullyConfigured(stack));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // A function and a key in a Data stack; the workflow in an App stack that deploys after it. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const fn = new HardenedFunction(dataStack, 'Charge', { code: lambda.Code.fromInline('exports.handler = async () => {};') });
      const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      new StepFunctionsWorkflow(appStack, 'Checkout', { logEncryptionKey: key, definition: StepFunctionsWorkflow.invokeFunction(appStack, 'ChargeCard', fn) });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the workflow's role may invoke the function's alias, in the App stack", () => {
      svc.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetStackOutput': Match.anyValue() } })]) },
      });
      svc.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
