/**
 * What cdk-nag (and any other policy-validation plugin) said about an assembly, read from the files
 * each writes:
 * - cdk-nag 3.x runs as policy-validation plugins: aws-cdk-lib writes each plugin's violations to
 *   `validation-report.json` in the app's top assembly (stages included), and records each
 *   acknowledgement in the stack's metadata (`aws:cdk:acknowledged-rules`);
 * - cdk-nag 2.x runs as Aspects: each pack writes `<pack>-<stack>-NagReport.json` (or `.csv`, its
 *   default) beside the top templates, a line per rule and resource, acknowledged ones marked
 *   `Suppressed` with their reason; with its reports turned off, only the error and warning
 *   annotations in the stacks' metadata are left, and those are read instead.
 * A pack that ran and found nothing leaves no trace in 3.x's report, so `NagPacks.enable` records
 * the packs, and the cdk-nag major, in each stack's metadata (`NAG_PACKS_METADATA`).
 *
 * Every error annotation is read too, cdk-nag's or not: each one fails `cdk synth`, so a report that
 * skipped it would call a broken app clean.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Acknowledgement, Assembly, AssemblyStack, Finding } from './model';
import { NAG_PACKS_METADATA } from '../core/report-metadata';

/** The rule packs cdk-nag ships, as their plugins and rule ids name them. */
const NAG_PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R4', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
/** The id prefix of the report's own checks, acknowledged like a finding but not a cdk-nag one. */
export const CHECK_PREFIX = 'BestPracticePatterns-';
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';
/**
 * The validation report's own plugin for error annotations (with `@aws-cdk/core:annotationsInValidationReport`):
 * the report reads the annotations themselves instead.
 */
const ANNOTATION_PLUGIN = 'Construct Annotations';
const V2_NAG_FINDING = new RegExp(`^((?:${NAG_PACKS.map((p) => p.replace(/\./g, '\\.')).join('|')})-[A-Za-z0-9]+(?:\\[[^\\]]*\\])?): (.*)$`, 's');

/** What the packs and plugins said about one stack (its nested stacks included). */
export interface NagResults {
  /** The cdk-nag packs known to have run on the stack, sorted. */
  readonly packs: string[];
  /** Other validation plugins that reported on the stack (aws-cdk-lib's CloudFormation validation, say). */
  readonly plugins: string[];
  /** Unacknowledged violations that fail the synth (and the report): cdk-nag's and other plugins'. */
  readonly findings: Finding[];
  /** Violations of plugins that succeeded all the same (warning level): reported, never failing. */
  readonly warnings: Finding[];
  /** Acknowledged cdk-nag findings, with their reasons (the report's own checks' are apart). */
  readonly acknowledged: Acknowledgement[];
  /** Packs that could not check something (a rule that threw): their results are incomplete. */
  readonly failedPacks: string[];
  /** Error annotations that are no finding of a pack: each fails `cdk synth`. */
  readonly errors: Finding[];
}

/** What an assembly's packs and plugins said, by stack. */
export interface AssemblyResults {
  readonly byStack: Map<AssemblyStack, NagResults>;
  /** Failing violations no stack could be named for (a plugin gave no construct path). */
  readonly unattributed: Finding[];
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Array<{ ruleName: string; description?: string; violatingConstructs: Array<{ constructPath?: string }> }>;
}

interface NagReportLine {
  readonly ruleId: string;
  readonly resourceId: string;
  readonly compliance: string;
  readonly exceptionReason: string;
  /** `Error` or `Warning`: a warning-level rule's finding is a warning annotation, which fails no synth. */
  readonly ruleLevel?: string;
  readonly ruleInfo: string;
}

interface Recorded {
  readonly packs: string[];
  readonly major?: number;
}

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));
const withoutSlash = (constructPath: string) => constructPath.replace(/^\//, '');
/** `AwsSolutions-SQS3` belongs to pack `AwsSolutions`; `NIST.800.53.R5-LambdaConcurrency` to `NIST.800.53.R5`. */
const packOf = (ruleId: string) => ruleId.split('-')[0];

/** Whether a construct path lies in a stack (a nested stack's resources lie in their parent's). */
const isInStack = (constructPath: string, stack: AssemblyStack) =>
  constructPath === stack.path || constructPath.startsWith(`${stack.path}/`);

/**
 * The id an acknowledgement was given for: aws-cdk-lib records `Validations.acknowledge` ids with a
 * `<plugin>::` prefix (`Annotation::AwsSolutions-SQS3`, `AwsSolutions::AwsSolutions-SQS3`,
 * `CloudFormation-Validate::W3010`); the rule's own `[Policy::...]` qualifier stays.
 */
const acknowledgedRuleId = (recorded: string) => recorded.replace(/^[A-Za-z0-9.-]+::/, '');

/** Reads what the packs and plugins said about every stack of an assembly. */
export function nagResults(assembly: Assembly): AssemblyResults {
  const report = validationReport(assembly.directory);
  const reports = (report ?? []).filter((r) => r.pluginName !== ANNOTATION_PLUGIN);
  const v2Lines = nagReportLines(assembly.directory);
  requireResults(assembly, report !== undefined, v2Lines.length > 0);
  const byStack = new Map<AssemblyStack, NagResults>();
  for (const stack of assembly.stacks) {
    const current = currentResources(stack);
    const lines = v2Lines.filter((l) => isInStack(l.resourceId, stack) && (!current || current.has(l.resourceId)));
    byStack.set(stack, stackResults(stack, reports, lines, v2Lines.length > 0));
  }
  const unattributed = reports.filter((r) => r.conclusion !== 'success').flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs
    .filter((c) => !c.constructPath)
    .map(() => ({ pack: r.pluginName, ruleId: v.ruleName, constructPath: '', description: v.description ?? '' }))));
  return { byStack, unattributed };
}

function stackResults(stack: AssemblyStack, reports: PluginReport[], lines: NagReportLine[], v2Ran: boolean): NagResults {
  const recorded = recordedPacks(stack);
  const packs = new Set<string>(recorded.packs);
  const plugins = new Set<string>();
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  const failedPacks = new Set<string>();

  // A plugin fails the synth by its conclusion: its violations then fail the report too. One that
  // succeeded with violations (aws-cdk-lib's CloudFormation validation, for warnings) only reports.
  for (const report of reports) {
    const ofStack = report.violations.flatMap((v) => v.violatingConstructs
      .filter((c) => c.constructPath && isInStack(c.constructPath, stack))
      .map((c) => ({ pack: report.pluginName, ruleId: v.ruleName, constructPath: c.constructPath!, description: v.description ?? '' })));
    (NAG_PACKS.includes(report.pluginName) ? packs : plugins).add(report.pluginName);
    (report.conclusion === 'success' ? warnings : findings).push(...ofStack);
    if (report.conclusion !== 'success' && report.violations.length === 0) {
      failedPacks.add(report.pluginName);
    }
  }

  lines.forEach((l) => packs.add(packOf(l.ruleId)));
  const nonCompliant = lines.filter((l) => l.compliance === 'Non-Compliant')
    .map((l) => ({
      level: l.ruleLevel,
      finding: { pack: packOf(l.ruleId), ruleId: l.ruleId, constructPath: l.resourceId, description: l.ruleInfo },
    }));
  findings.push(...nonCompliant.filter((n) => n.level !== 'Warning').map((n) => n.finding));
  warnings.push(...nonCompliant.filter((n) => n.level === 'Warning').map((n) => n.finding));
  // A rule that threw on a resource: the pack could not say whether it complies.
  lines.filter((l) => l.compliance === 'UNKNOWN').forEach((l) => failedPacks.add(packOf(l.ruleId)));

  const annotations = errorAnnotations(stack);
  const fromAnnotations = v2Ran ? [] : annotations.filter((a) => V2_NAG_FINDING.test(a.message)).map((a) => {
    const [, ruleId, info] = V2_NAG_FINDING.exec(a.message)!;
    return { pack: packOf(ruleId), ruleId, constructPath: a.constructPath, description: info.split('\n')[0], error: a.error };
  });
  fromAnnotations.forEach((f) => packs.add(f.pack));
  findings.push(...fromAnnotations.filter((f) => f.error).map(({ error: _, ...f }) => f));
  warnings.push(...fromAnnotations.filter((f) => !f.error).map(({ error: _, ...f }) => f));
  // Every other error annotation: 2.x's findings (already counted from its reports), or anything else.
  const counted = (a: { message: string; constructPath: string }) =>
    findings.some((f) => f.constructPath === a.constructPath && a.message.startsWith(`${f.ruleId}:`));
  const errors = annotations.filter((a) => a.error && !counted(a))
    .map((a) => ({ pack: 'error annotation', ruleId: 'error', constructPath: a.constructPath, description: a.message.split('\n')[0] }));

  // 2.x's reports list each finding its suppressions covered; without them, the acknowledgements
  // given (3.x's, recorded on the scope they were given on) are all there is to read.
  const acknowledged = (lines.length > 0
    ? lines.filter((l) => l.compliance === 'Suppressed').map((l) => ({ ruleId: l.ruleId, reason: l.exceptionReason, constructPath: l.resourceId }))
    : metadataAcknowledgements(stack)).filter((a) => !a.ruleId.startsWith(CHECK_PREFIX));

  return {
    packs: [...packs].sort(),
    plugins: [...plugins].sort(),
    findings,
    warnings,
    acknowledged: uniqueAcknowledgements(acknowledged),
    failedPacks: [...failedPacks].sort(),
    errors,
  };
}

/**
 * The packs `NagPacks.enable` recorded on the stack, with the cdk-nag major that ran them (an older
 * record is the list alone).
 */
function recordedPacks(stack: AssemblyStack): Recorded {
  const entries = Object.values(stack.metadata).flat().filter((e) => e.type === NAG_PACKS_METADATA).map((e) => e.data);
  return {
    packs: entries.flatMap((d) => (Array.isArray(d) ? d : Array.isArray(d?.packs) ? d.packs : []).map(String)),
    major: entries.map((d) => d?.cdkNagMajor).find((m) => typeof m === 'number'),
  };
}

/**
 * Packs recorded without their results means the wrong directory: aws-cdk-lib and cdk-nag 2.x write
 * them to the app's top assembly only, not to a stage's (`cdk.out/assembly-<stage>`). Reporting
 * "0 findings" there would be false.
 */
function requireResults(assembly: Assembly, hasValidationReport: boolean, hasV2Reports: boolean): void {
  const majors = new Set(assembly.stacks.map((s) => recordedPacks(s).major).filter((m) => m !== undefined));
  const missing = (majors.has(3) && !hasValidationReport) || (majors.has(2) && !hasV2Reports && !hasValidationReport);
  if (missing) {
    throw new Error(`${assembly.directory} holds stacks checked by cdk-nag ${[...majors].sort().join(' and ')}.x, but not the packs' results, `
      + "which are written to the app's top assembly only: pass that directory (cdk.out), not a stage's (cdk.out/assembly-<stage>).");
  }
}

/** The validation report's plugins, or undefined when the assembly has no report (no plugin ran). */
function validationReport(directory: string): PluginReport[] | undefined {
  const file = path.join(directory, 'validation-report.json');
  return fs.existsSync(file) ? (readJson(file).pluginReports ?? []) : undefined;
}

/**
 * cdk-nag 2.x's reports accumulate in cdk.out across synths (a renamed stack leaves its old file):
 * only lines of a construct the stack has now count. The stack's metadata names each of its
 * resources (`aws:cdk:logicalId`); for a stack synthesized without that metadata, undefined (every
 * line counts).
 */
function currentResources(stack: AssemblyStack): Set<string> | undefined {
  const resources = Object.entries(stack.metadata)
    .filter(([, entries]) => entries.some((e) => e.type === 'aws:cdk:logicalId'))
    .map(([constructPath]) => withoutSlash(constructPath));
  return resources.length > 0 ? new Set(resources) : undefined;
}

/** cdk-nag 2.x's reports, in JSON or its default CSV, for every stack of every stage (all written to the top directory). */
function nagReportLines(directory: string): NagReportLine[] {
  const files = fs.readdirSync(directory).filter((f) => /-NagReport\.(json|csv)$/.test(f)).sort();
  // A pack writes the same lines in each format it was asked for: read one format per pack and stack.
  const jsonReports = new Set(files.filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')));
  const lines = files.flatMap((file): NagReportLine[] => {
    const full = path.join(directory, file);
    if (file.endsWith('.json')) {
      return readJson(full).lines ?? [];
    }
    return jsonReports.has(file.replace(/\.csv$/, '')) ? [] : csvLines(fs.readFileSync(full, 'utf8'));
  });
  return lines.filter((l) => typeof l.resourceId === 'string' && typeof l.ruleId === 'string')
    .map((l) => ({ ...l, resourceId: withoutSlash(l.resourceId) }));
}

/**
 * cdk-nag 2.x's CSV: a header, then `"Rule ID","Resource ID","Compliance","Exception Reason","Rule
 * Level","Rule Info"` rows. Quoted cells may hold commas, doubled quotes and line breaks (a reason
 * can), so the whole text is read cell by cell, not line by line. A row with too few cells is skipped.
 */
export function csvLines(csv: string): NagReportLine[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && csv[i + 1] === '\n') i++;
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows.slice(1).filter((cells) => cells.length >= 6)
    .map(([ruleId, resourceId, compliance, exceptionReason, ruleLevel, ruleInfo]) =>
      ({ ruleId, resourceId, compliance, exceptionReason, ruleLevel, ruleInfo }));
}

/** The stack's error and warning annotations (nested stacks' included), as `{ message, path, error }`. */
function errorAnnotations(stack: AssemblyStack): Array<{ message: string; constructPath: string; error: boolean }> {
  return Object.entries(stack.metadata).flatMap(([constructPath, entries]) => entries
    .filter((e) => (e.type === 'aws:cdk:error' || e.type === 'aws:cdk:warning') && typeof e.data === 'string')
    .map((e) => ({ message: e.data as string, constructPath: withoutSlash(constructPath), error: e.type === 'aws:cdk:error' })));
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

/** The acknowledgements recorded in the stack's metadata for the report's own checks. */
export function checkAcknowledgements(stack: AssemblyStack): Acknowledgement[] {
  return metadataAcknowledgements(stack).filter((a) => a.ruleId.startsWith(CHECK_PREFIX));
}

function uniqueAcknowledgements(all: Acknowledgement[]): Acknowledgement[] {
  const seen = new Map<string, Acknowledgement>();
  for (const a of all) {
    const key = `${a.ruleId}\n${a.constructPath}`;
    if (!seen.has(key)) seen.set(key, a);
  }
  return [...seen.values()];
}

/**
 * Whether an acknowledgement covers a resource: given on the resource or on a scope above it (as
 * `Validations.acknowledge` and cdk-nag 2.x's stack and construct suppressions are).
 */
export const acknowledgementCovers = (a: Acknowledgement, ruleId: string, resourcePath: string) =>
  a.ruleId === ruleId && (resourcePath === a.constructPath || resourcePath.startsWith(`${a.constructPath}/`));
