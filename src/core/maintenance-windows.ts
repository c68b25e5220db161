import { Token } from 'aws-cdk-lib';
import { PropValidator } from './prop-validator';

/** RDS's shortest backup and maintenance window. */
export const MIN_WINDOW_MINUTES = 30;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_A_DAY = 24 * 60;
export const MINUTES_A_WEEK = 7 * MINUTES_A_DAY;

/** Minutes of the week, Monday 00:00 UTC being 0, as a [start, end) pair. */
export type WeeklySpan = [number, number];

/** The minutes of the week a window covers, as [start, end) pairs, split at the week's end. */
export function weeklyIntervals(start: number, length: number): WeeklySpan[] {
  const end = start + length;
  return end <= MINUTES_A_WEEK ? [[start, end]] : [[start, MINUTES_A_WEEK], [0, end - MINUTES_A_WEEK]];
}

/** The minutes since midnight of `hh` and `mm`; NaN past 23:59. */
function clock(h: string, m: string): number {
  return Number(h) < 24 && Number(m) < 60 ? Number(h) * 60 + Number(m) : NaN;
}

/**
 * The minutes of the week a daily backup window `hh24:mi-hh24:mi` covers, on each of the seven
 * days (one that passes midnight runs into the next day, Sunday's into Monday's); undefined when
 * the window is malformed or shorter than `minMinutes`.
 */
export function dailyWindowSpans(window: string, minMinutes = MIN_WINDOW_MINUTES): WeeklySpan[] | undefined {
  const daily = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(window);
  const from = daily ? clock(daily[1], daily[2]) : NaN;
  const to = daily ? clock(daily[3], daily[4]) : NaN;
  const length = (to - from + MINUTES_A_DAY) % MINUTES_A_DAY;
  if (Number.isNaN(length) || length < minMinutes) {
    return undefined;
  }
  return DAYS.flatMap((_, day) => weeklyIntervals(day * MINUTES_A_DAY + from, length));
}

/**
 * The minutes of the week a weekly maintenance window `ddd:hh24:mi-ddd:hh24:mi` covers (one that
 * passes Sunday midnight runs into Monday); undefined when the window is malformed or shorter than
 * `minMinutes`.
 */
export function weeklyWindowSpans(window: string, minMinutes = MIN_WINDOW_MINUTES): WeeklySpan[] | undefined {
  const weekly = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/i.exec(window);
  const startDay = weekly ? DAYS.indexOf(weekly[1].toLowerCase()) : -1;
  const endDay = weekly ? DAYS.indexOf(weekly[4].toLowerCase()) : -1;
  const from = startDay * MINUTES_A_DAY + (weekly ? clock(weekly[2], weekly[3]) : NaN);
  const to = endDay * MINUTES_A_DAY + (weekly ? clock(weekly[5], weekly[6]) : NaN);
  const length = (to - from + MINUTES_A_WEEK) % MINUTES_A_WEEK;
  if (startDay < 0 || endDay < 0 || Number.isNaN(length) || length < minMinutes) {
    return undefined;
  }
  return weeklyIntervals(from, length);
}

/** Whether two sets of [start, end) spans share a minute. */
export function spansOverlap(first: WeeklySpan[], second: WeeklySpan[]): boolean {
  return first.some(([a, b]) => second.some(([c, d]) => a < d && c < b));
}

/** How a service names and bounds its two windows, for `validateWindows`'s messages. */
export interface WindowRules {
  /** The daily window's prop: `preferredBackupWindow`. */
  readonly dailyProp: string;
  /** What the daily window is for, in the overlap message: `backup`. */
  readonly dailyWhat: string;
  /** The weekly window's prop: `preferredMaintenanceWindow`. */
  readonly weeklyProp: string;
  /** The shortest window the service accepts, in minutes. */
  readonly minMinutes: number;
}

/** RDS's windows (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html). */
export const RDS_WINDOWS: WindowRules = {
  dailyProp: 'preferredBackupWindow', dailyWhat: 'backup', weeklyProp: 'preferredMaintenanceWindow', minMinutes: MIN_WINDOW_MINUTES,
};

/**
 * Checks the daily (backup or snapshot) window and the weekly maintenance window, each
 * well-formed and at least as long as the service requires, and apart. For RDS: "Must not conflict
 * with the preferred backup window", "Must be at least 30 minutes" (PreferredMaintenanceWindow of
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html). A window
 * from a token is only known at deploy time and is not checked.
 */
export function validateWindows(validator: PropValidator, dailyWindow: string, maintenanceWindow: string, rules: WindowRules = RDS_WINDOWS): void {
  let dailySpans: WeeklySpan[] | undefined;
  let maintenanceSpans: WeeklySpan[] | undefined;
  if (!Token.isUnresolved(dailyWindow)) {
    dailySpans = dailyWindowSpans(dailyWindow, rules.minMinutes);
    validator.check(dailySpans !== undefined, rules.dailyProp, dailyWindow,
      `a daily UTC window hh24:mi-hh24:mi of at least ${rules.minMinutes} minutes, such as 03:00-04:00`);
  }
  if (!Token.isUnresolved(maintenanceWindow)) {
    maintenanceSpans = weeklyWindowSpans(maintenanceWindow, rules.minMinutes);
    validator.check(maintenanceSpans !== undefined, rules.weeklyProp, maintenanceWindow,
      `a weekly UTC window ddd:hh24:mi-ddd:hh24:mi of at least ${rules.minMinutes} minutes, such as sun:05:00-sun:06:00`);
  }
  if (dailySpans && maintenanceSpans) {
    validator.check(!spansOverlap(dailySpans, maintenanceSpans), rules.weeklyProp, maintenanceWindow,
      `a window that does not overlap the ${rules.dailyWhat} window (${dailyWindow})`);
  }
}
