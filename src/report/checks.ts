/**
 * The report's own checks: problems in a template that cdk-nag's AwsSolutions pack has no rule
 * for. Each has a stable id, says in one sentence what is wrong and what to set, and either fails
 * the report or is only reported.
 *
 * A boolean property counts as on only when it is the literal `true`: a token or intrinsic (an
 * object such as `{ Ref }` or `{ 'Fn::If': ... }`) cannot be read at synth time, so it is treated
 * as off, and the finding asks for the literal value.
 */
import { CheckFinding, Template, TemplateResource } from './model';

const PREFIX = 'BestPracticePatterns-';

/** One check: the resource types it reads, and the problem it finds in a resource, if any. */
interface Check {
  readonly name: string;
  readonly types: readonly string[];
  readonly fails: boolean;
  /** The one-sentence message when the resource has the problem, else undefined. */
  readonly problem: (properties: any) => string | undefined;
}

const CHECKS: readonly Check[] = [
  {
    // An alarm nobody hears is an outage found by customers. cdk-nag's CloudWatchAlarmAction is
    // only in the NIST, HIPAA and PCI packs, not in AwsSolutions.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    name: 'AlarmWithoutAction',
    types: ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'],
    fails: true,
    problem: (p) => (notifiesNobody(p)
      ? 'The alarm tells nobody when it fires: add an action (an SNS topic, say) to AlarmActions and leave ActionsEnabled on.'
      : undefined),
  },
  {
    // Without a retention, CloudWatch Logs keeps (and bills for) every event forever. cdk-nag's
    // CloudWatchLogGroupRetentionPeriod is only in the NIST, HIPAA and PCI packs.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
    name: 'LogGroupRetention',
    types: ['AWS::Logs::LogGroup'],
    fails: false,
    problem: (p) => (p.RetentionInDays === undefined
      ? 'The log group keeps its logs, and bills for them, forever: set RetentionInDays.'
      : undefined),
  },
  {
    // Point-in-time recovery restores a table to any second of the last 35 days, after a bad write
    // or delete. cdk-nag's DynamoDBPITREnabled reads only AWS::DynamoDB::Table, not the global
    // tables TableV2 creates, whose setting is per replica.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-globaltable-replicaspecification.html
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
    name: 'DynamoDBGlobalTablePITR',
    types: ['AWS::DynamoDB::GlobalTable'],
    fails: true,
    problem: (p) => replicaProblem(p, (r) => isTrue(r.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled),
      'point-in-time recovery is off', 'set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled to true on every replica'),
  },
  {
    // Deletion protection refuses a DeleteTable, from a stack update that replaces or removes the
    // table as much as from a person. cdk-nag has no rule for it, on tables or global tables.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
    name: 'DynamoDBGlobalTableDeletionProtection',
    types: ['AWS::DynamoDB::GlobalTable'],
    fails: true,
    problem: (p) => replicaProblem(p, (r) => isTrue(r.DeletionProtectionEnabled),
      'deletion protection is off', 'set DeletionProtectionEnabled to true on every replica'),
  },
  {
    // A customer managed key, unlike the AWS owned key used by default, can be audited in
    // CloudTrail and disabled to cut off access to the data; the table is encrypted at rest either
    // way. cdk-nag has no rule for global tables (nor a key rule for tables), and since the data is
    // encrypted regardless, the finding is reported rather than failing the report.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-globaltable-ssespecification.html
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
    name: 'DynamoDBGlobalTableCMK',
    types: ['AWS::DynamoDB::GlobalTable'],
    fails: false,
    problem: (p) => (isTrue(p.SSESpecification?.SSEEnabled)
      ? replicaProblem(p, (r) => hasValue(r.SSESpecification?.KMSMasterKeyId),
        'data is encrypted with an AWS managed key', 'set SSESpecification.KMSMasterKeyId to a customer managed key on every replica')
      : 'The global table is encrypted with an AWS owned key: set SSESpecification.SSEEnabled to true, SSEType to KMS and a customer managed key in each replica\'s SSESpecification.KMSMasterKeyId.'),
  },
  {
    // The same reason for a serverless cache, always encrypted at rest, with ElastiCache's default
    // (service managed) key unless KmsKeyId names one. cdk-nag's ElastiCache rules read only
    // node-based clusters.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-serverlesscache.html
    // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html
    name: 'ElastiCacheServerlessCMK',
    types: ['AWS::ElastiCache::ServerlessCache'],
    fails: true,
    problem: (p) => (hasValue(p.KmsKeyId)
      ? undefined
      : 'The serverless cache is encrypted with ElastiCache\'s default key, not one you control: set KmsKeyId to a customer managed KMS key.'),
  },
];

/** The problems the report's own checks find in a template, check by check, in template order. */
export function ownChecks(template: Template): CheckFinding[] {
  const resources = Object.entries(template.Resources ?? {});
  return CHECKS.flatMap((check) => resources
    .filter(([, resource]) => check.types.includes(resource.Type))
    .flatMap(([logicalId, resource]) => {
      const message = check.problem(resource.Properties ?? {});
      return message === undefined ? [] : [{
        check: PREFIX + check.name,
        logicalId,
        resource: constructPath(resource) ?? logicalId,
        message,
        fails: check.fails,
      }];
    }));
}

/** The resource's construct path, from the `aws:cdk:path` metadata the CDK writes unless told not to. */
function constructPath(resource: TemplateResource): string | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : undefined;
}

/** Only the literal `true` is on: a token cannot be read at synth time. */
const isTrue = (value: unknown) => value === true;

/** Whether a property is set to something, a literal or a token (a key's `{ Ref }`, say). */
const hasValue = (value: unknown) => value !== undefined && value !== null && value !== '';

/**
 * An alarm whose state changes reach no one: no alarm action, or its actions not enabled (they are
 * when ActionsEnabled is left out; a token for it counts as off). A token for the list of actions
 * (an `Fn::If`, say) cannot be read either, and counts as none.
 */
function notifiesNobody(properties: any): boolean {
  const actions = properties.AlarmActions;
  const enabled = properties.ActionsEnabled === undefined || isTrue(properties.ActionsEnabled);
  return !(Array.isArray(actions) && actions.length > 0) || !enabled;
}

/**
 * The message for a global table some of whose replicas fail `ok`, naming their regions; undefined
 * when every replica passes. A table whose replica list is a token has no replica known to pass.
 */
function replicaProblem(properties: any, ok: (replica: any) => boolean, what: string, fix: string): string | undefined {
  const replicas: any[] = Array.isArray(properties.Replicas) ? properties.Replicas : [];
  const failing = replicas.filter((r) => !ok(r ?? {}));
  if (replicas.length > 0 && failing.length === 0) {
    return undefined;
  }
  if (failing.length === 0) {
    return `The global table's replicas are a token, so none is known to pass (${what}, as far as the template shows): ${fix}.`;
  }
  return `On the global table's replicas in ${failing.map((r) => regionName(r?.Region)).join(', ')}, ${what}: ${fix}.`;
}

/** A replica's region as written, or what its token stands for. */
function regionName(region: unknown): string {
  if (typeof region === 'string') {
    return region;
  }
  return (region as any)?.Ref === 'AWS::Region' ? "the stack's region" : 'a region given by a token';
}
