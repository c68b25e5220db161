import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { createPatternAlarm, PatternAlarmOptions } from './alarms';
import { isProduction } from './deployment-stage';
import { withPatternDefaults } from './pattern-defaults';
import { PatternProps } from './pattern-props';
import { PropValidator } from './prop-validator';
import { addDashboardSection, ThroughputGraph } from './stack-operations';

/**
 * What every pattern starts from, so that reading one pattern teaches them all:
 *
 * ```ts
 * constructor(scope: Construct, id: string, props: QueueWithDeadLetterQueueProps = {}) {
 *   super(scope, id);
 *   const prelude = PatternPrelude.start(this, 'QueueWithDeadLetterQueue', props);
 *   props = prelude.props;                   // stage and alarm topic resolved
 *   prelude.validator.integerInRange(...);   // every check, then
 *   prelude.validator.throwIfInvalid();
 *   ... prelude.removalPolicy, prelude.production ...
 *   prelude.alarm('OldestMessageAgeAlarm', { metric, threshold, description });
 *   this.alarms = prelude.alarms;
 *   prelude.dashboard([...graphs]);
 * }
 * ```
 *
 * Internal: it is not part of the library's public API.
 */
export class PatternPrelude<P extends PatternProps> {
  /**
   * Resolves a pattern's props against the app-wide defaults (its stage is checked first: an
   * unknown stage must never become DEV) and prepares its validator, alarms and dashboard section.
   *
   * @param kind the pattern's name, written out rather than read from its class, which a
   * subclass or a minifying bundler would change: it titles the dashboard section and the errors
   */
  public static start<P extends PatternProps>(pattern: IConstruct, kind: string, props: P): PatternPrelude<P> {
    return new PatternPrelude(pattern, kind, withPatternDefaults(pattern, props));
  }

  /** The pattern's props with its stage and alarm topic filled in. */
  public readonly props: P;
  /** Whether the pattern's stage is PROD. */
  public readonly production: boolean;
  /** RETAIN in PROD, so production data is never lost with the stack; DESTROY in DEV. */
  public readonly removalPolicy: RemovalPolicy;
  /** Collects every invalid prop, named after the pattern: `QueueWithDeadLetterQueue 'Stack/Jobs'`. */
  public readonly validator: PropValidator;
  /** The pattern's alarms: those `alarm` creates and any the pattern adds itself. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The pattern's name: the dashboard section's title. */
  public readonly kind: string;

  private constructor(private readonly pattern: IConstruct, kind: string, props: P) {
    this.props = props;
    this.production = isProduction(props.stage);
    this.removalPolicy = this.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.kind = kind;
    this.validator = new PropValidator(`${this.kind} '${pattern.node.path}'`);
  }

  /**
   * Creates one of the pattern's alarms (see `createPatternAlarm`), notifying the pattern's alarm
   * topic, and records it in `alarms`, which the dashboard section shows.
   *
   * @param scope where the alarm is created: the pattern, or a construct inside it that owns the
   * alarm (the load balancer front creates its alarms under itself)
   */
  public alarm(id: string, options: PatternAlarmOptions, scope: IConstruct = this.pattern): cloudwatch.Alarm {
    const alarm = createPatternAlarm(scope, id, options, this.props.alarmTopic);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * Adds the pattern's section to its stack's dashboard: its alarms (read when the dashboard is
   * rendered, so alarms added later show too) and graphs of what flows through it.
   */
  public dashboard(throughput: ThroughputGraph[]): void {
    addDashboardSection(this.pattern, { kind: this.kind, alarms: this.alarms, throughput });
  }
}
