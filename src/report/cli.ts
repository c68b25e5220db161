#!/usr/bin/env node
/**
 * `npx cdk-best-practice-patterns report [assembly ...]`: after `cdk synth`, reports on every stack
 * of the cloud assembly (`cdk.out` by default). Prints one line per stack, writes the Markdown
 * report, and exits 1 on an unacknowledged cdk-nag finding, a pack that failed to run, or a failing
 * check (an alarm without an action, say) unless `--no-fail` is given; 2 on wrong usage or a
 * directory that holds no assembly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { markdown, report } from './report';

const USAGE = `Usage: cdk-best-practice-patterns report [options] [assembly-directory ...]

Reports on every stack of a synthesized CDK app: cdk-nag findings and acknowledgements, checks
where cdk-nag has no rule, resources, an estimated fixed monthly cost and an architecture diagram.
Run it after \`cdk synth\`; the assembly directory is cdk.out by default.

Options:
  -o, --output <file>  where to write the Markdown (default: <first assembly>/REPORT.md, or
                       ARCHITECTURE.md with --diagram-only); a directory gets the file inside
  --no-fail            exit 0 even when the report finds problems (report only)
  --diagram-only       write only the architecture diagrams, and never fail
  -h, --help           show this help

Exit codes: 0 no problem (or --no-fail); 1 an unacknowledged finding, an error annotation, a pack
that failed to run, or a failing check; 2 wrong usage, or no stack to report on.`;

interface Options {
  readonly directories: string[];
  readonly output?: string;
  readonly fail: boolean;
  readonly diagramOnly: boolean;
}

class UsageError extends Error {}

function parse(args: string[]): Options | undefined {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === undefined) {
    return undefined;
  }
  if (command !== 'report') {
    throw new UsageError(`unknown command '${command}': the one command is 'report'`);
  }
  const directories: string[] = [];
  let output: string | undefined;
  let fail = true;
  let diagramOnly = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--help' || arg === '-h') {
      return undefined;
    } else if (arg === '--no-fail') {
      fail = false;
    } else if (arg === '--diagram-only') {
      diagramOnly = true;
    } else if (arg === '--output' || arg === '-o') {
      output = rest[++i];
      if (!output) {
        throw new UsageError(`${arg} needs a file name`);
      }
    } else if (arg.startsWith('--output=')) {
      output = arg.slice('--output='.length);
      if (!output) {
        throw new UsageError('--output= needs a file name');
      }
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option '${arg}'`);
    } else {
      directories.push(arg);
    }
  }
  return { directories: directories.length ? directories : ['cdk.out'], output, fail, diagramOnly };
}

export function main(args: string[]): number {
  let options: Options | undefined;
  try {
    options = parse(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`cdk-best-practice-patterns: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }

  let result;
  try {
    result = report(options.directories);
  } catch (error) {
    console.error(`cdk-best-practice-patterns report: ${(error as Error).message}`);
    return 2;
  }
  if (result.stacks.length === 0) {
    // An app that synthesized nothing (or the wrong directory): "no problem" would be a false all-clear.
    console.error(`cdk-best-practice-patterns report: ${options.directories.join(', ')} holds no stack to report on.`);
    return 2;
  }
  const fileName = options.diagramOnly ? 'ARCHITECTURE.md' : 'REPORT.md';
  const given = options.output;
  const output = given === undefined
    ? path.join(options.directories[0], fileName)
    : (fs.existsSync(given) && fs.statSync(given).isDirectory() ? path.join(given, fileName) : given);
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  fs.writeFileSync(output, markdown(result, { diagramOnly: options.diagramOnly }));

  if (options.diagramOnly) {
    console.log(`${result.stacks.length} stack diagram(s) written to ${output}`);
    return 0;
  }
  result.lines.forEach((line) => console.log(line));
  console.log(result.problems === 0
    ? `\nNo problem found in ${result.stacks.length} stack(s). Report: ${output}`
    : `\n${result.problems} problem(s) in ${result.stacks.length} stack(s): unacknowledged findings, error annotations, packs that failed to run, `
      + `or failing checks. Report: ${output}`);
  return result.problems > 0 && options.fail ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
