import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';

/**
 * Collects every invalid prop of one construct, so a user fixes them all in one go instead of
 * meeting them one synth at a time.
 *
 * Values that are unresolved tokens are skipped: they are only known at deploy time. A prop whose
 * value decides what the construct creates refuses a token with `knownAtSynth`, which says why.
 */
export class PropValidator {
  private readonly errors: string[] = [];

  /**
   * @param constructName how the error message names the construct, e.g. `MultiAzVpc 'Network'`
   */
  constructor(private readonly constructName: string) {}

  /**
   * Records an error when a number is not a whole number from `min` to `max`.
   */
  public integerInRange(prop: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(prop, value, `a whole number from ${min} to ${max}`);
    }
  }

  /**
   * Records an error when a number is not a whole number of at least `min`, for limits with no
   * upper bound of their own.
   */
  public integerAtLeast(prop: string, value: number | undefined, min: number): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    if (!Number.isInteger(value) || value < min) {
      this.fail(prop, value, `a whole number of at least ${min}`);
    }
  }

  /**
   * Records the errors of a capacity range: `minCapacity` and `maxCapacity` whole numbers of at
   * least 1, the maximum at least the minimum. A service never scales to nothing.
   */
  public capacityRange(minCapacity: number, maxCapacity: number): void {
    this.integerAtLeast('minCapacity', minCapacity, 1);
    this.integerAtLeast('maxCapacity', maxCapacity, 1);
    this.check(Token.isUnresolved(minCapacity) || Token.isUnresolved(maxCapacity) || maxCapacity >= minCapacity,
      'maxCapacity', maxCapacity, `at least minCapacity (${minCapacity})`);
  }

  /**
   * Records an error when a duration is not a whole number of seconds from `minSeconds` to
   * `maxSeconds`, saying the value and the range in the units users think in ('25 hours', 'from
   * 1 minute to 1 day') rather than in seconds.
   *
   * A duration known only at deploy time is not checked, but it must be given in seconds
   * (`Duration.seconds(token)`): the template holds seconds, CloudFormation cannot convert a
   * parameter's minutes, and aws-cdk-lib would throw without naming the prop.
   */
  public secondsInRange(prop: string, value: Duration | undefined, minSeconds: number, maxSeconds: number): void {
    if (value === undefined) {
      return;
    }
    if (value.isUnresolved()) {
      this.tokenInUnit(prop, value.unitLabel(), 'seconds', 'Duration.seconds', 'the template holds seconds');
      return;
    }
    const seconds = value.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
      this.errors.push(`${prop} is ${humanDuration(seconds)}; it must be a whole number of seconds from ${humanDuration(minSeconds)} to ${humanDuration(maxSeconds)}.`);
    }
  }

  /**
   * Records an error when a number is not a percentage: from 0 to 100, or above 0 with
   * `aboveZero` (a utilization alarm at 0% would always fire; an error rate at 0% fires on the
   * first error, which can be what is wanted).
   */
  public percentage(prop: string, value: number | undefined, aboveZero = false): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    const ok = (aboveZero ? value > 0 : value >= 0) && value <= 100;
    this.check(ok, prop, value, aboveZero ? 'a percentage above 0 and at most 100' : 'a percentage from 0 to 100');
  }

  /**
   * Records an error when a size is not above 0 bytes and, when `limit` is given, below it: for an
   * alarm on a metric in bytes (free memory, free storage), which never reaches the capacity it is
   * a part of, so a threshold at or above it fires from the first period. Sizes are said in the
   * largest binary unit that holds them whole ('8 GiB', '512 MiB').
   *
   * A size known only at deploy time is not checked, but it must be given in bytes
   * (`Size.bytes(token)`): the metric is in bytes, CloudFormation cannot convert a parameter's
   * MiB or GiB, and aws-cdk-lib would throw without naming the prop.
   *
   * @param limit the capacity in bytes, and how the message names it: `the 8 GiB of memory of db.m7g.large`
   */
  public bytesBelow(prop: string, value: Size | undefined, limit?: { readonly bytes: number; readonly what: string }): void {
    if (value === undefined) {
      return;
    }
    if (value.isUnresolved()) {
      const unit = /^Size\.(\w+)\(/.exec(value.toString())?.[1] ?? 'another unit';
      this.tokenInUnit(prop, unit, 'bytes', 'Size.bytes', 'the alarm compares bytes');
      return;
    }
    const bytes = value.toBytes({ rounding: SizeRoundingBehavior.NONE });
    this.aboveZeroAndBelow(prop, bytes, humanSize(bytes), limit && { amount: limit.bytes, what: limit.what });
  }

  /**
   * Records an error when a duration is not above 0 and, when `limit` is given, below it: for an
   * alarm on a metric in milliseconds (a p99 duration or latency). Durations are said in the
   * largest unit that holds them whole.
   *
   * A duration known only at deploy time is not checked, but it must be given in milliseconds
   * (`Duration.millis(token)`): the alarm compares milliseconds, CloudFormation cannot convert a
   * parameter's seconds, and aws-cdk-lib would throw without naming the prop.
   *
   * @param limit the bound in milliseconds, and how the message names it: `the timeout (10 seconds)`
   */
  public millisBelow(prop: string, value: Duration | undefined, limit?: { readonly millis: number; readonly what: string }): void {
    if (value === undefined) {
      return;
    }
    if (value.isUnresolved()) {
      this.tokenInUnit(prop, value.unitLabel(), 'millis', 'Duration.millis', 'the alarm compares milliseconds');
      return;
    }
    const millis = value.toMilliseconds({ integral: false });
    this.aboveZeroAndBelow(prop, millis, humanDuration(millis / 1000), limit && { amount: limit.millis, what: limit.what });
  }

  /**
   * A value known only at deploy time must come in the unit the template or the metric holds:
   * CloudFormation cannot convert a parameter, and aws-cdk-lib would throw without naming the prop.
   */
  private tokenInUnit(prop: string, unit: string, expected: string, factory: string, holds: string): void {
    this.check(unit === expected, prop, `a token in ${unit}`,
      `given as ${factory}(...) when only known at deploy time: ${holds}, and CloudFormation cannot convert ${unit}`);
  }

  /** An alarm threshold above 0 and, when the limit is known, below it; `shown` is the amount in words. */
  private aboveZeroAndBelow(prop: string, amount: number, shown: string, limit?: { readonly amount: number; readonly what: string }): void {
    if (amount > 0 && (limit === undefined || Token.isUnresolved(limit.amount) || amount < limit.amount)) {
      return;
    }
    this.errors.push(`${prop} is ${shown}; it must be above 0${limit === undefined ? '' : ` and below ${limit.what}`}.`);
  }

  /**
   * Records an error when a duration is not a whole number of days from `minDays` (to `maxDays`,
   * when given): for the AWS settings counted in days (lifecycle rules, archives, rotation).
   */
  public wholeDays(prop: string, value: Duration | undefined, minDays: number, maxDays?: number): void {
    if (value === undefined || value.isUnresolved()) {
      return;
    }
    const days = value.toHours({ integral: false }) / 24;
    const ok = Number.isInteger(days) && days >= minDays && (maxDays === undefined || days <= maxDays);
    this.check(ok, prop, humanDuration(value.toSeconds({ integral: false })),
      maxDays === undefined ? `a whole number of days, at least ${minDays}` : `a whole number of days from ${minDays} to ${maxDays}`);
  }

  /**
   * Records an error when a duration is not a whole number of minutes from `minMinutes` to
   * `maxMinutes`: for the AWS settings counted in minutes (AWS Backup's start and completion
   * windows), which aws-cdk-lib would refuse without naming the prop.
   */
  public wholeMinutes(prop: string, value: Duration | undefined, minMinutes: number, maxMinutes: number): void {
    if (value === undefined || value.isUnresolved()) {
      return;
    }
    const minutes = value.toMinutes({ integral: false });
    this.check(Number.isInteger(minutes) && minutes >= minMinutes && minutes <= maxMinutes, prop, humanDuration(value.toSeconds({ integral: false })),
      `a whole number of minutes from ${humanDuration(minMinutes * 60)} to ${humanDuration(maxMinutes * 60)}`);
  }

  /**
   * Records an error when `props` holds a prop under a name it no longer has: TypeScript refuses
   * it, but JavaScript, JSON or Python would pass it on and the pattern would ignore it silently.
   *
   * @param props the construct's props, as they came
   * @param oldName the name the prop used to have
   * @param newName its name now, and what it takes, in the message: `errorRate5xxThreshold, a percentage from 0 to 100`
   * @param hint how the old value converts, in the message, if it does: `(a share of 0.05 is 5)`
   */
  public renamed(props: object, oldName: string, newName: string, hint = ''): void {
    const value: unknown = (props as Record<string, unknown>)[oldName];
    const shown = value instanceof Duration ? (value.isUnresolved() ? 'a token' : value.toHumanString()) : value;
    this.check(value === undefined, oldName, shown, `left unset: ${oldName} was renamed ${newName}${hint ? ` ${hint}` : ''}`);
  }

  /**
   * Records an error when a value is not one of an enum's values: a prop typed as an enum still
   * receives anything from JavaScript, JSON or `cdk.json`, and a value no branch expects would
   * silently take whichever branch does not compare it. Unresolved tokens are skipped.
   *
   * @param prop the prop's name
   * @param value the value given, or undefined
   * @param values the enum object (`cloudfront.PriceClass`), whose values (string or number) are allowed
   * @param enumName how the message names the enum, e.g. `cloudfront.PriceClass`
   */
  public oneOf(prop: string, value: unknown, values: object, enumName: string): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    const allowed = enumValues(values);
    if (!allowed.includes(value as string | number)) {
      this.fail(prop, value, `one of ${enumName}'s values: ${allowed.map((v) => describe(v)).join(', ')}`);
    }
  }

  /**
   * Records an error when a prop that decides what the construct creates (which engine, which kind
   * of workflow) is an unresolved token: its value must be known at synth.
   *
   * @param why what the prop decides, in the message: `it decides the engine's parameters, port and logs`
   */
  public knownAtSynth(prop: string, value: unknown, why: string): void {
    if (value instanceof Duration ? value.isUnresolved() : value !== undefined && Token.isUnresolved(value)) {
      this.errors.push(`${prop} is a token, only known at deploy time; it must be a value known at synth: ${why}.`);
    }
  }

  /**
   * Records an error for `prop` unless `ok` holds. Use it for relationships between props, and
   * pass the values the rule is about so the message can name them.
   */
  public check(ok: boolean, prop: string, value: unknown, allowed: string): void {
    if (!ok) {
      this.fail(prop, value, allowed);
    }
  }

  /**
   * Records an error unless exactly one of `props` is set, naming the props and those that were
   * given: props that offer alternatives, such as a function or the code to create one.
   *
   * @param props each prop's name and value; a value that is not undefined counts as given
   * @param purpose what the props are for, in the message's parentheses
   */
  public exactlyOne(props: { [prop: string]: unknown }, purpose?: string): void {
    const names = Object.keys(props);
    const given = names.filter((name) => props[name] !== undefined);
    if (given.length === 1) {
      return;
    }
    const which = given.length === 0 ? 'none was given' : `${listOf(given)} were ${given.length === 2 ? 'both' : 'all'} given`;
    this.errors.push(`exactly one of ${listOf(names)} must be given${purpose ? ` (${purpose})` : ''}; ${which}.`);
  }

  /**
   * Throws one error listing every recorded problem, or does nothing when there is none.
   */
  public throwIfInvalid(): void {
    if (this.errors.length === 0) {
      return;
    }
    const count = this.errors.length === 1 ? '1 invalid prop' : `${this.errors.length} invalid props`;
    throw new Error(`${this.constructName} has ${count}:\n${this.errors.map((e) => `  - ${e}`).join('\n')}`);
  }

  private fail(prop: string, value: unknown, allowed: string): void {
    this.errors.push(`${prop} is ${describe(value)}; it must be ${allowed}.`);
  }
}

/**
 * The values of an enum object: a string enum's values, or a numeric enum's numbers (TypeScript
 * adds their names as reverse keys, which are not values).
 */
function enumValues(values: object): Array<string | number> {
  const all = Object.values(values) as Array<string | number>;
  const numbers = all.filter((v) => typeof v === 'number');
  return numbers.length > 0 ? numbers : all;
}

/**
 * A number of seconds in the largest unit that holds it whole: '25 hours', '90 seconds',
 * '0.5 seconds', '1 day'.
 */
function humanDuration(seconds: number): string {
  const units: Array<[string, number]> = [['day', 86400], ['hour', 3600], ['minute', 60]];
  const [unit, size] = units.find(([, s]) => seconds >= s && Number.isInteger(seconds / s)) ?? ['second', 1];
  const amount = seconds / size;
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * A number of bytes in the largest binary unit that holds it whole: '8 GiB', '512 MiB', '1000 bytes'.
 */
export function humanSize(bytes: number): string {
  const units: Array<[string, number]> = [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]];
  const [unit, size] = units.find(([, s]) => bytes >= s && Number.isInteger(bytes / s)) ?? [bytes === 1 ? 'byte' : 'bytes', 1];
  return `${bytes / size} ${unit}`;
}

/** 'a', 'a and b', 'a, b and c'. */
function listOf(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'unset';
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  return JSON.stringify(value) ?? String(value);
}
