/**
 * `lrs export profiles` on a real SQLite store folded by the real projector (ARCHITECTURE.md
 * §10): NDJSON = the profile JSON of each member as the profiles API answers it; CSV = the
 * mapping template's targets as columns, one row per member and fact; the manifest counts the
 * profiles and checks; an import refuses a profile export.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExport, runImport } from '../../src/cli/transfer.js';
import type { CliIo } from '../../src/cli/io.js';
import { profileOf } from '../../projections/fold/render.js';
import { employee, openProjectionBench, type ProjectionBench } from '../projections/support.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const SAFETY = 'https://lms.example.com/courses/workplace-safety-101';
const BADGE = 'https://badges.acme.example/first-aid';
const CERTIFICATE = 'https://certs.acme.example/e1/safety-101.pdf';

let bench: ProjectionBench;
let out: string[];
let err: string[];
const io = (): CliIo => ({ stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { SQLITE_PATH: bench.file, LOG_LEVEL: 'silent' } });
const lastJson = <T>() => JSON.parse(out.pop() as string) as T;
const fileIn = (name: string) => path.join(path.dirname(bench.file), name);

beforeEach(async () => {
  bench = openProjectionBench();
  out = [];
  err = [];
  for (const id of ['E1', 'E2', 'E3']) await bench.hire(employee(id));
  const e1 = { mbox: 'mailto:e1@acme.example' };
  await bench.post([
    { actor: e1, verb: { id: `${ADL}registered` }, object: { id: 'https://lms.example.com/courses/typescript-fundamentals' }, timestamp: '2026-03-01T09:00:00.000Z' },
    {
      actor: e1,
      verb: { id: `${ADL}passed` },
      object: { id: SAFETY, definition: { name: { 'en-US': 'Workplace safety' } } },
      result: { score: { scaled: 0.9 }, success: true, completion: true },
      attachments: [{ usageType: 'http://id.tincanapi.com/attachment/certificate_of_completion', display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: 10, sha2: 'a'.repeat(64), fileUrl: CERTIFICATE }],
      timestamp: '2026-03-02T09:00:00.000Z',
    },
    { actor: e1, verb: { id: 'http://specification.openbadges.org/xapi/verbs/earned.json' }, object: { id: BADGE, definition: { name: { 'en-US': 'First aid' } } }, timestamp: '2026-03-03T09:00:00.000Z' },
    { actor: { mbox: 'mailto:e2@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: SAFETY }, timestamp: '2026-03-04T09:00:00.000Z' },
  ]);
  await bench.drain();
});
afterEach(() => bench.close());

async function storedProfiles() {
  const page = await bench.store.projections.profiles({ limit: 100 });
  return page.profiles.map(profileOf);
}

describe('lrs export profiles', () => {
  it('writes NDJSON: every profile as the profiles API gives it, by member id, with a manifest counting them', async () => {
    const file = fileIn('profiles.ndjson.gz');
    expect(await runExport(['profiles', '--out', file, '--gzip'], io())).toBe(0);
    const manifest = lastJson<Record<string, unknown>>();
    const bytes = fs.readFileSync(file);
    expect(manifest).toMatchObject({ kind: 'profiles', format: 'ndjson', gzip: true, count: 3, sha256: createHash('sha256').update(bytes).digest('hex'), first_stored: null, filters: {} });
    expect(JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8'))).toEqual(manifest);
    const lines = gunzipSync(bytes).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { member_id: string });
    expect(lines).toEqual(await storedProfiles());
    expect(lines.map((p) => p.member_id)).toEqual(['E1', 'E2', 'E3']);
  });

  it('writes CSV: the template targets as columns, one row per member and fact, a member without facts on one row', async () => {
    const file = fileIn('profiles.csv');
    expect(await runExport(['profiles', '--out', file, '--format', 'csv'], io())).toBe(0);
    expect(lastJson<Record<string, unknown>>()).toMatchObject({ kind: 'profiles', format: 'csv', count: 3 });
    const rows = parse(fs.readFileSync(file), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(['fact', ...bench.mapping.targets, 'best', 'attempts', 'skill_id', 'level', 'evidence_count', 'version', 'updated_at']);

    const [e1] = await storedProfiles();
    const e1Rows = rows.filter((r) => r.member_id === 'E1');
    const sections = e1!.completions.length + e1!.scores.length + e1!.badges.length + e1!.enrollments.length + e1!.certificates.length + e1!.skills.length;
    expect(e1Rows).toHaveLength(sections);
    expect(e1Rows.find((r) => r.fact === 'completion' && r.activity_id === SAFETY)).toMatchObject({
      email: 'e1@acme.example',
      activity_name: 'Workplace safety',
      learning_completed: 'true',
      learning_success: 'true',
      occurred_at: '2026-03-02T09:00:00.000Z',
      version: String(e1!.version),
    });
    expect(e1Rows.find((r) => r.fact === 'score')).toMatchObject({ activity_id: SAFETY, score: '90', best: '90', attempts: '1' });
    expect(e1Rows.find((r) => r.fact === 'badge')).toMatchObject({ activity_id: BADGE, activity_name: 'First aid', occurred_at: '2026-03-03T09:00:00.000Z' });
    expect(e1Rows.find((r) => r.fact === 'certificate')).toMatchObject({ certificate_ref: CERTIFICATE, activity_id: SAFETY });
    expect(e1Rows.find((r) => r.fact === 'skill')).toMatchObject({ skill_id: 'workplace-safety', level: '40', evidence_count: '1' });
    expect(e1Rows.filter((r) => r.fact === 'enrollment').map((r) => r.enrollment_state).sort()).toEqual(['active', 'completed']);
    expect(rows.filter((r) => r.member_id === 'E3')).toEqual([expect.objectContaining({ fact: '', email: 'e3@acme.example', status: 'active', activity_id: '' })]);
  });

  it('is refused by lrs import, and answers statement filters and wrong formats with exit 2', async () => {
    const file = fileIn('profiles.ndjson');
    expect(await runExport(['profiles', '--out', file], io())).toBe(0);
    expect(await runImport(['statements', file], io())).toBe(1);
    expect(lastJson<{ error: { problems: { path: string }[] } }>().error.problems).toEqual([expect.objectContaining({ path: 'kind', rule: 'statements' })]);

    expect(await runExport(['profiles', '--out', file, '--since', '2026-01-01T00:00:00Z'], io())).toBe(2);
    expect(await runExport(['profiles', '--out', file, '--format', 'xml'], io())).toBe(2);
    expect(err.join('')).toMatch(/--since selects statements[\s\S]*--format must be ndjson or csv/);
  });
});
