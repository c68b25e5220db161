import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { HardenedFunction } from '../building-blocks/hardened-function';
import { createLogEncryptionKey } from '../core/log-encryption';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * Properties of a StepFunctionsWorkflow.
 */
export interface StepFunctionsWorkflowProps extends PatternProps {
  /**
   * The states of the workflow, from the first. Build Lambda tasks with
   * `StepFunctionsWorkflow.invokeFunction`.
   */
  readonly definition: sfn.IChainable;

  /**
   * The kind of workflow: STANDARD for long-running, exactly-once workflows, EXPRESS for short,
   * high-volume ones (at most 5 minutes).
   *
   * @default sfn.StateMachineType.STANDARD
   */
  readonly workflowType?: sfn.StateMachineType;

  /**
   * How long one execution may run before it times out: from 1 second to 1 year for STANDARD, to
   * 5 minutes for EXPRESS.
   *
   * @default - 1 hour for STANDARD, 5 minutes for EXPRESS
   */
  readonly timeout?: Duration;

  /**
   * Whether the execution log carries each state's input and output. Off by default, since they can
   * hold personal data that the log would keep for its whole retention.
   *
   * @default false
   */
  readonly includeExecutionData?: boolean;

  /**
   * How long the execution log is kept.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A customer-managed KMS key for the execution log. Its policy must let the region's CloudWatch
   * Logs service use it.
   *
   * @default - a new rotating key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What the workflow does, for whoever reads it in the console.
   *
   * @default - none
   */
  readonly comment?: string;
}

/**
 * How `StepFunctionsWorkflow.invokeFunction` calls a function.
 */
export interface WorkflowFunctionOptions {
  /**
   * What the function receives.
   *
   * @default - the state's input
   */
  readonly payload?: sfn.TaskInput;

  /**
   * Where the function's result goes in the state's output (a JSONPath).
   *
   * @default '$' (the result replaces the input)
   */
  readonly resultPath?: string;

  /**
   * How long the task waits for the function before it fails with `States.Timeout`, at least 1
   * second.
   *
   * @default - the function's timeout plus 30 seconds, so the function's own timeout comes first
   */
  readonly taskTimeout?: Duration;

  /**
   * How many times a transient Lambda error is retried, with exponential backoff and full jitter,
   * from 0 to 20.
   *
   * @default 6
   */
  readonly retryAttempts?: number;
}

// Lambda's errors worth retrying: its service failing, and throttling. A function's own error is
// the workflow's to handle (catch it into a failure state).
const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
// Step Functions' limits: an EXPRESS execution runs at most 5 minutes, a STANDARD one a year;
// a definition holds at most 1 MB.
// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html ("Maximum execution time",
// "Maximum size of state machine definition", a hard quota); DefinitionString's maxLength is
// 1,048,576 in the CloudFormation schema of AWS::StepFunctions::StateMachine.
const MAX_EXPRESS = Duration.minutes(5);
const MAX_STANDARD = Duration.days(365);
const MAX_DEFINITION_BYTES = 1_048_576;
// A task's integration pattern is the suffix of its Resource: `.sync` (or `.sync:2`, for the JSON
// output of a nested execution) runs a job, `.waitForTaskToken` waits for a callback; without one
// it is a request-response call.
const WAITING_INTEGRATION = /\.(sync(:\d+)?|waitForTaskToken)$/;

/**
 * A Step Functions state machine that is logged, traced, time-boxed and watched, for orchestrating
 * several functions instead of functions calling functions.
 *
 * Applies: every event logged (level ALL) to an encrypted log group under
 * `/aws/vendedlogs/states/` with a retention, without execution data unless asked; X-Ray tracing;
 * a timeout per execution and, through `invokeFunction`, per task, with retries on Lambda's
 * transient errors (exponential backoff, full jitter) and HardenedFunctions invoked through their
 * aliases; a role whose grants land in a managed policy; alarms on failed, timed-out, throttled and
 * aborted executions.
 *
 * @example
 * import { HardenedFunction, StepFunctionsWorkflow } from 'cdk-best-practice-patterns';
 *
 * const charge = new HardenedFunction(this, 'Charge', { code: lambda.Code.fromAsset('lambda/charge') });
 * const ship = new HardenedFunction(this, 'Ship', { code: lambda.Code.fromAsset('lambda/ship') });
 * const chargeCard = StepFunctionsWorkflow.invokeFunction(this, 'ChargeCard', charge);
 * const shipOrder = StepFunctionsWorkflow.invokeFunction(this, 'ShipOrder', ship);
 * new StepFunctionsWorkflow(this, 'Checkout', { definition: chargeCard.next(shipOrder) });
 */
export class StepFunctionsWorkflow extends Construct {
  /**
   * A task that invokes a HardenedFunction through its alias the safe way: it retries Lambda's
   * transient errors (client timeouts, service errors and throttling) with exponential backoff and full jitter, and
   * gives up after a timeout. The workflow's role may invoke the alias only.
   *
   * The function may be in another stack when the workflow's stack deploys after it: the state
   * machine's definition names the function, so a function whose stack depends on the workflow's
   * cannot be invoked from it (aws-cdk-lib reports a cyclic reference).
   */
  public static invokeFunction(scope: Construct, id: string, fn: HardenedFunction, options: WorkflowFunctionOptions = {}): tasks.LambdaInvoke {
    const validator = new PropValidator(`StepFunctionsWorkflow.invokeFunction '${scope.node.path}/${id}'`);
    validator.secondsInRange('taskTimeout', options.taskTimeout, 1, MAX_STANDARD.toSeconds());
    validator.integerInRange('retryAttempts', options.retryAttempts, 0, 20);
    // The default adds 30 seconds to the function's timeout; aws-cdk-lib's Duration.plus drops
    // them from a token (the task would time out with the function), and CloudFormation cannot add.
    validator.check(options.taskTimeout !== undefined || !fn.timeout.isUnresolved(), 'taskTimeout', undefined,
      "given when the function's timeout is only known at deploy time: the default adds 30 seconds to it, which CloudFormation cannot do");
    validator.throwIfInvalid();

    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payload: options.payload,
      resultPath: options.resultPath,
      // The result itself, not Lambda's response envelope around it.
      payloadResponseOnly: true,
      taskTimeout: sfn.Timeout.duration(options.taskTimeout ?? fn.timeout.plus(Duration.seconds(30))),
      // Replaced by the retry below, which also covers throttling and adds jitter.
      retryOnServiceExceptions: false,
    });
    task.addRetry({
      errors: TRANSIENT_LAMBDA_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: options.retryAttempts ?? 6,
      backoffRate: 2,
      maxDelay: Duration.minutes(1),
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  }

  /**
   * The state machine.
   */
  public readonly stateMachine: sfn.StateMachine;

  /**
   * Where every execution event is logged.
   */
  public readonly logGroup: logs.LogGroup;

  /**
   * The state machine's role. Every grant to it lands in a managed policy.
   */
  public readonly role: iam.IRole;

  /**
   * The alarms of this pattern: executions failed, timed out, throttled and aborted.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: StepFunctionsWorkflowProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'StepFunctionsWorkflow', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    const express = props.workflowType === sfn.StateMachineType.EXPRESS;
    const timeout = props.timeout ?? (express ? MAX_EXPRESS : Duration.hours(1));
    const validator = prelude.validator;
    validator.oneOf('workflowType', props.workflowType, sfn.StateMachineType, 'sfn.StateMachineType');
    validator.knownAtSynth('workflowType', props.workflowType, 'it decides the timeout limit (5 minutes or 1 year), the logging and the alarms');
    validator.secondsInRange('timeout', props.timeout, 1, (express ? MAX_EXPRESS : MAX_STANDARD).toSeconds());
    validator.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');
    validator.throwIfInvalid();

    const removalPolicy = prelude.removalPolicy;
    // Step Functions delivers logs through CloudWatch Logs' vended-log delivery, which adds the log
    // group to a resource policy limited in size; under this prefix one policy entry covers every
    // state machine of the account (aws-cdk #28900).
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200 })}`,
      retention: props.logRetention ?? (prelude.production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH),
      encryptionKey: props.logEncryptionKey ?? createLogEncryptionKey(this, 'LogKey', `Encrypts the execution log of ${this.node.path}`, removalPolicy),
      removalPolicy,
    });

    const role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `The workflow ${this.node.path}`,
    });
    this.role = role;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
      stateMachineType: props.workflowType ?? sfn.StateMachineType.STANDARD,
      timeout,
      comment: props.comment,
      role,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: props.includeExecutionData ?? false },
    });
    this.validateDefinitionSize(validator);
    if (express) {
      // Express workflows support only request-response integrations, neither .sync nor
      // .waitForTaskToken: https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
      // Checked once the state machine has bound the states to its graph: until then a Parallel's
      // branches render empty.
      for (const [stateName, pattern] of waitingIntegrations(props.definition)) {
        validator.check(false, `definition's state '${stateName}' integration`, pattern,
          'request-response in an EXPRESS workflow: Express workflows support neither .sync nor .waitForTaskToken (use workflowType STANDARD)');
      }
    }
    validator.throwIfInvalid();
    const policy = role.node.findChild('Policy');
    acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
      "Step Functions' log delivery (logs:CreateLogDelivery and its kin) and X-Ray's trace APIs take no resource-level permissions; they are granted on * and nothing else is.");

    this.createAlarms(prelude);
  }

  /**
   * The rendered definition's size, counting only what is known at synth: the ARNs in it are
   * tokens until deploy time, so what is counted is a lower bound, and a definition over the limit
   * even without them is certainly refused. (aws-cdk-lib renders the graph once, here.)
   */
  private validateDefinitionSize(validator: PropValidator): void {
    const rendered = Stack.of(this).resolve((this.stateMachine.node.defaultChild as sfn.CfnStateMachine).definitionString);
    const parts: unknown[] = typeof rendered === 'string' ? [rendered] : rendered?.['Fn::Join']?.[1] ?? [];
    const bytes = parts.reduce<number>((sum, part) => sum + (typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : 0), 0);
    validator.check(bytes <= MAX_DEFINITION_BYTES, 'definition', `at least ${bytes.toLocaleString('en-US')} bytes once rendered`,
      `at most ${MAX_DEFINITION_BYTES.toLocaleString('en-US')} bytes (1 MB, Step Functions' hard limit on a state machine definition): move large constants out of the definition`);
  }

  private createAlarms(prelude: PatternPrelude<StepFunctionsWorkflowProps>): void {
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const executions: Array<[string, cloudwatch.IMetric, string]> = [
      ['FailedAlarm', this.stateMachine.metricFailed(fiveMinutes), 'failed'],
      ['TimedOutAlarm', this.stateMachine.metricTimedOut(fiveMinutes), 'timed out'],
      ['ThrottledAlarm', this.stateMachine.metricThrottled(fiveMinutes), 'was throttled'],
      ['AbortedAlarm', this.stateMachine.metricAborted(fiveMinutes), 'was aborted'],
    ];
    for (const [alarmId, metric, what] of executions) {
      prelude.alarm(alarmId, { metric, threshold: 1, orEqual: true, description: `An execution of ${this.node.path} ${what}` });
    }
    prelude.dashboard([
      { title: 'Executions started and succeeded', metrics: [this.stateMachine.metricStarted(fiveMinutes), this.stateMachine.metricSucceeded(fiveMinutes)] },
      { title: 'Execution time (p99)', metrics: [this.stateMachine.metricTime({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) })] },
    ]);
  }
}

/**
 * The task states of a definition that wait for a job (`.sync`) or a callback
 * (`.waitForTaskToken`), as [state name, the Resource's suffix]: every state reachable from the
 * start, through error handlers too, and those of its Parallel branches and Map iterations. A
 * distributed Map's iterations with STANDARD child executions are left out: they run as STANDARD
 * workflows. Reading the rendered Resource covers every kind of task, CustomState included.
 */
function waitingIntegrations(definition: sfn.IChainable): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const visit = (stateName: string, json: any): void => {
    if (json?.Type === 'Task' && typeof json.Resource === 'string') {
      const pattern = WAITING_INTEGRATION.exec(json.Resource);
      if (pattern) {
        found.push([stateName, pattern[0]]);
      }
    }
    const processor = json?.ItemProcessor;
    const standardChildren = processor?.ProcessorConfig?.Mode === 'DISTRIBUTED' && processor.ProcessorConfig.ExecutionType === 'STANDARD';
    const graphs = [...(Array.isArray(json?.Branches) ? json.Branches : []), json?.Iterator, standardChildren ? undefined : processor];
    for (const graph of graphs) {
      for (const [name, nested] of Object.entries(graph?.States ?? {})) {
        visit(name, nested);
      }
    }
  };
  for (const state of sfn.State.findReachableStates(definition.startState, { includeErrorHandlers: true })) {
    visit(state.stateId, state.toStateJson());
  }
  return found;
}
