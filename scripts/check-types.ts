/**
 * Type-checks, lints and checks the doc snippets from ONE TypeScript program, in place of
 *
 *   tsc --noEmit -p tsconfig.dev.json && npx projen eslint && npx projen check:doc-snippets
 *
 * Each of those builds its own program over the same sources and the same few thousand
 * aws-cdk-lib declaration files, and building (parsing, binding, checking) is most of their CPU:
 * typescript-eslint spends far longer creating its program than running the rules. Here the
 * program of tsconfig.dev.json is built once; ESLint gets it through `parserOptions.programs`
 * (https://typescript-eslint.io/packages/parser/#programs), and the snippets are checked by a
 * second program that takes its declaration files from the first instead of parsing them again.
 * The checks themselves are unchanged: the same diagnostics as tsc, the same ESLint config, files
 * and `--max-warnings=0`, the same snippet rules (scripts/check-doc-snippets.ts).
 *
 * All three parts run even when one fails, so one run shows every problem; the exit code is
 * non-zero if any failed.
 *
 *   ts-node --transpile-only --project tsconfig.dev.json scripts/check-types.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { ESLint, loadESLint } from 'eslint';
import * as ts from 'typescript';
import { writeSnippets } from './check-doc-snippets';

const ROOT = path.resolve(__dirname, '..');
const TSCONFIG = path.join(ROOT, 'tsconfig.dev.json');

/**
 * What the projen eslint task lints, and how, read from its arguments in .projen/tasks.json (which
 * .projenrc.ts writes), so the two never drift apart: `eslint --ext .ts,.tsx --max-warnings=0 ...
 * src test ...`.
 */
function eslintTask(): { readonly targets: string[]; readonly extensions: string[]; readonly maxWarnings: number } {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8'));
  const args: string[] = tasks.tasks.eslint.steps[0].execArgs;
  const extensions = args[args.indexOf('--ext') + 1].split(',');
  const maxWarnings = Number(/^--max-warnings=(\d+)$/.exec(args.find((a) => a.startsWith('--max-warnings=')) ?? '')?.[1]);
  // The files and folders come after `$@`, where projen puts the arguments a task receives.
  const targets = args.slice(args.indexOf('$@') + 1).filter((a) => !a.startsWith('-'));
  if (args.indexOf('--ext') < 0 || Number.isNaN(maxWarnings) || targets.length === 0) {
    throw new Error(`the eslint task's arguments are not what this script reads: ${JSON.stringify(args)}`);
  }
  return { targets, extensions, maxWarnings };
}
const { targets: LINT_TARGETS, extensions: LINT_EXTENSIONS, maxWarnings: MAX_WARNINGS } = eslintTask();

/** The outcome of one part, for the summary. */
interface Part {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const FORMAT_HOST: ts.FormatDiagnosticsHost = {
  getCurrentDirectory: () => ts.sys.getCurrentDirectory(),
  getCanonicalFileName: (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()),
  getNewLine: () => ts.sys.newLine,
};

/**
 * Prints diagnostics the way tsc does: with colour and source context on a terminal, plain
 * otherwise. The whole report goes to stdout, where tsc writes, so a piped log keeps its order.
 */
function printDiagnostics(diagnostics: readonly ts.Diagnostic[]): void {
  if (!diagnostics.length) return;
  const pretty = ts.sys.writeOutputIsTTY?.() ?? false;
  process.stdout.write(pretty
    ? ts.formatDiagnosticsWithColorAndContext(diagnostics, FORMAT_HOST) + ts.sys.newLine
    : ts.formatDiagnostics(diagnostics, FORMAT_HOST));
}

/** Parses a tsconfig as `tsc -p <file> --noEmit` does; an unreadable config is fatal, as in tsc. */
function parseConfig(file: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(file, { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.formatDiagnostics([d], FORMAT_HOST));
    },
  });
  if (!parsed) throw new Error(`cannot read ${file}`);
  return parsed;
}

/**
 * The diagnostics `tsc --noEmit` reports, gathered in its order and with its short-circuits
 * (emitFilesAndReportErrors in typescript/src/compiler/watch.ts): no semantic pass while there are
 * syntax errors, and the declaration diagnostics too, since tsconfig.json sets `declaration`.
 */
function tscDiagnostics(program: ts.Program): readonly ts.Diagnostic[] {
  const all = [...program.getConfigFileParsingDiagnostics()];
  const configErrors = all.length;
  all.push(...program.getSyntacticDiagnostics());
  if (all.length === configErrors) {
    all.push(...program.getOptionsDiagnostics());
    all.push(...program.getGlobalDiagnostics());
    if (all.length === configErrors) all.push(...program.getSemanticDiagnostics());
    const options = program.getCompilerOptions();
    if (options.noEmit && (options.declaration || options.composite) && all.length === configErrors) {
      all.push(...program.getDeclarationDiagnostics());
    }
  }
  // With noEmit this writes nothing; it is called because tsc adds whatever it reports.
  all.push(...program.emit().diagnostics);
  return ts.sortAndDeduplicateDiagnostics(all);
}

/** Part 1: the program of tsconfig.dev.json, checked as `tsc --noEmit -p tsconfig.dev.json`. */
function typeCheck(parsed: ts.ParsedCommandLine): { program: ts.Program; part: Part } {
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: parsed.errors,
  });
  const diagnostics = tscDiagnostics(program);
  printDiagnostics(diagnostics);
  // tsc exits non-zero on any diagnostic it reports, not only on errors.
  return {
    program,
    part: { name: 'tsc -p tsconfig.dev.json', ok: diagnostics.length === 0, detail: `${diagnostics.length} error(s) in ${parsed.fileNames.length} files` },
  };
}

/**
 * Part 2: `npx projen eslint`, through the API. The legacy engine reads .eslintrc.json as the
 * task does (ESLINT_USE_FLAT_CONFIG=false); the override only swaps typescript-eslint's own
 * program for ours, which it then requires to contain every linted file (tsconfig.dev.json
 * includes them all, as `project` required before).
 */
async function lint(program: ts.Program): Promise<Part> {
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new LegacyESLint({
    cwd: ROOT,
    extensions: LINT_EXTENSIONS,
    errorOnUnmatchedPattern: false,
    overrideConfig: { parserOptions: { programs: [program], project: null } },
  });
  const results = await eslint.lintFiles(LINT_TARGETS);
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  const tooManyWarnings = warnings > MAX_WARNINGS;
  const meta: ESLint.ResultsMeta = tooManyWarnings ? { maxWarningsExceeded: { maxWarnings: MAX_WARNINGS, foundWarnings: warnings } } : {};
  const formatter = await eslint.loadFormatter('stylish');
  const text = await formatter.format(results, meta);
  if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (!errors && tooManyWarnings) console.log(`ESLint found too many warnings (maximum: ${MAX_WARNINGS}).`);
  return {
    name: 'eslint',
    ok: errors === 0 && !tooManyWarnings,
    detail: `${errors} error(s), ${warnings} warning(s) in ${results.length} files`,
  };
}

/**
 * Gives a second program the source files the first one already parsed and bound: ts.createProgram
 * only reuses an old program's files when the root files are the same, and the snippets' are not.
 * Sharing a SourceFile is what the language service does between program versions; it is sound
 * only when both programs parse with the same options, so checkSnippets() uses this only then.
 */
function reusingHost(options: ts.CompilerOptions, old: ts.Program): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    const parsed = shouldCreateNewSourceFile ? undefined : old.getSourceFile(fileName);
    return parsed ?? parse(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  };
  return host;
}

/** The options, in a stable order, without the one that only names the config file. */
function comparable(options: ts.CompilerOptions): string {
  const { configFilePath: _configFilePath, ...rest } = options;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

/** Part 3: `npx projen check:doc-snippets`, type-checking the snippets beside the first program. */
function checkSnippets(parsed: ts.ParsedCommandLine, program: ts.Program): Part {
  const set = writeSnippets();
  for (const problem of set.problems) console.log(problem);
  // The same tsconfig the standalone check gives tsc, so the options are those it uses.
  const snippetConfig = parseConfig(set.tsconfig);
  const sameOptions = comparable(snippetConfig.options) === comparable(parsed.options);
  const snippetProgram = ts.createProgram({
    rootNames: snippetConfig.fileNames,
    options: snippetConfig.options,
    projectReferences: snippetConfig.projectReferences,
    configFileParsingDiagnostics: snippetConfig.errors,
    oldProgram: program,
    host: sameOptions ? reusingHost(snippetConfig.options, program) : undefined,
  });
  const diagnostics = tscDiagnostics(snippetProgram);
  if (diagnostics.length) console.log(`the snippets do not compile (files in ${path.relative(ROOT, set.dir)}/ are named <page>-<n>.ts):`);
  printDiagnostics(diagnostics);
  return {
    name: 'doc snippets',
    ok: diagnostics.length === 0 && set.problems.length === 0,
    detail: `${set.written} snippets from ${set.pages.length} pages, ${diagnostics.length} error(s), ${set.problems.length} page problem(s)`
      + (sameOptions ? '' : ' (options differ from tsconfig.dev.json: parsed anew)'),
  };
}

/** Runs one part, timing it, and turns a crash into a failed part so the others still run. */
async function timed(name: string, run: () => Part | Promise<Part>): Promise<Part> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let part: Part;
  try {
    part = await run();
  } catch (e) {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    part = { name, ok: false, detail: 'crashed' };
  }
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  return { ...part, detail: `${part.detail} [${wall.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU]` };
}

async function main(): Promise<number> {
  const parsed = parseConfig(TSCONFIG);
  let program: ts.Program | undefined;
  const parts: Part[] = [];
  parts.push(await timed('tsc -p tsconfig.dev.json', () => {
    const result = typeCheck(parsed);
    program = result.program;
    return result.part;
  }));
  // Without a program there is nothing to lint or to reuse: report that rather than hide it.
  const built = program;
  parts.push(await timed('eslint', () => (built ? lint(built) : { name: 'eslint', ok: false, detail: 'skipped: no program' })));
  // Last, because the snippet program shares (and so may annotate) the first program's files.
  parts.push(await timed('doc snippets', () => (built ? checkSnippets(parsed, built) : { name: 'doc snippets', ok: false, detail: 'skipped: no program' })));
  for (const part of parts) console.log(`${part.ok ? 'ok    ' : 'FAILED'} ${part.name}: ${part.detail}`);
  return parts.every((p) => p.ok) ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
