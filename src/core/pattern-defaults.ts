import { Annotations, Stack, Stage, Token } from 'aws-cdk-lib';
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
   * confirm the subscription first. Read on the stack, its `cdk.Stage` and the app. With an
   * `alarmTopic` in effect for every pattern of a stack, the address would hear nothing, so the
   * synth fails; for some patterns only, each of those gets a warning. Subscribe the address to your
   * own topic instead.
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

  /**
   * Where the alarm topic and the dashboard of the patterns below the scope live: in each stack,
   * or shared by the stacks of a `cdk.Stage` (or of the app) in one account and region. Read on
   * the stack, its `cdk.Stage` and the app.
   *
   * @default OperationsScope.STACK
   */
  readonly operations?: OperationsScope;

  /**
   * With `OperationsScope.STAGE`, the start of the ids of the two stacks the library adds to a
   * stage: `<prefix>Alarms-<account>-<region>` and `<prefix>Dashboard-<account>-<region>`, which
   * CloudFormation names `<stage>-<id>`. Two apps deployed to one account and region whose stages
   * have the same names must each set their own, or each deploys over the other's shared stacks:
   * 1 to 32 letters, digits and hyphens, starting with a letter. Read on the stack, its
   * `cdk.Stage` and the app.
   *
   * @default 'Pattern'
   */
  readonly operationsStackPrefix?: string;
}

/**
 * Where the patterns keep their operations: the alarm topic (with its key and the `alarmEmail`
 * subscription) and the dashboard.
 */
export enum OperationsScope {
  /**
   * Each stack has its own alarm topic and dashboard. A stack deploys, and is deleted, on its own:
   * nothing crosses to another stack. Each one costs a key (about $1 a month), a dashboard ($3 a
   * month beyond the account's first three) and a subscription to confirm.
   */
  STACK = 'STACK',

  /**
   * The stacks of a `cdk.Stage` (or of the app, for stacks directly in it) that share an account
   * and region share one alarm topic and one dashboard, each in a stack the library adds to the
   * stage: `PatternAlarms-<account>-<region>`, which those stacks depend on, and
   * `PatternDashboard-<account>-<region>`, which depends on them (the account and region are
   * left out of the id where the stacks are env-agnostic). The dashboard reads what it shows from
   * the stacks' outputs (`Fn::GetStackOutput`), not their exports, so removing a pattern never
   * waits on it. The stacks still deploy in that order: `cdk deploy <stage>/Web` deploys the
   * alarm topic's stack first, and the dashboard is current once its stack is deployed too.
   * Stacks in another account or region of the stage get their own pair.
   *
   * What to know before choosing it:
   * - CloudFormation reads an output through `Fn::GetStackOutput` when the reading stack is
   *   deployed, and skips a stack whose template did not change: after a pattern's resource is
   *   replaced (a queue renamed, say), redeploy the dashboard's stack with `cdk deploy --force`.
   * - The shared stacks get the app's default synthesizer (a bootstrap qualifier of your own:
   *   the context key `@aws-cdk/core:bootstrapQualifier`), and none of a stack's tags or
   *   termination protection.
   * - Two apps in one account and region whose stages have the same names need their own
   *   `operationsStackPrefix`.
   * - A stack has at most 200 outputs, and the dashboard reads each alarm and metric through one;
   *   the synth says so when a stack would pass the limit.
   */
  STAGE = 'STAGE',
}

/** Where a pattern's alarm topic came from: its own prop, `PatternDefaults.set` on a scope, or neither (the stack's). */
type AlarmTopicSource = { readonly kind: 'prop'; readonly topic: sns.ITopic }
| { readonly kind: 'defaults'; readonly topic: sns.ITopic; readonly scope: IConstruct }
| { readonly kind: 'stack' };

/**
 * What `PatternDefaults` keeps about one construct. It lives on the construct itself, not in this
 * module: an app and a construct library it uses may each bring a copy of this library in one
 * node_modules, and module state (a `WeakMap` here) would give each copy its own defaults, so a
 * `PatternDefaults.set` through one copy would silently not reach the patterns of the other. A key
 * from the global symbol registry is the same in every copy, as aws-cdk-lib keeps `Aspects.of` and
 * `PropertyInjectors.of` on their scope. Copies of different versions read each other's state, so
 * fields are only ever added, never renamed or given another meaning.
 */
interface ConstructState {
  /** On a scope given `PatternDefaults.set`: its defaults, merged over the calls. */
  defaults?: PatternDefaultsProps;
  /** On a pattern that has read its defaults: setting defaults above it afterwards would not reach it. */
  resolved?: boolean;
  /** On a stack: its outermost patterns and where their alarm topic came from, for the stack's alarm e-mail check. */
  patterns?: Array<{ readonly pattern: IConstruct; readonly source: AlarmTopicSource }>;
}

const STATE = Symbol.for('cdk-best-practice-patterns.PatternDefaults');

/** The state of a construct, if `PatternDefaults` keeps any about it. */
function stateOf(construct: IConstruct): ConstructState | undefined {
  return (construct as unknown as { [STATE]?: ConstructState })[STATE];
}

/** The state of a construct, added to it the first time. Not enumerable, like aws-cdk-lib's `Aspects`: nothing that walks the construct sees it. */
function ensureStateOf(construct: IConstruct): ConstructState {
  let state = stateOf(construct);
  if (!state) {
    state = {};
    Object.defineProperty(construct, STATE, { value: state, enumerable: false, configurable: false, writable: false });
  }
  return state;
}

/** The id of the warning that an alarm e-mail hears none of a pattern's alarms. */
const EMAIL_MISSES_PATTERN_WARNING = 'cdk-best-practice-patterns:alarmEmailMissesPattern';

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
    const early = scope.node.findAll().find((c) => stateOf(c)?.resolved);
    if (early) {
      throw new Error(`PatternDefaults.set(${describe(scope)}) comes after the pattern '${early.node.path}' was created below it, ` +
        'which therefore never sees these defaults; call PatternDefaults.set before creating the patterns.');
    }
    if (defaults.alarmEmail !== undefined && !Token.isUnresolved(defaults.alarmEmail)) {
      validateEmail(`PatternDefaults.set(${describe(scope)}): alarmEmail`, defaults.alarmEmail);
    }
    validateStage(`PatternDefaults.set(${describe(scope)}): stage`, defaults.stage);
    validateOperations(`PatternDefaults.set(${describe(scope)}): operations`, defaults.operations);
    validateOperationsStackPrefix(`PatternDefaults.set(${describe(scope)}): operationsStackPrefix`, defaults.operationsStackPrefix);
    // Operations belong to stacks: a value on a construct inside one would be read by no pattern.
    if ((defaults.operations !== undefined || defaults.operationsStackPrefix !== undefined) && !Stage.isStage(scope) && !Stack.isStack(scope)) {
      throw new Error(`PatternDefaults.set(${describe(scope)}) sets operations or operationsStackPrefix on a construct inside a stack; `
        + 'they are read on stacks, stages and the app only: set them on the stack, its cdk.Stage or the app.');
    }
    const merged: { [field: string]: unknown } = { ...stateOf(scope)?.defaults };
    for (const [field, value] of Object.entries(defaults)) {
      if (value !== undefined) {
        merged[field] = value;
      }
    }
    // Every pattern below this scope notifies alarmTopic or a topic nearer to it, never a stack's
    // own topic: an alarmEmail here could never hear a thing, whatever the patterns.
    if (merged.alarmEmail !== undefined && merged.alarmTopic !== undefined) {
      throw new Error(`PatternDefaults.set(${describe(scope)}) sets both alarmEmail and alarmTopic; alarmEmail subscribes only the stack's own alarm topic, ` +
        'which alarmTopic replaces, so the address would hear nothing: subscribe it to your topic (topic.addSubscription(...)) and drop alarmEmail, or drop alarmTopic.');
    }
    ensureStateOf(scope).defaults = merged as PatternDefaultsProps;
  }

  /**
   * The stage a pattern created at `scope` without a `stage` prop gets.
   */
  public static stageOf(scope: IConstruct): DeploymentStage {
    return nearest(scope, 'stage') ?? stageFromContext(scope) ?? DeploymentStage.PROD;
  }

  /**
   * The topic the alarms of a pattern created at `scope` notify when it is given no `alarmTopic`:
   * the one `PatternDefaults` sets above `scope`, else the alarm topic of `scope`'s stack (with
   * `OperationsScope.STAGE`, the one its stage shares), created here if no pattern has needed it
   * yet: set `operations` before calling it. Subscribe to it to hear the alarms, e.g.
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
  const fromDefaults = props.alarmTopic === undefined ? nearestEntry(pattern, 'alarmTopic') : undefined;
  // A pattern inside another one is given the outer one's topic: only the outer one is recorded,
  // so the messages name the prop or the PatternDefaults the user actually set.
  if (!pattern.node.scopes.some((scope) => stateOf(scope)?.resolved)) {
    recordAlarmTopicSource(pattern, props.alarmTopic !== undefined
      ? { kind: 'prop', topic: props.alarmTopic }
      : fromDefaults ? { kind: 'defaults', topic: fromDefaults.value, scope: fromDefaults.scope } : { kind: 'stack' });
  }
  ensureStateOf(pattern).resolved = true;
  return {
    ...props,
    stage: props.stage ?? PatternDefaults.stageOf(pattern),
    alarmTopic: props.alarmTopic ?? fromDefaults?.value,
  };
}

/**
 * Where the operations of the stack that holds `scope` live: the nearest `PatternDefaults` on the
 * stack or above it sets it, else each stack has its own.
 */
export function operationsScopeOf(scope: IConstruct): OperationsScope {
  return nearest(Stack.of(scope), 'operations') ?? OperationsScope.STACK;
}

/** The start of the ids of the shared operations stacks of `scope`'s stack (see `operationsStackPrefix`). */
export function operationsStackPrefixOf(scope: IConstruct): string {
  return nearest(Stack.of(scope), 'operationsStackPrefix') ?? 'Pattern';
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
  return alarmEmailEntry(stack)?.value;
}

/** The alarm e-mail of a stack, and where it came from, in the words of an error message. */
function alarmEmailEntry(stack: IConstruct):
{ readonly value: string; readonly source: string; readonly drop: string; readonly scope?: IConstruct } | undefined {
  const fromDefaults = nearestEntry(stack, 'alarmEmail');
  if (fromDefaults !== undefined) {
    return { value: fromDefaults.value, source: `alarmEmail from PatternDefaults.set(${describe(fromDefaults.scope)})`, drop: 'drop alarmEmail', scope: fromDefaults.scope };
  }
  const fromContext = stack.node.tryGetContext(PatternDefaults.ALARM_EMAIL_CONTEXT_KEY);
  if (fromContext === undefined || fromContext === '') {
    return undefined;
  }
  validateEmail(`The context key ${PatternDefaults.ALARM_EMAIL_CONTEXT_KEY}`, fromContext);
  const key = `the context key ${PatternDefaults.ALARM_EMAIL_CONTEXT_KEY}`;
  return { value: fromContext, source: `alarmEmail from ${key}`, drop: `drop ${key}` };
}

function recordAlarmTopicSource(pattern: IConstruct, source: AlarmTopicSource): void {
  const stack = Stack.of(pattern);
  const state = ensureStateOf(stack);
  if (!state.patterns) {
    state.patterns = [];
    // Run once the tree is complete: whether the address hears anything depends on every pattern
    // of the stack, and on defaults and context that may be set after this one was created. The
    // list is on the stack, so the first copy of the library to get here checks the patterns of all.
    stack.node.addValidation({ validate: () => validateAlarmEmail(stack) });
  }
  state.patterns.push({ pattern, source });
}

/**
 * The alarm e-mail subscribes the stack's own alarm topic only. Any pattern that notifies a topic
 * of the user's own (its `alarmTopic` prop, or `PatternDefaults.set` with an `alarmTopic` on a
 * scope above it) is one the address never hears about:
 * - when every pattern of the stack does, the stack's topic never gets an alarm (it is not even
 *   created) and the address hears nothing at all: that is an error, the e-mail can only mislead;
 * - when only some do, the address still hears the others, and a topic of one's own for a pattern
 *   or two (a team's, a pager's) is a legitimate choice: a warning on each such pattern, which can
 *   be acknowledged, says which ones it misses.
 */
function validateAlarmEmail(stack: Stack): string[] {
  const email = alarmEmailEntry(stack);
  if (!email) {
    return [];
  }
  // A shared alarm topic lives in a stack of the stage, which sees only what the stage and the app set.
  const stage = Stage.of(stack)!;
  if (operationsScopeOf(stack) === OperationsScope.STAGE && email.scope && !stage.node.scopes.includes(email.scope)) {
    return [`Stack '${stack.node.path}': ${email.source} is never heard: with OperationsScope.STAGE the stack's alarms notify the alarm topic ` +
      `that ${describe(stage)} shares, which subscribes only the alarmEmail set on the stage or the app: set it there instead.`];
  }
  const patterns = stateOf(stack)?.patterns ?? [];
  // A pattern given the stack's own topic (`alarmTopic: PatternDefaults.alarmTopicOf(stack)`) is heard.
  const stackTopic = StackOperations.existingAlarmTopicOf(stack);
  const ownTopics = patterns.filter(({ source }) => source.kind !== 'stack' && source.topic !== stackTopic);
  if (ownTopics.length === 0) {
    return [];
  }
  if (ownTopics.length === patterns.length) {
    return [`Stack '${stack.node.path}': ${email.source} subscribes only the stack's own alarm topic, but every pattern of the stack notifies ` +
      `a topic of your own instead (${describeSources(ownTopics)}), so the address would hear nothing: ` +
      `subscribe it to your topic (topic.addSubscription(...)) and ${email.drop}, or drop alarmTopic.`];
  }
  for (const { pattern, source } of ownTopics) {
    Annotations.of(pattern).addWarningV2(EMAIL_MISSES_PATTERN_WARNING,
      `${pattern.constructor.name} '${pattern.node.path}' notifies a topic of your own (${describeSources([{ pattern, source }])}), not the stack's ` +
      `alarm topic that ${email.source} subscribes, so the address hears none of its alarms: subscribe it to that topic too ` +
      '(topic.addSubscription(...)) if it should.');
  }
  return [];
}

/** Where the user's topics came from: `alarmTopic from PatternDefaults.set('S')`, `the alarmTopic prop of 'S/Jobs'`. */
function describeSources(patterns: Array<{ readonly pattern: IConstruct; readonly source: AlarmTopicSource }>): string {
  const fromDefaults = new Set<IConstruct>();
  const fromProps: string[] = [];
  for (const { pattern, source } of patterns) {
    if (source.kind === 'defaults') {
      fromDefaults.add(source.scope);
    } else if (source.kind === 'prop') {
      fromProps.push(`'${pattern.node.path}'`);
    }
  }
  return [
    ...[...fromDefaults].map((scope) => `alarmTopic from PatternDefaults.set(${describe(scope)})`),
    ...(fromProps.length > 0 ? [`the alarmTopic prop of ${fromProps.join(', ')}`] : []),
  ].join('; ');
}

function nearest<K extends keyof PatternDefaultsProps>(scope: IConstruct, field: K): PatternDefaultsProps[K] | undefined {
  return nearestEntry(scope, field)?.value;
}

function nearestEntry<K extends keyof PatternDefaultsProps>(scope: IConstruct, field: K):
{ readonly value: NonNullable<PatternDefaultsProps[K]>; readonly scope: IConstruct } | undefined {
  for (const ancestor of [...scope.node.scopes].reverse()) {
    const value = stateOf(ancestor)?.defaults?.[field];
    if (value !== undefined) {
      return { value: value as NonNullable<PatternDefaultsProps[K]>, scope: ancestor };
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
  if (Token.isUnresolved(value)) {
    throw new Error(`${what} is a token, only known at deploy time; it must be a value known at synth: `
      + 'it decides what the stack keeps on delete, its high availability and its web ACLs.');
  }
  if (value !== undefined && !(Object.values(DeploymentStage) as unknown[]).includes(value)) {
    throw new Error(`${what} is ${JSON.stringify(value)}; it must be one of DeploymentStage's values: ${Object.values(DeploymentStage).map((v) => `'${v}'`).join(', ')}.`);
  }
}

/** Operations from untyped configuration: only the enum's own values, known at synth. */
function validateOperations(what: string, value: unknown): void {
  const allowed = Object.values(OperationsScope).map((v) => `'${v}'`).join(', ');
  if (Token.isUnresolved(value)) {
    throw new Error(`${what} is a token, only known at deploy time; it must be one of OperationsScope's values, known at synth: ${allowed}.`);
  }
  if (value !== undefined && !(Object.values(OperationsScope) as unknown[]).includes(value)) {
    throw new Error(`${what} is ${JSON.stringify(value)}; it must be one of OperationsScope's values: ${allowed}.`);
  }
}

/** A prefix of stack ids from untyped configuration: what CloudFormation allows in a stack name, known at synth. */
function validateOperationsStackPrefix(what: string, value: unknown): void {
  if (value === undefined) {
    return;
  }
  if (Token.isUnresolved(value) || typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,31}$/.test(value)) {
    throw new Error(`${what} is ${Token.isUnresolved(value) ? 'a token, only known at deploy time' : JSON.stringify(value)}; it must be 1 to 32 letters, `
      + 'digits and hyphens, starting with a letter, known at synth: it starts the names of the stacks OperationsScope.STAGE adds.');
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
