/**
 * What cdk-nag said about an assembly, read from the files each major writes:
 * - cdk-nag 3.x runs as policy-validation plugins: aws-cdk-lib writes every pack that failed, with
 *   its violations, to `validation-report.json`, and records each acknowledgement in the stack's
 *   metadata (`aws:cdk:acknowledged-rules`);
 * - cdk-nag 2.x runs as Aspects: each pack writes `<pack>-<stack>-NagReport.json` (or `.csv`, its
 *   default) beside the templates, a line per rule and resource, acknowledged ones marked
 *   `Suppressed` with their reason; with its reports turned off, only the error and warning
 *   annotations in the stacks' metadata are left, and those are read instead.
 * The packs that ran and found nothing leave no trace in 3.x's report, so `NagPacks.enable` records
 * them in each stack's metadata (`NAG_PACKS_METADATA`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Acknowledgement, Assembly, AssemblyStack, Finding } from './model';
import { NAG_PACKS_METADATA } from '../core/report-metadata';
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';
/**
 * The validation report's own plugin for error annotations (with `@aws-cdk/core:annotationsInValidationReport`):
 * cdk-nag 2.x's errors among them, counted from its reports instead.
 */
const ANNOTATION_PLUGIN = 'Construct Annotations';

/** What cdk-nag said about one stack (its nested stacks included). */
export interface NagResults {
  /** The packs known to have run on the stack, sorted. */
  readonly packs: string[];
  /** Unacknowledged findings. */
  readonly findings: Finding[];
  /** Acknowledged findings, with their reasons. */
  readonly acknowledged: Acknowledgement[];
  /** Packs that failed without reporting a violation (a rule that threw, say): their results are unknown. */
  readonly failedPacks: string[];
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Array<{ ruleName: string; description?: string; violatingConstructs: Array<{ constructPath: string }> }>;
}

interface NagReportLine {
  readonly ruleId: string;
  readonly resourceId: string;
  readonly compliance: string;
  readonly exceptionReason: string;
  readonly ruleInfo: string;
}

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));
const withoutSlash = (constructPath: string) => constructPath.replace(/^\//, '');
/** `AwsSolutions-SQS3` belongs to pack `AwsSolutions`; `NIST.800.53.R5-LambdaConcurrency` to `NIST.800.53.R5`. */
export const packOf = (ruleId: string) => ruleId.split('-')[0];

/** Whether a construct path lies in a stack (a nested stack's resources lie in their parent's). */
export const isInStack = (constructPath: string, stack: AssemblyStack) =>
  constructPath === stack.path || constructPath.startsWith(`${stack.path}/`);

/**
 * The id an acknowledgement was given for: aws-cdk-lib records `Validations.acknowledge` ids with a
 * `<plugin>::` prefix (`Annotation::AwsSolutions-SQS3`, `AwsSolutions::AwsSolutions-SQS3`); the
 * rule's own `[Policy::...]` qualifier stays.
 */
export const acknowledgedRuleId = (recorded: string) => recorded.replace(/^[A-Za-z0-9.]+::/, '');

/** Reads cdk-nag's results for every stack of an assembly. */
export function nagResults(assembly: Assembly): Map<AssemblyStack, NagResults> {
  const reports = validationReports(assembly.directory);
  const v2Lines = nagReportLines(assembly.directory);
  const results = new Map<AssemblyStack, NagResults>();
  for (const stack of assembly.stacks) {
    const findings: Finding[] = [];
    const packs = new Set<string>(recordedPacks(stack));
    const failedPacks: string[] = [];

    for (const report of reports.filter((r) => r.pluginName !== ANNOTATION_PLUGIN)) {
      packs.add(report.pluginName);
      const found = report.violations.flatMap((v) => v.violatingConstructs
        .filter((c) => isInStack(c.constructPath, stack))
        .map((c) => ({ pack: report.pluginName, ruleId: v.ruleName, constructPath: c.constructPath, description: v.description ?? '' })));
      findings.push(...found);
      if (report.conclusion !== 'success' && report.violations.length === 0) {
        failedPacks.push(report.pluginName);
      }
    }

    const ofStack = v2Lines.filter((l) => isInStack(withoutSlash(l.resourceId), stack));
    ofStack.forEach((l) => packs.add(packOf(l.ruleId)));
    findings.push(...ofStack
      .filter((l) => l.compliance === 'Non-Compliant')
      .map((l) => ({ pack: packOf(l.ruleId), ruleId: l.ruleId, constructPath: withoutSlash(l.resourceId), description: l.ruleInfo })));
    if (v2Lines.length === 0) {
      findings.push(...annotatedFindings(stack));
    }
    findings.forEach((f) => packs.add(f.pack));

    // 2.x's reports list each finding its suppressions covered; without them, the acknowledgements
    // given (3.x's, recorded where they were given) are all there is to read.
    const acknowledged = ofStack.length > 0
      ? uniqueAcknowledgements(ofStack.filter((l) => l.compliance === 'Suppressed')
        .map((l) => ({ ruleId: l.ruleId, reason: l.exceptionReason, constructPath: withoutSlash(l.resourceId) })))
      : uniqueAcknowledgements(metadataAcknowledgements(stack));
    acknowledged.filter((a) => /^[A-Za-z0-9.]+-/.test(a.ruleId)).forEach((a) => packs.add(packOf(a.ruleId)));

    results.set(stack, { packs: [...packs].sort(), findings, acknowledged, failedPacks });
  }
  return results;
}

/** The packs `NagPacks.enable` recorded on the stack. */
function recordedPacks(stack: AssemblyStack): string[] {
  return Object.values(stack.metadata).flat()
    .filter((e) => e.type === NAG_PACKS_METADATA)
    .flatMap((e) => (Array.isArray(e.data) ? e.data.map(String) : []));
}

/** cdk-nag 3.x (and any other validation plugin): the report lists only the plugins that did not succeed. */
function validationReports(directory: string): PluginReport[] {
  const file = path.join(directory, 'validation-report.json');
  return fs.existsSync(file) ? (readJson(file).pluginReports ?? []) : [];
}

/** cdk-nag 2.x's reports, in JSON or its default CSV, for every stack of every stage (all written to the top directory). */
function nagReportLines(directory: string): NagReportLine[] {
  const files = fs.readdirSync(directory).filter((f) => /-NagReport\.(json|csv)$/.test(f)).sort();
  // A pack writes the same lines in each format it was asked for: read one format per pack and stack.
  const jsonReports = new Set(files.filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')));
  return files.flatMap((file) => {
    const full = path.join(directory, file);
    if (file.endsWith('.json')) {
      return readJson(full).lines ?? [];
    }
    return jsonReports.has(file.replace(/\.csv$/, '')) ? [] : csvLines(fs.readFileSync(full, 'utf8'));
  });
}

/** cdk-nag 2.x's CSV: a header, then `"Rule ID","Resource ID","Compliance","Exception Reason","Rule Level","Rule Info"`. */
export function csvLines(csv: string): NagReportLine[] {
  return csv.split('\n').slice(1).filter((row) => row.trim()).map((row) => {
    const cells = [...row.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1].replace(/""/g, '"'));
    return { ruleId: cells[0], resourceId: cells[1], compliance: cells[2], exceptionReason: cells[3], ruleInfo: cells[5] ?? '' };
  });
}

/**
 * cdk-nag 2.x with its reports turned off: its errors and warnings are annotations, `<rule>: <info>`.
 * (A warning-level rule is reported as a finding too: the report shows what the packs said.)
 */
function annotatedFindings(stack: AssemblyStack): Finding[] {
  return Object.entries(stack.metadata).flatMap(([constructPath, entries]) => entries
    .filter((e) => (e.type === 'aws:cdk:error' || e.type === 'aws:cdk:warning') && typeof e.data === 'string')
    .flatMap((e) => {
      const match = /^((?:AwsSolutions|Serverless|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+(?:\[[^\]]*\])?): (.*)$/s.exec(e.data);
      return match ? [{ pack: packOf(match[1]), ruleId: match[1], constructPath: withoutSlash(constructPath), description: match[2].split('\n')[0] }] : [];
    }));
}

/** cdk-nag 3.x: the acknowledgements recorded in the stack's metadata, by the scope they were given on. */
function metadataAcknowledgements(stack: AssemblyStack): Acknowledgement[] {
  return Object.entries(stack.metadata).flatMap(([constructPath, entries]) => entries
    .filter((e) => e.type === ACKNOWLEDGED_RULES)
    .flatMap((e) => Object.entries<string>(e.data ?? {}).map(([id, reason]) => ({
      ruleId: acknowledgedRuleId(id),
      reason,
      constructPath: withoutSlash(constructPath),
    }))));
}

function uniqueAcknowledgements(all: Acknowledgement[]): Acknowledgement[] {
  const seen = new Map<string, Acknowledgement>();
  all.forEach((a) => seen.set(`${a.ruleId}\n${a.constructPath}`, seen.get(`${a.ruleId}\n${a.constructPath}`) ?? a));
  return [...seen.values()];
}

/**
 * Whether an acknowledgement covers a resource: given on the resource or on a scope above it (as
 * `Validations.acknowledge` and cdk-nag 2.x's stack and construct suppressions are).
 */
export const acknowledgementCovers = (a: Acknowledgement, ruleId: string, resourcePath: string) =>
  a.ruleId === ruleId && (resourcePath === a.constructPath || resourcePath.startsWith(`${a.constructPath}/`));
