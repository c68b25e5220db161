/**
 * Type-checks the usage snippets of docs/patterns/*.md against the compiled lib/, so a page never
 * shows code that does not compile. Every ```ts block of a page is a whole module (imports
 * included); each page must hold at least two: a minimal one and a production-grade one.
 *
 *   ts-node --transpile-only scripts/check-doc-snippets.ts [page ...]   # e.g. sns-fan-out
 *
 * scripts/check-types.ts imports writeSnippets() to check the same files inside the program it
 * already built for the type-check and lint, so the extraction and the page rule live only here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const PAGES = path.join(ROOT, 'docs', 'patterns');
const MIN_SNIPPETS = 2;

/** The snippet files of some pattern pages, written out, and what is wrong with the pages themselves. */
export interface SnippetSet {
  /** Directory holding `<page>-<n>.ts` and the tsconfig.json that checks them. */
  readonly dir: string;
  /** tsconfig.json extending tsconfig.dev.json with only the snippets included. */
  readonly tsconfig: string;
  /** Pattern pages read (file names). */
  readonly pages: readonly string[];
  /** Number of snippet files written. */
  readonly written: number;
  /** Pages breaking the "minimal and production-grade snippet" rule, one message each. */
  readonly problems: readonly string[];
}

/** The body of every ```ts block of a page. */
function snippets(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/**
 * Writes the ```ts blocks of the pattern pages (all of them, or only the named ones) to
 * build/doc-snippets/<all|names>/<page>-<n>.ts with a tsconfig.json that checks them.
 */
export function writeSnippets(only: readonly string[] = []): SnippetSet {
  const dir = path.join(ROOT, 'build', 'doc-snippets', only.length ? only.join('+') : 'all');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const pages = fs.readdirSync(PAGES).filter((f) => f.endsWith('.md') && (!only.length || only.includes(path.basename(f, '.md')))).sort();
  const problems: string[] = [];
  let written = 0;
  for (const page of pages) {
    const blocks = snippets(fs.readFileSync(path.join(PAGES, page), 'utf8'));
    if (blocks.length < MIN_SNIPPETS) {
      problems.push(`docs/patterns/${page} has ${blocks.length} \`\`\`ts snippet(s); it needs a minimal and a production-grade one`);
    }
    blocks.forEach((code, i) => {
      // The file name says which page and block a type error comes from.
      fs.writeFileSync(path.join(dir, `${path.basename(page, '.md')}-${i + 1}.ts`), code);
      written++;
    });
  }
  const tsconfig = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({ extends: '../../../tsconfig.dev.json', include: ['*.ts'], exclude: [] }, null, 2));
  return { dir, tsconfig, pages, written, problems };
}

function main(only: readonly string[]): number {
  const set = writeSnippets(only);
  const problems = [...set.problems];
  const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', set.tsconfig], { encoding: 'utf8' });
  if (tsc.status !== 0) {
    problems.push(`the snippets do not compile (files in ${path.relative(ROOT, set.dir)}/ are named <page>-<n>.ts):\n${tsc.stdout}${tsc.stderr}`);
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    return 1;
  }
  console.log(`${set.written} snippets from ${set.pages.length} pattern pages compile`);
  return 0;
}

// Only as a command: scripts/check-types.ts imports this module for writeSnippets().
if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
