/** `lrs mapping validate [file]` (src/cli/mapping.ts), run in-process with captured output. */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMapping } from '../../src/cli/mapping.js';
import { ConfigError } from '../../src/config.js';
import { defaultMappingsDir } from './load.js';

const REAL = defaultMappingsDir();
const PROJECT = join(REAL, '..');

function cli(argv: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const code = runMapping(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd ?? PROJECT,
  });
  return { code, stdout, stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mapping-cli-'));
  for (const name of ['lms-marketplace.v1.csv', 'verbs.csv', 'skills.csv']) copyFileSync(join(REAL, name), join(dir, name));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('lrs mapping validate', () => {
  it('with no file: the project mappings/ is valid; exit 0 with one OK line naming the version and counts', () => {
    const { code, stdout, stderr } = cli(['validate']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^OK lms-marketplace@1: \d+ template rows \(\d+ targets\), \d+ verb rules, \d+ skill rules in mappings\n$/);
  });

  it('with no file and MAPPINGS_DIR (relative to the working directory): that directory', () => {
    writeFileSync(join(dir, 'verbs.csv'), 'verb_id,concept\nhttp://adlnet.gov/expapi/verbs/completed,finished\n');
    const { code, stdout } = cli(['validate'], { env: { MAPPINGS_DIR: '.' }, cwd: dir });
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      'verbs.csv:2:concept: allowed-values: "finished" is not allowed here: must be one of completion, pass, fail, enroll, launch, drop, badge, score',
      '1 problem in 1 file',
      '',
    ]);
  });

  it('prints every problem as file:row:column: rule: message and exits 1', () => {
    writeFileSync(join(dir, 'skills.csv'), 'activity_id,skill_id,level\nhttps://x.example/a,ts,120\nhttps://x.example/a,ts,50\n');
    writeFileSync(
      join(dir, 'lms-marketplace.v1.csv'),
      'source_system,source_field,target_field,data_type,transform,required,notes,cardinality,retention_policy\n' +
        'hris,employee_id,member_id,string,uppercase_all,true,,one,while_employed\n',
    );
    const { code, stdout } = cli(['validate'], { env: { MAPPINGS_DIR: dir } });
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\/.*\/lms-marketplace\.v1\.csv:0:target_field: missing-target: no row maps the required target email$/);
    expect(lines).toContainEqual(expect.stringMatching(/lms-marketplace\.v1\.csv:2:transform: unknown-transform: unknown transform "uppercase_all"/));
    expect(lines).toContainEqual(expect.stringMatching(/skills\.csv:2:level: range: 120 is not allowed here: must be a number from 0 to 100$/));
    expect(lines).toContainEqual(expect.stringMatching(/skills\.csv:3:skill_id: duplicate-skill: /));
    expect(lines.at(-1)).toBe('9 problems in 2 files') // 6 missing targets, 1 transform, 2 skills;
  });

  it('with a file: that file only, its kind by name', () => {
    expect(cli(['validate', 'mappings/verbs.csv'])).toEqual({ code: 0, stdout: 'OK verbs: 11 verb rules in mappings/verbs.csv\n', stderr: '' });
    expect(cli(['validate', join(REAL, 'skills.csv')]).stdout).toMatch(/^OK skills: \d+ skill rules in mappings\/skills\.csv\n$/);
    expect(cli(['validate', 'mappings/lms-marketplace.v1.csv']).stdout).toMatch(/^OK lms-marketplace@1: \d+ template rows in mappings\/lms-marketplace\.v1\.csv\n$/);

    writeFileSync(join(dir, 'verbs-extra.csv'), 'verb_id,concept\nnot an iri,launch\n');
    const bad = cli(['validate', 'verbs-extra.csv'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^verbs-extra\.csv:2:verb_id: format: "not an iri" is not allowed here: must be an absolute IRI/);
  });

  it('a file that does not exist is a problem (exit 1)', () => {
    const { code, stdout } = cli(['validate', 'nope/skills.csv']);
    expect(code).toBe(1);
    expect(stdout).toBe('nope/skills.csv:0:*: missing-file: the file does not exist\n1 problem in 1 file\n');
  });

  it('usage errors exit 2 with the usage on stderr', () => {
    for (const argv of [[], ['check'], ['validate', 'a.csv', 'b.csv'], ['validate', '--strict']]) {
      const { code, stdout, stderr } = cli(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('usage: lrs mapping validate [file]');
    }
  });

  it('help exits 0', () => {
    const { code, stdout } = cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: lrs mapping validate [file]');
  });

  it('a MAPPINGS_DIR that is not a directory is a configuration error naming the variable', () => {
    expect(() => cli(['validate'], { env: { MAPPINGS_DIR: join(dir, 'missing') } })).toThrow(ConfigError);
  });
});
