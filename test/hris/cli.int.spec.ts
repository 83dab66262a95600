/**
 * `lrs hris import` against a real temp SQLite file: the command's function in-process (every
 * case), and the real `lrs` command as a child process on the dist/ that the test run's global
 * setup builds (test/support/build.global-setup.ts): dispatch, stdout and exit codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHris } from '../../src/cli/hris.js';
import type { CliIo } from '../../src/cli/io.js';
import { ConfigError } from '../../src/config.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { HrisReport } from '../../projections/hris/sync.js';
import { runLrs } from '../support/lrs-cli.js';

const HEADER = 'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status';
const GOOD = ['E1,ana@acme.example,ana@old.acme.example,Ana,López,Eng,,Engineer,employee,active', 'E2,bo@acme.example,,Bo,Berg,Sales,E1,Rep,contractor,active'];
const BAD = 'E3,not-an-email,,Cy,Cruz,,,,employee,active';

let dir: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-hris-cli-'));
  env = { SQLITE_PATH: path.join(dir, 'lrs.db'), EMAIL_DOMAIN_ALIASES: 'old.acme.example=acme.example' };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, ...rows: string[]): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `${[HEADER, ...rows].join('\n')}\n`);
  return p;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runOn({}, ...argv);
}

/** `terminal`: whether stderr is taken for a terminal (then long jobs show progress there). */
async function runOn(options: { terminal?: boolean }, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, stderrIsTerminal: options.terminal ?? false };
  const code = await runHris(argv, io);
  return { code, stdout, stderr };
}

async function stored(id: string) {
  const store = openSqliteStore(env.SQLITE_PATH as string);
  try {
    return await store.identity.get(id);
  } finally {
    await store.close();
  }
}

describe('lrs hris import <file.csv> [--dry-run]', () => {
  it('shows progress on a terminal (rows applied of the valid rows) and keeps stdout the JSON report; nothing on stderr otherwise', async () => {
    const onTerminal = await runOn({ terminal: true }, 'import', file('hr.csv', ...GOOD));
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.stderr).toMatch(/rows applied: 2 of 2 · [\d,]+\/s/);
    expect((JSON.parse(onTerminal.stdout) as HrisReport).applied).toBe(2);
    expect((await run('import', file('hr.csv', ...GOOD))).stderr).toBe('');
  });

  it('applies the good rows, prints the JSON report and exits 1 when some rows were rejected', async () => {
    const { code, stdout } = await run('import', file('hr.csv', GOOD[0] as string, BAD, GOOD[1] as string));
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as HrisReport;
    expect(report).toMatchObject({ applied: 2, created: 2, dry_run: false, rejected: [{ row: 2, column: 'email', rule: 'email-syntax' }] });
    expect(await stored('E2')).toMatchObject({ workerType: 'contractor', managerId: 'E1' });
    expect(await stored('E3')).toBeNull();
  });

  it('exits 0 when every row applied; a re-import is unchanged; the source names the file in the audit log', async () => {
    const hr = file('hr.csv', ...GOOD);
    expect((await run('import', hr)).code).toBe(0);
    const again = await run('import', hr);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: 2, unchanged: 2, created: 0 });
    const store = openSqliteStore(env.SQLITE_PATH as string);
    try {
      expect((await store.identity.audit({ employeeId: 'E1', limit: 1 }))[0]?.source).toBe('cli:hr.csv');
    } finally {
      await store.close();
    }
  });

  it('--dry-run reports what would change and writes nothing', async () => {
    await run('import', file('hr.csv', ...GOOD));
    const changed = file('changed.csv', (GOOD[0] as string).replace('Engineer', 'Staff Engineer'), GOOD[1] as string);
    const { code, stdout } = await run('import', '--dry-run', changed);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ dry_run: true, updated: 1, unchanged: 1, changes: [{ row: 1, employee_id: 'E1', kind: 'updated', fields: ['job_title'] }] });
    expect((await stored('E1'))?.jobTitle).toBe('Engineer');
  });

  it('exits 1 with a JSON error when the file as a whole is unusable (missing column)', async () => {
    const p = path.join(dir, 'partial.csv');
    fs.writeFileSync(p, 'employee_id,email\nE1,a@acme.example\n');
    const { code, stdout } = await run('import', p);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'invalid-hris-input', problems: expect.arrayContaining([expect.objectContaining({ path: 'header.status' })]) } });
  });

  it('exits 2 on usage errors, with the usage on stderr', async () => {
    const hr = file('hr.csv', ...GOOD);
    for (const argv of [[], ['export', hr], ['import'], ['import', hr, hr], ['import', '--force', hr], ['import', path.join(dir, 'missing.csv')]]) {
      const { code, stderr, stdout } = await run(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr).toContain('usage: lrs hris import');
      expect(stdout).toBe('');
    }
    expect(await stored('E1')).toBeNull();
    expect((await run('--help')).code).toBe(0);
  });

  it('stops on a configuration error naming the variable (main turns it into exit 78)', async () => {
    env.EMAIL_DOMAIN_ALIASES = 'nonsense';
    await expect(run('import', file('hr.csv', ...GOOD))).rejects.toThrow(ConfigError);
  });
});

const lrs = (args: string[], extraEnv: Record<string, string> = {}) => runLrs(args, { ...env, ...extraEnv });

describe('lrs hris import as a real child process (compiled dist/)', () => {
  it('exits 1 with the JSON report when a row is rejected, 0 when all apply, 2 on usage errors, 78 on configuration errors', async () => {
    const mixed = await lrs(['hris', 'import', file('mixed.csv', GOOD[0] as string, BAD)]);
    expect(mixed.code, mixed.stderr).toBe(1);
    expect(JSON.parse(mixed.stdout)).toMatchObject({ applied: 1, rejected: [{ row: 2, column: 'email' }] });

    const good = await lrs(['hris', 'import', '--dry-run', file('good.csv', ...GOOD)]);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ dry_run: true, unchanged: 1, created: 1 });

    const usage = await lrs(['hris', 'import']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: lrs hris import');

    const config = await lrs(['hris', 'import', file('good.csv', ...GOOD)], { HRIS_WEBHOOK_SECRET: 'short' });
    expect(config.code).toBe(78);
    expect(config.stderr).toContain('HRIS_WEBHOOK_SECRET');
  });
});
