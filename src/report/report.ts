/**
 * The report on one or more cloud assemblies: per stack, its resources by type, what cdk-nag found
 * and what was acknowledged (with the reasons), the report's own checks where cdk-nag has no rule,
 * an estimate of the fixed monthly cost, and an architecture diagram. Pure over the assembly's
 * files; `cli.ts` prints and writes it.
 */
import * as path from 'path';
import { readAssembly, templatesOf } from './assembly';
import { ownChecks } from './checks';
import { fixedMonthlyCost, notEstimated, resourceCountsByType, totalUsd, usd } from './cost';
import { architectureDiagram } from './diagram';
import { acknowledgementCovers, CHECK_PREFIX, checkAcknowledgements, nagResults, NagResults } from './findings';
import { Acknowledgement, Assembly, AssemblyStack, CheckFinding, CostEstimate, CostLine, Finding, Template } from './model';
import { PRICES } from './prices';

/** The five packs the library holds itself to, in the order the report lists them. */
const FIVE_PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** What the report says about one stack. */
export interface StackReport {
  /** The assembly's directory as given (`cdk.out`), to tell stacks of several assemblies apart. */
  readonly assembly: string;
  readonly stack: AssemblyStack;
  /** Resources by type, the nested stacks' included. */
  readonly resources: Array<[string, number]>;
  readonly nag: NagResults;
  /** The report's own checks' findings that nobody acknowledged. */
  readonly checks: CheckFinding[];
  /** Own-check findings acknowledged in the app, with their reasons. */
  readonly acknowledgedChecks: Acknowledgement[];
  readonly cost: CostEstimate;
  /** Resource types the estimate has no price for and does not know to be free or usage-priced. */
  readonly notEstimated: string[];
  readonly diagram: string;
}

/** The report on a set of assemblies. */
export interface Report {
  readonly stacks: StackReport[];
  /** Failing violations no stack could be named for, with the assembly they came from. */
  readonly unattributed: Array<Finding & { readonly assembly: string }>;
  /** One line per stack (and one for unattributed violations), for the console. */
  readonly lines: string[];
  /**
   * Everything that fails the report: unacknowledged findings, error annotations, failing checks,
   * unattributed violations, and each pack that failed to run (once per assembly).
   */
  readonly problems: number;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
/** `1 resource`, `2 resources`. */
const count = (n: number, noun: string, plural = `${noun}s`) => `${n} ${n === 1 ? noun : plural}`;
const resourceTotal = (r: StackReport) => sum(r.resources.map(([, n]) => n));
/** Own-check findings that fail the report (an alarm without an action, say), as opposed to those only reported. */
const failingChecks = (r: StackReport) => r.checks.filter((c) => c.fails);
/** A stack's problems, but for its packs that failed to run (counted once per assembly). */
const problemsOf = (r: StackReport) => r.nag.findings.length + r.nag.errors.length + failingChecks(r).length;

/** Reads each assembly and reports on every stack in it. */
export function report(assemblyDirectories: string[]): Report {
  const read = assemblyDirectories.map((directory) => stackReports(directory, readAssembly(directory)));
  const stacks = read.flatMap((r) => r.stacks);
  const unattributed = read.flatMap((r) => r.unattributed);
  // A pack that failed failed for the whole assembly, whichever stacks list it.
  const failedPacks = new Set(stacks.flatMap((r) => r.nag.failedPacks.map((p) => `${r.assembly}\n${p}`)));
  const lines = [
    ...stacks.map(summaryLine),
    ...(unattributed.length ? [`${count(unattributed.length, 'failing violation')} with no construct path, so in no stack: `
      + `${unattributed.map((f) => `${f.ruleId} (${f.pack})`).join(', ')}`] : []),
  ];
  return { stacks, unattributed, lines, problems: sum(stacks.map(problemsOf)) + failedPacks.size + unattributed.length };
}

function stackReports(label: string, assembly: Assembly): { stacks: StackReport[]; unattributed: Report['unattributed'] } {
  const nag = nagResults(assembly);
  const stacks = assembly.stacks.map((stack) => {
    const templates = templatesOf(stack);
    const results = nag.byStack.get(stack)!;
    const acknowledgements = [...checkAcknowledgements(stack), ...templates.flatMap(({ template }) => v2Suppressions(template))];
    // Each own-check finding with the acknowledgement that covers it, if any.
    const checked = templates.flatMap(({ template }) => ownChecks(template))
      .map((finding) => ({ finding, acknowledgement: acknowledgements.find((a) => acknowledgementCovers(a, finding.check, finding.resource)) }));
    return {
      assembly: label,
      stack,
      resources: mergeCounts(templates.map(({ template }) => resourceCountsByType(template))),
      nag: results,
      checks: checked.filter((c) => !c.acknowledgement).map((c) => c.finding),
      acknowledgedChecks: checked.filter((c) => c.acknowledgement).map((c) => ({ ...c.acknowledgement!, constructPath: c.finding.resource })),
      cost: combinedCost(templates.map(({ template }) => fixedMonthlyCost(template, stack.region))),
      notEstimated: [...new Set(templates.flatMap(({ template }) => notEstimated(template)))].sort((a, b) => a.localeCompare(b)),
      diagram: architectureDiagram(stack, assembly.tree),
    };
  });
  return { stacks, unattributed: nag.unattributed.map((f) => ({ ...f, assembly: label })) };
}

/**
 * cdk-nag 2.x acknowledgements sit on the resource itself (`cdk_nag.rules_to_suppress`), and so do
 * those `NagAcknowledgements.add` writes for 2.x users: the report honours them for its own checks.
 */
function v2Suppressions(template: Template): Acknowledgement[] {
  return Object.entries(template.Resources ?? {}).flatMap(([logicalId, resource]) =>
    ((resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string; is_reason_encoded?: boolean }>)
      .filter((s) => typeof s.id === 'string' && s.id.startsWith(CHECK_PREFIX))
      .map((s) => ({
        ruleId: s.id,
        // cdk-nag 2.x's format: a reason beyond Latin-1 is base64-encoded.
        reason: s.is_reason_encoded ? Buffer.from(s.reason, 'base64').toString('utf8') : s.reason,
        constructPath: resource.Metadata?.['aws:cdk:path'] ?? logicalId,
      })));
}

function mergeCounts(all: Array<Array<[string, number]>>): Array<[string, number]> {
  const counts = new Map<string, number>();
  all.flat().forEach(([type, n]) => counts.set(type, (counts.get(type) ?? 0) + n));
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/** A stack's estimate with its nested stacks': lines of the same item add up. */
function combinedCost(estimates: CostEstimate[]): CostEstimate {
  const lines = new Map<string, CostLine>();
  for (const line of estimates.flatMap((e) => e.lines)) {
    const before = lines.get(line.item);
    const added = before && { item: line.item, quantity: before.quantity + line.quantity, monthlyUsd: before.monthlyUsd + line.monthlyUsd };
    lines.set(line.item, added || line);
  }
  return {
    ...estimates[0],
    lines: [...lines.values()],
    notCounted: [...new Set(estimates.flatMap((e) => e.notCounted))].sort((a, b) => a.localeCompare(b)),
  };
}

/** The packs a stack's line names: the five, any other cdk-nag pack that ran, then other validation plugins. */
const packsToShow = (r: StackReport) => [
  ...FIVE_PACKS.filter((p) => r.nag.packs.includes(p)),
  ...r.nag.packs.filter((p) => !FIVE_PACKS.includes(p)),
  ...r.nag.plugins,
];
const findingsOf = (r: StackReport, pack: string) => r.nag.findings.filter((f) => f.pack === pack).length;
const checksOf = (r: StackReport, check: string) => r.checks.filter((c) => c.check === `${CHECK_PREFIX}${check}`);

function summaryLine(r: StackReport): string {
  const packs = packsToShow(r);
  const nag = r.nag.packs.length
    ? `unacknowledged findings: ${packs.map((p) => `${p} ${findingsOf(r, p)}`).join(', ')}; ${r.nag.acknowledged.length} acknowledged`
    : `no cdk-nag pack ran${r.nag.plugins.length ? `; unacknowledged findings: ${r.nag.plugins.map((p) => `${p} ${findingsOf(r, p)}`).join(', ')}` : ''}`;
  const otherChecks = failingChecks(r).filter((c) => c.check !== `${CHECK_PREFIX}AlarmWithoutAction`);
  return [
    `${r.assembly} ${r.stack.path}: ${count(resourceTotal(r), 'resource')}`,
    nag,
    ...(r.nag.warnings.length ? [count(r.nag.warnings.length, 'warning')] : []),
    ...(r.nag.errors.length ? [count(r.nag.errors.length, 'error annotation')] : []),
    ...(r.nag.failedPacks.length ? [`packs that failed to run: ${r.nag.failedPacks.join(', ')}`] : []),
    count(checksOf(r, 'AlarmWithoutAction').length, 'alarm without an action', 'alarms without an action'),
    count(checksOf(r, 'LogGroupRetention').length, 'log group without retention', 'log groups without retention'),
    ...(otherChecks.length ? [`${count(otherChecks.length, 'other failing check')} (${[...new Set(otherChecks.map((c) => c.check))].join(', ')})`] : []),
    `est. fixed cost ${usd(totalUsd(r.cost.lines))}/month${r.cost.fallback ? ' (us-east-1 prices)' : ''}`
      + (r.notEstimated.length ? `, not counting ${count(r.notEstimated.length, 'resource type')} it has no price for` : ''),
  ].join('; ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as Markdown (GitHub renders its diagrams); with `diagramOnly`, just the diagrams. */
export function markdown(result: Report, options: { diagramOnly?: boolean; date?: string } = {}): string {
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  const several = new Set(result.stacks.map((r) => r.assembly)).size > 1;
  const title = (r: StackReport) => (several ? `${r.assembly}: ${r.stack.path}` : r.stack.path);
  if (options.diagramOnly) {
    return [
      '# Architecture',
      '',
      `Drawn by \`cdk-best-practice-patterns report --diagram-only\` on ${date}. ${DIAGRAM_NOTE}`,
      '',
      ...result.stacks.flatMap((r) => [`## ${title(r)}`, '', mermaid(r.diagram), '']),
    ].join('\n');
  }
  return [
    '# Synthesis report',
    '',
    `Written by \`cdk-best-practice-patterns report\` on ${date}, from ${[...new Set(result.stacks.map((r) => `\`${r.assembly}\``))].join(', ')}. `
      + 'For each stack: what cdk-nag found and what was acknowledged (with the reasons), the checks this report makes where '
      + 'cdk-nag has no rule, the resources by type, an estimate of the fixed monthly cost and an architecture diagram.',
    '',
    `Costs are **estimates**: on-demand list prices as of ${PRICES.asOf}, ${PRICES.hoursPerMonth} hours a month, for the resources `
      + 'that cost money while idle. Usage (requests, messages, invocations, logs, storage, data transfer) comes on top; each stack lists '
      + 'the usage-priced services it uses.',
    '',
    '## Summary',
    '',
    '| stack | region | resources | unacknowledged findings | acknowledged findings | failing checks | est. fixed cost / month |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...result.stacks.map((r) => `| ${title(r)} | ${r.stack.region ?? 'any (env-agnostic)'} | ${resourceTotal(r)} `
      + `| ${r.nag.packs.length || r.nag.findings.length || r.nag.errors.length ? r.nag.findings.length + r.nag.errors.length : 'no pack ran'} `
      + `| ${r.nag.acknowledged.length + r.acknowledgedChecks.length} | ${failingChecks(r).length} | ${usd(totalUsd(r.cost.lines))}${r.cost.fallback ? '*' : ''} |`),
    '',
    ...(result.stacks.some((r) => r.cost.fallback) ? ['\\* at us-east-1 prices: the price table has none for the stack\'s region, or the stack has no region.', ''] : []),
    ...(result.unattributed.length ? [
      '## Violations in no stack', '',
      'These failed their plugin, which named no construct path for them:', '',
      '| assembly | plugin | rule | finding |', '|---|---|---|---|',
      ...result.unattributed.map((f) => `| \`${f.assembly}\` | ${f.pack} | \`${f.ruleId}\` | ${cell(f.description)} |`), '',
    ] : []),
    ...result.stacks.flatMap((r) => stackSection(r, title(r))),
  ].join('\n');
}

const DIAGRAM_NOTE = 'IAM roles and policies, security groups, routes and subnets are left out; keys, log groups and alarms are counted per pattern.';
const mermaid = (diagram: string) => `\`\`\`mermaid\n${diagram}\`\`\``;

function stackSection(r: StackReport, title: string): string[] {
  const packs = packsToShow(r);
  const lines = [
    `## ${title}`,
    '',
    `- Template: \`${path.relative(process.cwd(), r.stack.templateFile)}\`${r.stack.nestedStacks.length ? `, with ${r.stack.nestedStacks.length} nested stack(s)` : ''}; `
      + `region: ${r.stack.region ?? 'any (env-agnostic)'}; ${count(resourceTotal(r), 'resource')}.`,
    r.nag.packs.length
      ? `- cdk-nag: ${packs.map((p) => `${p} ${findingsOf(r, p)}`).join(', ')} unacknowledged; ${r.nag.acknowledged.length} acknowledged.`
        + (r.nag.failedPacks.length ? ` Packs that failed to run: ${r.nag.failedPacks.join(', ')}.` : '')
      : '- cdk-nag: no pack ran on this stack. `NagPacks.enable(app)` turns on the five packs (docs/report.md).'
        + (r.nag.plugins.length ? ` Other validation: ${r.nag.plugins.map((p) => `${p} ${findingsOf(r, p)}`).join(', ')} unacknowledged.` : ''),
    '',
    '### Architecture',
    '',
    mermaid(r.diagram),
    '',
    `_${DIAGRAM_NOTE}_`,
    '',
  ];

  const table = (heading: string, intro: string, findings: Finding[]) => (findings.length ? [heading, '', ...(intro ? [intro, ''] : []),
    '| rule | resource | finding |', '|---|---|---|',
    ...findings.map((f) => `| \`${cell(f.ruleId)}\` | \`${f.constructPath}\` | ${cell(f.description)} |`), ''] : []);
  lines.push(
    ...table('### Unacknowledged findings', '', r.nag.findings),
    ...table('### Error annotations', 'Each of these fails `cdk synth`.', r.nag.errors),
    ...table('### Warnings', 'Reported by a plugin that succeeded all the same: they fail neither the synth nor this report.', r.nag.warnings),
  );

  lines.push('### Checks where cdk-nag has no rule', '');
  if (r.checks.length) {
    lines.push('| check | resource | finding | fails the report |', '|---|---|---|---|',
      ...r.checks.map((c) => `| \`${c.check}\` | \`${c.resource}\` | ${cell(c.message)} | ${c.fails ? 'yes' : 'no'} |`));
  } else {
    lines.push('None found: every alarm acts, every log group expires, and no DynamoDB global table or ElastiCache Serverless cache misses its protection.');
  }
  lines.push('');

  lines.push('### Resources by type', '', '| type | count |', '|---|--:|', ...r.resources.map(([type, n]) => `| ${type} | ${n} |`), '');

  const prices = r.cost.fallback
    ? `us-east-1 prices (the table has none for ${r.stack.region ?? 'an env-agnostic stack'})`
    : `${r.cost.priceRegion} prices`;
  lines.push('### Estimated fixed monthly cost', '', `An estimate, at ${prices} as of ${r.cost.asOf}.`, '');
  if (r.cost.lines.length) {
    lines.push('| item | quantity | per month |', '|---|--:|--:|',
      ...r.cost.lines.map((l) => `| ${l.item} | ${l.quantity} | ${usd(l.monthlyUsd)} |`),
      `| **total** | | **${usd(totalUsd(r.cost.lines))}** |`);
  } else {
    lines.push('Nothing in this stack costs money while idle.');
  }
  lines.push('', r.cost.notCounted.length ? `Usage-priced, not counted: ${r.cost.notCounted.join(', ')}.` : 'No usage-priced service.', '');
  if (r.notEstimated.length) {
    lines.push(`Not estimated (the table has no price for them, and they are not known to be free or usage-priced): ${r.notEstimated.join(', ')}.`, '');
  }

  const acknowledged = [...r.nag.acknowledged, ...r.acknowledgedChecks];
  if (acknowledged.length) {
    // The same acknowledgement usually covers several constructs (one per alarm, say): group them.
    const groups = new Map<string, { ruleId: string; reason: string; paths: Set<string> }>();
    for (const a of acknowledged) {
      const key = `${a.ruleId}\n${a.reason}`;
      const group = groups.get(key) ?? { ruleId: a.ruleId, reason: a.reason, paths: new Set<string>() };
      group.paths.add(a.constructPath);
      groups.set(key, group);
    }
    lines.push('### Acknowledged findings, and why', '', '| rule | reason | constructs |', '|---|---|--:|',
      ...[...groups.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId))
        .map((g) => `| \`${cell(g.ruleId)}\` | ${cell(g.reason)} | ${g.paths.size} |`), '');
  }
  return lines;
}
