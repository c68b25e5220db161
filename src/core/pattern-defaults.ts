import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { DeploymentStage } from './deployment-stage';
import { PatternProps } from './pattern-props';
import { StackOperations } from './stack-operations';

/**
 * Defaults for every pattern below a scope: an app, a `cdk.Stage`, a stack or any construct.
 */
export interface PatternDefaultsProps {
  /**
   * The stage of every pattern below the scope that sets no `stage` of its own.
   *
   * @default - the nearest scope above that sets one, else the context key
   * `PatternDefaults.STAGE_CONTEXT_KEY` (`cdk deploy -c cdk-best-practice-patterns:stage=dev`), else PROD
   */
  readonly stage?: DeploymentStage;

  /**
   * The SNS topic every alarm of every pattern below the scope notifies, unless the pattern is
   * given an `alarmTopic` of its own. Its subscriptions, and its key policy if it is encrypted,
   * are yours to manage.
   *
   * @default - each stack gets one alarm topic, created once (see `PatternDefaults.alarmTopicOf`)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * An e-mail address subscribed to the alarm topic each stack creates. AWS sends it a message to
   * confirm the subscription first. Read on the stack, its `cdk.Stage` and the app; not used with
   * `alarmTopic`.
   *
   * @default - the context key `PatternDefaults.ALARM_EMAIL_CONTEXT_KEY`, else no subscription
   */
  readonly alarmEmail?: string;

  /**
   * Whether the patterns below the scope add their section to their stack's dashboard.
   *
   * @default true
   */
  readonly dashboard?: boolean;
}

const defaultsByScope = new WeakMap<IConstruct, PatternDefaultsProps>();
/** Constructs that have read their defaults: setting defaults above one afterwards would not reach it. */
const resolvedScopes = new WeakSet<IConstruct>();

/**
 * App-wide defaults for the patterns of this library: set the stage, the alarm topic and the
 * dashboard once, on an app, a `cdk.Stage` or a stack, instead of on every pattern.
 *
 * A pattern's own prop always wins. Otherwise each default comes from the nearest scope above the
 * pattern that sets it, so a stack can override what its app sets, one field at a time.
 *
 * @example
 * import { DeploymentStage, PatternDefaults } from 'cdk-best-practice-patterns';
 *
 * const app = new App();
 * PatternDefaults.set(app, { stage: DeploymentStage.DEV, alarmEmail: 'ops@example.com' });
 */
export class PatternDefaults {
  /**
   * The context key that sets the stage of every pattern that has none from its props or from
   * `PatternDefaults.set`: `cdk deploy -c cdk-best-practice-patterns:stage=dev` (`dev` or `prod`).
   */
  public static readonly STAGE_CONTEXT_KEY = 'cdk-best-practice-patterns:stage';

  /**
   * The context key that subscribes an e-mail address to each stack's alarm topic when
   * `PatternDefaults.set` gives no `alarmEmail`.
   */
  public static readonly ALARM_EMAIL_CONTEXT_KEY = 'cdk-best-practice-patterns:alarmEmail';

  /**
   * Sets the defaults of every pattern below `scope`. Call it before creating those patterns:
   * they read their defaults when they are constructed. A second call on the same scope changes
   * only the fields it sets.
   */
  public static set(scope: IConstruct, defaults: PatternDefaultsProps): void {
    const early = scope.node.findAll().find((c) => resolvedScopes.has(c));
    if (early) {
      throw new Error(`PatternDefaults.set(${describe(scope)}) comes after the pattern '${early.node.path}' was created below it, ` +
        'which therefore never sees these defaults; call PatternDefaults.set before creating the patterns.');
    }
    if (defaults.alarmEmail !== undefined && !Token.isUnresolved(defaults.alarmEmail)) {
      validateEmail(`PatternDefaults.set(${describe(scope)}): alarmEmail`, defaults.alarmEmail);
    }
    validateStage(`PatternDefaults.set(${describe(scope)}): stage`, defaults.stage);
    const merged: { [field: string]: unknown } = { ...defaultsByScope.get(scope) };
    for (const [field, value] of Object.entries(defaults)) {
      if (value !== undefined) {
        merged[field] = value;
      }
    }
    defaultsByScope.set(scope, merged as PatternDefaultsProps);
  }

  /**
   * The stage a pattern created at `scope` without a `stage` prop gets.
   */
  public static stageOf(scope: IConstruct): DeploymentStage {
    return nearest(scope, 'stage') ?? stageFromContext(scope) ?? DeploymentStage.PROD;
  }

  /**
   * The topic the alarms of a pattern created at `scope` notify when it is given no `alarmTopic`:
   * the one `PatternDefaults` sets above `scope`, else the alarm topic of `scope`'s stack, created
   * here if no pattern has needed it yet. Subscribe to it to hear the alarms, e.g.
   * `PatternDefaults.alarmTopicOf(stack).addSubscription(new subscriptions.EmailSubscription('ops@example.com'))`.
   */
  public static alarmTopicOf(scope: IConstruct): sns.ITopic {
    return nearest(scope, 'alarmTopic') ?? StackOperations.of(scope).alarmTopic;
  }

  private constructor() {}
}

/**
 * A pattern's props with its stage and alarm topic filled in: its own props first, then the
 * nearest `PatternDefaults`, then (for the stage) the context key, then PROD. The alarm topic stays
 * undefined when none is set anywhere: the stack's own topic is created once an alarm needs it.
 */
export function withPatternDefaults<T extends PatternProps>(pattern: IConstruct, props: T): T {
  // Checked before any default applies: an unknown stage would otherwise compare unequal to PROD
  // everywhere and make the pattern a DEV one, which deletes its data with the stack.
  validateStage(`${pattern.constructor.name} '${pattern.node.path}': stage`, props.stage);
  resolvedScopes.add(pattern);
  return {
    ...props,
    stage: props.stage ?? PatternDefaults.stageOf(pattern),
    alarmTopic: props.alarmTopic ?? nearest(pattern, 'alarmTopic'),
  };
}

/**
 * Whether a pattern adds its section to its stack's dashboard.
 */
export function dashboardWanted(pattern: IConstruct): boolean {
  return nearest(pattern, 'dashboard') ?? true;
}

/**
 * The e-mail address to subscribe to a stack's own alarm topic: from `PatternDefaults` on the
 * stack or above it, else from the context key.
 */
export function alarmEmailFor(stack: IConstruct): string | undefined {
  const fromDefaults = nearest(stack, 'alarmEmail');
  if (fromDefaults !== undefined) {
    return fromDefaults;
  }
  const fromContext = stack.node.tryGetContext(PatternDefaults.ALARM_EMAIL_CONTEXT_KEY);
  if (fromContext === undefined || fromContext === '') {
    return undefined;
  }
  validateEmail(`The context key ${PatternDefaults.ALARM_EMAIL_CONTEXT_KEY}`, fromContext);
  return fromContext;
}

function nearest<K extends keyof PatternDefaultsProps>(scope: IConstruct, field: K): PatternDefaultsProps[K] | undefined {
  for (const ancestor of [...scope.node.scopes].reverse()) {
    const value = defaultsByScope.get(ancestor)?.[field];
    if (value !== undefined) {
      return value;
    }
  }
  return undefined;
}

function stageFromContext(scope: IConstruct): DeploymentStage | undefined {
  const value = scope.node.tryGetContext(PatternDefaults.STAGE_CONTEXT_KEY);
  if (value === undefined) {
    return undefined;
  }
  const stage = Object.values(DeploymentStage).find((s) => s === String(value).toLowerCase());
  if (!stage) {
    throw new Error(`The context key ${PatternDefaults.STAGE_CONTEXT_KEY} is '${value}'; it must be one of: ${Object.values(DeploymentStage).join(', ')}.`);
  }
  return stage;
}

/**
 * A stage from untyped configuration (JavaScript, JSON, Python) is any value: only the enum's own
 * values are stages. `'production'` or `'staging'` must fail, never fall through to DEV.
 */
function validateStage(what: string, value: unknown): void {
  if (value !== undefined && !(Object.values(DeploymentStage) as unknown[]).includes(value)) {
    throw new Error(`${what} is ${JSON.stringify(value)}; it must be one of DeploymentStage's values: ${Object.values(DeploymentStage).map((v) => `'${v}'`).join(', ')}.`);
  }
}

function validateEmail(what: string, value: unknown): void {
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new Error(`${what} is '${value}'; it must be an e-mail address such as ops@example.com.`);
  }
}

function describe(scope: IConstruct): string {
  return scope.node.path === '' ? 'the app' : `'${scope.node.path}'`;
}
