import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PatternProps } from '../../core/pattern-props';

/**
 * The backup, maintenance and retention settings of the SQL database patterns
 * (RelationalDatabase, AuroraDatabase), the same on both.
 */
export interface DatabaseMaintenanceProps extends PatternProps {
  /**
   * How long automated backups (point-in-time recovery) are kept, from 1 to 35 days. A token must
   * be in days: `Duration.days(token)`.
   *
   * @default - 14 days in PROD, 1 day in DEV; with a HardenedBackupPlan that backs up continuously,
   * its `dailyRetention`, since AWS Backup then manages the automated backups and sets their
   * retention to its rule's
   */
  readonly backupRetention?: Duration;

  /**
   * The daily backup window in UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping the
   * maintenance window.
   *
   * @default '03:00-04:00'
   */
  readonly preferredBackupWindow?: string;

  /**
   * The weekly maintenance window in UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes, not
   * overlapping the backup window.
   *
   * @default 'sun:05:00-sun:06:00'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Whether the database can be deleted only after this is turned off.
   *
   * @default - true in PROD, false in DEV
   */
  readonly deletionProtection?: boolean;

  /**
   * How long the database's exported logs are kept.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;
}
