/**
 * npm run diagrams: writes the generated parts of the docs, between `<!-- BEGIN <marker> -->` and
 * `<!-- END <marker> -->` lines, so they cannot drift from the code:
 * - the architecture diagram (Mermaid) of each example, in its README (the main README links there), from
 *   its synthesized default stage in cdk.out/<example>/ (run `npm run synth` first);
 * - the estimated cost at rest of each example in both stages, in its README;
 * - the diagram of each pattern with default props, in docs/patterns/, synthesized here.
 *
 *   ts-node --transpile-only scripts/diagrams.ts           # rewrite the diagrams
 *   ts-node --transpile-only scripts/diagrams.ts --check   # exit 1 if a committed diagram is stale
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxapi from 'aws-cdk-lib/cx-api';
// The report command's own code (src/report/), so the docs show what users' reports show.
import { readAssembly } from '../src/report/assembly';
import { fixedMonthlyCost, totalUsd, usd } from '../src/report/cost';
import { architectureDiagram } from '../src/report/diagram';
import { PRICES } from '../src/report/prices';
// The compiled package, as users get it: its classes carry the jsii names the diagram groups by.
import * as patterns from 'cdk-best-practice-patterns';

const ROOT = path.resolve(__dirname, '..');
const CHECK = process.argv.includes('--check');
const NOTE = 'IAM roles and policies, security groups, routes and subnets are left out; keys, log groups and alarms are counted per pattern.';

/** A generated part of a markdown file. */
interface Block {
  readonly file: string;
  readonly marker: string;
  readonly body: string;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The diagram of an assembly's stacks, or of those of one of its `cdk.Stage`s (`Dev`). */
function diagramOfAssembly(outdir: string, stage?: string): string {
  const assembly = readAssembly(outdir);
  return assembly.stacks.filter((stack) => !stage || stack.path.startsWith(`${stage}/`))
    .map((stack) => architectureDiagram(stack, assembly.tree)).join('\n');
}

/**
 * The `cdk.Stage` of an example that holds its DEV and PROD stages itself (it has no stage context
 * key, and one assembly with both): `Dev` or `Prod`.
 */
const STAGE_CONSTRUCTS: Record<string, string> = { dev: 'Dev', prod: 'Prod' };

const mermaidBlock = (mermaid: string, caption: string) => `\`\`\`mermaid\n${mermaid}\`\`\`\n\n_${caption}_`;

/** The example's estimated fixed monthly cost in each stage, from cdk.out/<example>[-<stage>]/. */
function costTable(example: string, defaultStage: string | undefined): string {
  const stages = ['dev', 'prod'];
  const estimates = stages.map((stage) => {
    if (defaultStage === undefined) {
      return readAssembly(path.join(ROOT, 'cdk.out', example)).stacks.filter((stack) => stack.path.startsWith(`${STAGE_CONSTRUCTS[stage]}/`))
        .map((stack) => fixedMonthlyCost(stack.template, stack.region));
    }
    const outdir = path.join(ROOT, 'cdk.out', stage === defaultStage ? example : `${example}-${stage}`);
    return readAssembly(outdir).stacks.map((stack) => fixedMonthlyCost(stack.template, stack.region));
  });
  // One line per item, summed over the stacks of a stage (an app split over stacks has keys in each).
  const costs = estimates.map((ofStage) => {
    const byItem = new Map<string, { item: string; quantity: number; monthlyUsd: number }>();
    for (const line of ofStage.flatMap((e) => e.lines)) {
      const seen = byItem.get(line.item);
      byItem.set(line.item, seen ? { ...seen, quantity: seen.quantity + line.quantity, monthlyUsd: seen.monthlyUsd + line.monthlyUsd } : { ...line });
    }
    return [...byItem.values()];
  });
  const priceRegions = [...new Set(estimates.flat().map((e) => e.priceRegion))].join(', ');
  const items = [...new Set(costs.flatMap((lines) => lines.map((l) => l.item)))];
  return [
    '| always-on resource | DEV | PROD |',
    '|---|--:|--:|',
    ...items.map((item) => `| ${item} | ${costs.map((lines) => {
      const line = lines.find((l) => l.item === item);
      return line ? `${line.quantity} = ${usd(line.monthlyUsd)}` : '-';
    }).join(' | ')} |`),
    `| **estimated fixed cost per month** | ${costs.map((lines) => `**${usd(totalUsd(lines))}**`).join(' | ')} |`,
    '',
    `_Estimated by \`npm run diagrams\` from the synthesized templates, at on-demand list prices in ${priceRegions} as of ${PRICES.asOf} `
      + '(`src/report/prices.ts`). Usage (requests, messages, invocations, logs, data transfer, load balancer LCUs) comes on top.'
      + (items.includes('NAT gateway')
        ? ' Synthesized without an AWS account, the VPC spans 2 AZs; deployed with one it spans 3, which adds a NAT gateway in PROD and public addresses._'
        : '_'),
  ].join('\n');
}

function exampleBlocks(): Block[] {
  const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((e) => fs.existsSync(path.join(ROOT, 'examples', e, 'cdk.json'))).sort();
  return examples.flatMap((example) => {
    const outdir = path.join(ROOT, 'cdk.out', example);
    if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
      throw new Error(`cdk.out/${example} is missing: run \`npm run synth\` before drawing the examples' diagrams`);
    }
    const stage: string | undefined = readJson(path.join(ROOT, 'examples', example, 'cdk.json')).context['cdk-best-practice-patterns:stage'];
    // An example that holds both stages itself is drawn from its DEV stage, the one to try first.
    const diagram = stage
      ? mermaidBlock(diagramOfAssembly(outdir), `Drawn by \`npm run diagrams\` from the synthesized ${stage} stage. ${NOTE}`)
      : mermaidBlock(diagramOfAssembly(outdir, STAGE_CONSTRUCTS.dev), `Drawn by \`npm run diagrams\` from the synthesized Dev stage. ${NOTE}`);
    return [
      { file: path.join('examples', example, 'README.md'), marker: 'diagram', body: diagram },
      { file: path.join('examples', example, 'README.md'), marker: 'cost', body: costTable(example, stage) },
    ];
  });
}

/**
 * Each pattern page's diagram: the pattern with default props, in an env-agnostic stack, except the
 * static website's, in us-east-1, where a PROD site must be (CloudFront's metrics and web ACLs are there).
 */
const PATTERN_SCENARIOS: Record<string, (stack: Stack) => void> = {
  'multi-az-vpc': (stack) => new patterns.MultiAzVpc(stack, 'Network'),
  'alb-auto-scaling-group': (stack) => new patterns.AlbAutoScalingGroup(stack, 'Web', {
    vpc: new patterns.MultiAzVpc(stack, 'Network').vpc,
    allowInsecureHttp: true,
  }),
  'queue-with-dead-letter-queue': (stack) => new patterns.QueueWithDeadLetterQueue(stack, 'Jobs', {
    consumer: new lambda.Function(stack, 'Consumer', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    }),
  }),
  'sns-fan-out': (stack) => new patterns.SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing' }, { name: 'audit' }] }),
  'rest-api-lambda': (stack) => new patterns.RestApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') }),
  'http-api-lambda': (stack) => new patterns.HttpApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') }),
  'hardened-function': (stack) => new patterns.HardenedFunction(stack, 'Worker', { code: lambda.Code.fromInline('exports.handler = async () => ({});') }),
  'static-website': (stack) => new patterns.StaticWebsite(stack, 'Site'),
  'dns-routing': (stack) => new patterns.DnsRouting(stack, 'App', {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' }),
    recordName: 'app.example.com',
    endpoints: [
      patterns.RoutingEndpoint.fromDomainName('app-us-east-1.example.com'),
      patterns.RoutingEndpoint.fromDomainName('app-us-west-2.example.com'),
    ],
  }),
  'event-rule-with-dead-letter-queue': (stack) => new patterns.EventRuleWithDeadLetterQueue(stack, 'Placed', {
    eventPattern: { source: ['com.example.orders'], detailType: ['order.placed'] },
  }).addFunctionTarget(new patterns.HardenedFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler = async () => ({});') })),
  'step-functions-workflow': (stack) => new patterns.StepFunctionsWorkflow(stack, 'Workflow', {
    definition: patterns.StepFunctionsWorkflow.invokeFunction(stack, 'Step',
      new patterns.HardenedFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler = async (event) => event;') })),
  }),
  'alb-fargate-service': (stack) => new patterns.AlbFargateService(stack, 'Service', {
    vpc: new patterns.MultiAzVpc(stack, 'Network').vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
    allowInsecureHttp: true,
  }),
  'relational-database': (stack) => new patterns.RelationalDatabase(stack, 'Database', { vpc: new patterns.MultiAzVpc(stack, 'Network').vpc }),
  'aurora-database': (stack) => new patterns.AuroraDatabase(stack, 'Database', { vpc: new patterns.MultiAzVpc(stack, 'Network').vpc }),
  'dynamodb-table': (stack) => new patterns.DynamoDbTable(stack, 'Orders', {
    partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
  }).addStreamConsumer('Mailer', new patterns.HardenedFunction(stack, 'Mailer', {
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
  })),
  'in-memory-cache': (stack) => new patterns.InMemoryCache(stack, 'Cache', { vpc: new patterns.MultiAzVpc(stack, 'Network').vpc }),
};

function patternBlocks(): Block[] {
  // A diagram needs the template, not aws-cdk-lib's validation of it (the tests run that).
  process.env.CDK_VALIDATION = 'false';
  const outRoot = path.join(ROOT, 'build', 'diagrams');
  fs.mkdirSync(outRoot, { recursive: true });
  return Object.entries(PATTERN_SCENARIOS).map(([page, build]) => {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(outRoot, `${page}-`)),
      context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT, [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true },
    });
    build(new Stack(app, 'Stack', ['static-website', 'dns-routing'].includes(page) ? { env: { region: 'us-east-1' } } : undefined));
    const diagram = mermaidBlock(diagramOfAssembly(app.synth().directory), `Drawn by \`npm run diagrams\` with default props. ${NOTE}`);
    return { file: path.join('docs', 'patterns', `${page}.md`), marker: 'diagram', body: diagram };
  });
}

const render = (b: Block) => `<!-- BEGIN ${b.marker} -->\n${b.body}\n<!-- END ${b.marker} -->`;

function main(): number {
  const stale: string[] = [];
  const blocks = [...exampleBlocks(), ...patternBlocks()];
  const byFile = new Map<string, Block[]>();
  blocks.forEach((d) => byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]));

  for (const [file, ofFile] of byFile) {
    const before = fs.readFileSync(path.join(ROOT, file), 'utf8');
    let after = before;
    for (const d of ofFile) {
      const block = new RegExp(`<!-- BEGIN ${d.marker} -->[\\s\\S]*?<!-- END ${d.marker} -->`);
      if (!block.test(after)) {
        stale.push(`${file}: no <!-- BEGIN ${d.marker} --> ... <!-- END ${d.marker} --> markers`);
        continue;
      }
      after = after.replace(block, () => render(d));
    }
    if (after !== before) {
      if (CHECK) {
        stale.push(`${file}: a generated diagram or cost table does not match the code`);
      } else {
        fs.writeFileSync(path.join(ROOT, file), after);
        console.log(`updated ${file}`);
      }
    }
  }
  if (stale.length) {
    console.error(`${stale.join('\n')}\nRun \`npm run diagrams\` and commit the result.`);
    return 1;
  }
  console.log(`${blocks.length} diagrams and cost tables in ${byFile.size} files are ${CHECK ? 'current' : 'written'}`);
  return 0;
}

process.exitCode = main();
