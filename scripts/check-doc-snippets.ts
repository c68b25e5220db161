/**
 * Type-checks the usage snippets of docs/patterns/*.md against the compiled lib/, so a page never
 * shows code that does not compile. Every ```ts block of a page is a whole module (imports
 * included); each page must hold at least two: a minimal one and a production-grade one.
 *
 *   ts-node --transpile-only scripts/check-doc-snippets.ts [page ...]   # e.g. sns-fan-out
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const PAGES = path.join(ROOT, 'docs', 'patterns');
const ONLY = process.argv.slice(2);
const OUT = path.join(ROOT, 'build', 'doc-snippets', ONLY.length ? ONLY.join('+') : 'all');
const MIN_SNIPPETS = 2;

function snippets(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

function main(): number {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const pages = fs.readdirSync(PAGES).filter((f) => f.endsWith('.md') && (!ONLY.length || ONLY.includes(path.basename(f, '.md')))).sort();
  const problems: string[] = [];
  let written = 0;
  for (const page of pages) {
    const blocks = snippets(fs.readFileSync(path.join(PAGES, page), 'utf8'));
    if (blocks.length < MIN_SNIPPETS) {
      problems.push(`docs/patterns/${page} has ${blocks.length} \`\`\`ts snippet(s); it needs a minimal and a production-grade one`);
    }
    blocks.forEach((code, i) => {
      // The file name says which page and block a type error comes from.
      fs.writeFileSync(path.join(OUT, `${path.basename(page, '.md')}-${i + 1}.ts`), code);
      written++;
    });
  }
  fs.writeFileSync(path.join(OUT, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.dev.json', include: ['*.ts'], exclude: [] }, null, 2));

  const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', path.join(OUT, 'tsconfig.json')], { encoding: 'utf8' });
  if (tsc.status !== 0) {
    problems.push(`the snippets do not compile (files in ${path.relative(ROOT, OUT)}/ are named <page>-<n>.ts):\n${tsc.stdout}${tsc.stderr}`);
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    return 1;
  }
  console.log(`${written} snippets from ${pages.length} pattern pages compile`);
  return 0;
}

process.exitCode = main();
