/**
 * `lrs rebuild [--member ID]` in-process on a real SQLite store: the JSON result on stdout,
 * progress on stderr only when it is a terminal, exit 1 for a member it does not know.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRebuild } from '../../src/cli/projection.js';
import type { CliIo } from '../../src/cli/io.js';
import { employee, openProjectionBench, type ProjectionBench } from './support.js';

let bench: ProjectionBench;

beforeEach(async () => {
  bench = openProjectionBench();
  await bench.hire(employee('E1'));
  await bench.post(
    Array.from({ length: 30 }, (_, n) => ({ actor: { mbox: 'mailto:e1@acme.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: `https://lms.example.com/courses/c${n}` } })),
  );
  await bench.drain();
});
afterEach(() => bench.close());

async function rebuild(terminal: boolean, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { SQLITE_PATH: bench.file, LOG_LEVEL: 'silent' }, stderrIsTerminal: terminal };
  return { code: await runRebuild(argv, io), stdout, stderr };
}

describe('lrs rebuild', () => {
  it('prints the counts as JSON and, on a terminal, the statements folded of the log', async () => {
    const run = await rebuild(true);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ statements: 30, employees: 1, members_changed: 0 });
    expect(run.stderr).toMatch(/statements folded: 30 of 30 · [\d,]+\/s/);
    expect((await rebuild(false)).stderr).toBe('');
  });

  it('rebuilds one member, exits 1 for a member it does not know', async () => {
    expect(await rebuild(false, '--member', 'E1')).toMatchObject({ code: 0, stdout: '{"member_id":"E1","rebuilt":true}\n' });
    expect((await rebuild(false, '--member', 'E9999')).code).toBe(1);
  });
});
