import { Lazy } from 'aws-cdk-lib';
import {
  dailyWindowSpans, MINUTES_A_WEEK, RDS_WINDOWS, spansOverlap, validateWindows, weeklyIntervals, weeklyWindowSpans, WindowRules,
} from '../../src/core/maintenance-windows';
import { PropValidator } from '../../src/core/prop-validator';

const DAY = 24 * 60;

/** The errors validateWindows records, one a line; empty when the windows are valid. */
function windowErrors(backupWindow: string, maintenanceWindow: string, rules?: WindowRules): string[] {
  const validator = new PropValidator("RelationalDatabase 'Database'");
  validateWindows(validator, backupWindow, maintenanceWindow, rules);
  try {
    validator.throwIfInvalid();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, ''));
  }
}

describe('weeklyIntervals', () => {
  test('a window inside the week is one span', () => {
    expect(weeklyIntervals(5 * DAY, 60)).toEqual([[5 * DAY, 5 * DAY + 60]]);
  });

  test('a window ending exactly at the end of the week is not split', () => {
    expect(weeklyIntervals(MINUTES_A_WEEK - 30, 30)).toEqual([[MINUTES_A_WEEK - 30, MINUTES_A_WEEK]]);
  });

  test('a window past Sunday midnight is split into the end of the week and the start of Monday', () => {
    expect(weeklyIntervals(MINUTES_A_WEEK - 15, 45)).toEqual([[MINUTES_A_WEEK - 15, MINUTES_A_WEEK], [0, 30]]);
  });
});

describe('dailyWindowSpans', () => {
  test('a daily window covers the same minutes on each of the seven days', () => {
    const spans = dailyWindowSpans('03:00-04:00');
    expect(spans).toHaveLength(7);
    expect(spans).toEqual([0, 1, 2, 3, 4, 5, 6].map((day) => [day * DAY + 180, day * DAY + 240]));
  });

  test("a window past midnight runs into the next day, and Sunday's into Monday's", () => {
    const spans = dailyWindowSpans('23:45-00:15')!;
    expect(spans).toContainEqual([23 * 60 + 45, DAY + 15]);
    expect(spans).toContainEqual([6 * DAY + 23 * 60 + 45, MINUTES_A_WEEK]);
    expect(spans).toContainEqual([0, 15]);
  });

  test.each([
    ['03:00-03:29', 'shorter than 30 minutes'],
    ['03:00-03:00', 'empty'],
    ['24:00-01:00', 'an hour past 23'],
    ['03:60-05:00', 'a minute past 59'],
    ['3:00-4:00', 'without leading zeros'],
    ['mon:03:00-mon:04:00', 'weekly'],
  ])('%s is no daily window (%s)', (window) => {
    expect(dailyWindowSpans(window)).toBeUndefined();
  });

  test('exactly 30 minutes is enough', () => {
    expect(dailyWindowSpans('03:00-03:30')).toHaveLength(7);
  });
});

describe('weeklyWindowSpans', () => {
  test('a weekly window is one span, its days in any case', () => {
    expect(weeklyWindowSpans('Tue:04:00-TUE:04:30')).toEqual([[DAY + 240, DAY + 270]]);
  });

  test('a window from Sunday into Monday wraps the week', () => {
    expect(weeklyWindowSpans('sun:23:30-mon:00:30')).toEqual([[6 * DAY + 23 * 60 + 30, MINUTES_A_WEEK], [0, 30]]);
  });

  test('a window whose end day is before its start day runs through the week end', () => {
    expect(weeklyWindowSpans('sat:22:00-mon:01:00')).toEqual([[5 * DAY + 22 * 60, MINUTES_A_WEEK], [0, 60]]);
  });

  test.each([
    ['sun:05:00-sun:05:29', 'shorter than 30 minutes'],
    ['sun:05:00-sun:05:00', 'empty'],
    ['xyz:05:00-sun:06:00', 'an unknown day'],
    ['sun:24:00-mon:01:00', 'an hour past 23'],
    ['05:00-06:00', 'daily'],
  ])('%s is no weekly window (%s)', (window) => {
    expect(weeklyWindowSpans(window)).toBeUndefined();
  });
});

describe('spansOverlap', () => {
  test('spans that share a minute overlap', () => {
    expect(spansOverlap([[0, 60]], [[59, 120]])).toBe(true);
  });

  test('spans that only touch do not: the end minute is not in the span', () => {
    expect(spansOverlap([[0, 60]], [[60, 120]])).toBe(false);
    expect(spansOverlap([[60, 120]], [[0, 60]])).toBe(false);
  });
});

describe('validateWindows', () => {
  test('the defaults are valid and apart', () => {
    expect(windowErrors('03:00-04:00', 'sun:05:00-sun:06:00')).toEqual([]);
  });

  test('a maintenance window starting when the backup window ends is valid', () => {
    expect(windowErrors('03:00-04:00', 'wed:04:00-wed:04:30')).toEqual([]);
  });

  test("Sunday's backup window running past midnight overlaps a Monday maintenance window across the week's end", () => {
    expect(windowErrors('23:45-00:30', 'mon:00:00-mon:00:30')).toEqual([
      "preferredMaintenanceWindow is 'mon:00:00-mon:00:30'; it must be a window that does not overlap the backup window (23:45-00:30).",
    ]);
  });

  test("a maintenance window wrapping the week's end overlaps Monday's backup window", () => {
    expect(windowErrors('00:00-00:30', 'sun:23:30-mon:00:15')).toEqual([
      "preferredMaintenanceWindow is 'sun:23:30-mon:00:15'; it must be a window that does not overlap the backup window (00:00-00:30).",
    ]);
  });

  test("a maintenance window wrapping the week's end apart from the backup window is valid", () => {
    expect(windowErrors('03:00-04:00', 'sun:23:30-mon:00:30')).toEqual([]);
  });

  test('a malformed backup window is refused naming the prop, the value and the form', () => {
    expect(windowErrors('03:00-03:15', 'sun:05:00-sun:06:00')).toEqual([
      "preferredBackupWindow is '03:00-03:15'; it must be a daily UTC window hh24:mi-hh24:mi of at least 30 minutes, such as 03:00-04:00.",
    ]);
  });

  test('a malformed maintenance window is refused, and no overlap is claimed for it', () => {
    expect(windowErrors('03:00-04:00', 'sunday:03:00-sunday:04:00')).toEqual([
      "preferredMaintenanceWindow is 'sunday:03:00-sunday:04:00'; it must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi "
      + 'of at least 30 minutes, such as sun:05:00-sun:06:00.',
    ]);
  });

  test('windows from tokens are only known at deploy time and are not checked', () => {
    const token = Lazy.string({ produce: () => '03:00-03:01' });
    expect(windowErrors(token, 'sun:03:00-sun:03:01')).toEqual([
      "preferredMaintenanceWindow is 'sun:03:00-sun:03:01'; it must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi "
      + 'of at least 30 minutes, such as sun:05:00-sun:06:00.',
    ]);
    expect(windowErrors('03:00-04:00', Lazy.string({ produce: () => 'sun:03:00-sun:04:00' }))).toEqual([]);
  });
});

describe('validateWindows with the rules of another service', () => {
  /** ElastiCache's: snapshotWindow and maintenanceWindow, each at least 60 minutes. */
  const CACHE: WindowRules = { dailyProp: 'snapshotWindow', dailyWhat: 'snapshot', weeklyProp: 'maintenanceWindow', minMinutes: 60 };

  test("RDS's rules are the default: its prop names and 30 minutes", () => {
    expect(RDS_WINDOWS).toEqual({ dailyProp: 'preferredBackupWindow', dailyWhat: 'backup', weeklyProp: 'preferredMaintenanceWindow', minMinutes: 30 });
    expect(windowErrors('03:00-03:30', 'sun:05:00-sun:05:30', RDS_WINDOWS)).toEqual(windowErrors('03:00-03:30', 'sun:05:00-sun:05:30'));
    expect(windowErrors('03:00-03:30', 'sun:05:00-sun:05:30')).toEqual([]);
  });

  test('windows of exactly the minimum, 60 minutes, are valid', () => {
    expect(windowErrors('03:00-04:00', 'sun:05:00-sun:06:00', CACHE)).toEqual([]);
    expect(windowErrors('23:30-00:30', 'sat:22:30-sat:23:30', CACHE)).toEqual([]);
  });

  test('windows RDS accepts, 30 and 59 minutes, are refused, naming the given props and the 60 minutes', () => {
    expect(windowErrors('03:00-03:30', 'sun:05:00-sun:05:59', CACHE)).toEqual([
      "snapshotWindow is '03:00-03:30'; it must be a daily UTC window hh24:mi-hh24:mi of at least 60 minutes, such as 03:00-04:00.",
      "maintenanceWindow is 'sun:05:00-sun:05:59'; it must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi of at least 60 minutes, such as sun:05:00-sun:06:00.",
    ]);
  });

  test('an overlap names the weekly prop and what the daily window is for', () => {
    expect(windowErrors('03:00-04:00', 'tue:03:30-tue:04:30', CACHE)).toEqual([
      "maintenanceWindow is 'tue:03:30-tue:04:30'; it must be a window that does not overlap the snapshot window (03:00-04:00).",
    ]);
  });

  test("the minimum reaches the spans themselves: 59 minutes is no window at 60, one at RDS's 30", () => {
    expect(dailyWindowSpans('03:00-03:59', 60)).toBeUndefined();
    expect(dailyWindowSpans('03:00-03:59')).toHaveLength(7);
    expect(weeklyWindowSpans('sun:05:00-sun:05:59', 60)).toBeUndefined();
    expect(weeklyWindowSpans('sun:05:00-sun:05:59')).toEqual([[6 * DAY + 300, 6 * DAY + 359]]);
  });
});
