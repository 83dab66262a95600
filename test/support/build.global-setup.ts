/**
 * Builds dist/ once per test run, so child-process tests run the real `lrs` command on the
 * current sources. The int and e2e tiers both name this setup; a run of both builds once.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const BUILT = Symbol.for('lrs.test.dist-built');

export default function setup(): void {
  const run = globalThis as { [BUILT]?: true };
  if (run[BUILT]) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  run[BUILT] = true;
}
