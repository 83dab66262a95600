/** `lrs serve` as a real child process: it refuses to start on a broken mapping file or a bad setting, naming the culprit. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function serve(env: Record<string, string>) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-startup-'));
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/lrs.js'), 'serve'], {
    env: { ...process.env, PORT: '0', SQLITE_PATH: path.join(dir, 'lrs.db'), LOG_LEVEL: 'silent', PSEUDONYM_KEY: 'startup-test-pseudonym', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('lrs serve start-up checks (child process)', () => {
  it('refuses to start with a broken mapping file and names file, row and column', () => {
    const mappings = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-mappings-'));
    for (const f of fs.readdirSync(path.join(ROOT, 'mappings'))) fs.copyFileSync(path.join(ROOT, 'mappings', f), path.join(mappings, f));
    fs.appendFileSync(path.join(mappings, 'verbs.csv'), 'http://example.com/verbs/x,teleport\n');
    const result = serve({ MAPPINGS_DIR: mappings });
    fs.rmSync(mappings, { recursive: true, force: true });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/verbs\.csv:\d+:concept:/);
  });

  it('refuses to start with an invalid setting and names the variable', () => {
    const result = serve({ STORE: 'postgres' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('STORE');
  });
});
