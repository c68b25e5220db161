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
  readonly problem: (properties: any, context: CheckContext) => string | undefined;
}

/** What a check may need of the rest of the template. */
interface CheckContext {
  readonly logicalId: string;
  /** Alarms something else in the template acts on, by logical id: see `alarmsActedOn`. */
  readonly alarmsActedOn: ReadonlySet<string>;
}

const CHECKS: readonly Check[] = [
  {
    // An alarm nobody hears is an outage found by customers. cdk-nag's CloudWatchAlarmAction is
    // only in the NIST, HIPAA and PCI packs, not in AwsSolutions. An alarm without actions of its
    // own is heard all the same when a composite alarm's rule reads it (the composite acts), or a
    // CodeDeploy deployment group rolls back on it.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html
    // https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-create-alarms.html
    name: 'AlarmWithoutAction',
    types: ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'],
    fails: true,
    problem: (p, { logicalId, alarmsActedOn }) => (notifiesNobody(p) && !alarmsActedOn.has(logicalId)
      ? 'The alarm tells nobody when it fires: add an action (an SNS topic, say) to AlarmActions and leave ActionsEnabled on, '
        + 'or read it in a composite alarm or a CodeDeploy deployment group that acts on it.'
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
    // A serverless cache is always encrypted at rest, with ElastiCache's default (service managed)
    // key unless KmsKeyId names one; cdk-nag's ElastiCache rules read only node-based clusters.
    // Unlike DynamoDBGlobalTableCMK, this fails the report, by judgement rather than by a difference
    // in the encryption: a cache often holds session tokens and personal data copied out of the
    // system of record, and ElastiCache logs no data access to CloudTrail (DynamoDB can, with data
    // events), so a key of your own, which you can audit and disable, is the only control you keep
    // over that copy.
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
  const alarmsActedOn = alarmsActedOnIn(template);
  return CHECKS.flatMap((check) => resources
    .filter(([, resource]) => check.types.includes(resource.Type))
    .flatMap(([logicalId, resource]) => {
      const message = check.problem(resource.Properties ?? {}, { logicalId, alarmsActedOn });
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
 * The alarms (and composite alarms) of a template that something else in it acts on, by logical id:
 * those a composite alarm's AlarmRule reads, and those a CodeDeploy deployment group's enabled
 * AlarmConfiguration names. A reference is a `{ Ref }`, an `{ Fn::GetAtt }` (either form), a
 * `${Id}` or `${Id.Arn}` in an `Fn::Sub`, or the alarm's literal AlarmName in the rule or the list.
 */
function alarmsActedOnIn(template: Template): Set<string> {
  const resources = Object.entries(template.Resources ?? {});
  const alarms = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm');
  const readers = resources.flatMap(([, r]) => {
    if (r.Type === 'AWS::CloudWatch::CompositeAlarm') {
      return [r.Properties?.AlarmRule];
    }
    const config = r.Properties?.AlarmConfiguration;
    return r.Type === 'AWS::CodeDeploy::DeploymentGroup' && config?.Enabled !== false ? [config?.Alarms] : [];
  });
  const ids = new Set<string>();
  const texts: string[] = [];
  readers.forEach((value) => collectReferences(value, ids, texts));
  const text = texts.join('\n');
  return new Set(alarms
    .filter(([id, r]) => {
      const name = r.Properties?.AlarmName;
      return ids.has(id) || (typeof name === 'string' && name !== '' && new RegExp(`(^|[("\\s])${escapeRegExp(name)}($|[)"\\s])`, 'm').test(text));
    })
    .map(([id]) => id));
}

/** Gathers the logical ids a value references, and its literal strings, at any depth. */
function collectReferences(value: unknown, ids: Set<string>, texts: string[]): void {
  if (typeof value === 'string') {
    texts.push(value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item) => collectReferences(item, ids, texts));
    return;
  }
  if (value === null || typeof value !== 'object') {
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') {
      ids.add(inner);
    } else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(inner) ? inner[0] : typeof inner === 'string' ? inner.split('.')[0] : undefined;
      if (typeof target === 'string') ids.add(target);
    } else if (key === 'Fn::Sub') {
      const [body, variables] = Array.isArray(inner) ? inner : [inner, undefined];
      if (typeof body === 'string') {
        for (const match of body.matchAll(/\$\{([^}!.]+)(\.[^}]*)?\}/g)) ids.add(match[1]);
        texts.push(body);
      }
      collectReferences(variables, ids, texts);
    } else {
      collectReferences(inner, ids, texts);
    }
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
