/**
 * Every class of the API documents itself with an `@example`, which Construct Hub shows in every
 * language: jsii-rosetta compiles the examples that exist (check:examples), and this fails when a
 * class has none, so a new pattern cannot ship without one.
 *
 *   ts-node --transpile-only scripts/check-examples.ts   # needs a compiled .jsii
 */
import * as fs from 'fs';
import * as path from 'path';

const assembly = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '.jsii'), 'utf8'));
const classes = Object.values<any>(assembly.types).filter((t) => t.kind === 'class');
const without = classes.filter((t) => !t.docs?.example).map((t) => t.name).sort();
if (without.length) {
  console.error(`These classes have no @example in their docs: ${without.join(', ')}`);
  process.exitCode = 1;
} else {
  console.log(`${classes.length} classes, each with an @example`);
}
