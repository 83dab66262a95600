/**
 * `lrs export statements` → `lrs import statements` into a fresh store, on real SQLite files
 * (ARCHITECTURE.md §10): the same statements (byte-equal but for `stored` and `authority`,
 * which an import sets anew), the same profiles after the fold, nothing changed by a second
 * run, and a file that disagrees with its manifest refused before anything is stored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, generateKeyPair } from 'jose';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExport, runImport, IMPORT_AUTHORITY } from '../../src/cli/transfer.js';
import type { CliIo } from '../../src/cli/io.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { StatementRecord, Store } from '../../src/storage/port.js';
import { storeStatements } from '../../lrs/statements/write.js';
import { employeeIdentityKeys } from '../../projections/identity/keys.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { Projector } from '../../projections/worker/projector.js';
import { monotonicClock } from '../../src/clock.js';
import { IDENTITY, IDENTITY_RULES, employee } from '../projections/support.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const MEMBERS = ['E1', 'E2', 'E3'];

let dir: string;
let out: string[];
const io = (db: string): CliIo => ({ stdout: (t) => out.push(t), stderr: () => {}, env: { SQLITE_PATH: path.join(dir, db), LOG_LEVEL: 'silent' } });
const lastJson = <T>() => JSON.parse(out.pop() as string) as T;
const open = (db: string) => openSqliteStore(path.join(dir, db));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-transfer-'));
  out = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function hireAll(store: Store): Promise<void> {
  const clock = monotonicClock();
  for (const id of MEMBERS) {
    const e = employee(id);
    await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, IDENTITY) }, 'test', clock());
  }
}

/** A source store: completions, scores, a 2.0 statement with context, one voided by a later statement. */
async function seedSource(): Promise<{ voidedId: string }> {
  const store = open('source.db');
  const ctx = { store: store.statements, attachments: store.attachments, activities: store.activities, authority: { objectType: 'Agent', mbox: 'mailto:lms@acme.example' }, now: monotonicClock() };
  try {
    await hireAll(store);
    const statements = Array.from({ length: 1_200 }, (_, n) => ({
      actor: { mbox: `mailto:${MEMBERS[n % 3]?.toLowerCase()}@acme.example`, name: 'Learner' },
      verb: { id: `${ADL}${n % 4 === 0 ? 'completed' : 'experienced'}` },
      object: { id: `https://lms.example.com/courses/c${n % 7}`, definition: { name: { 'en-US': `Course ${n % 7}` } } },
      ...(n % 5 === 0 ? { result: { score: { scaled: (n % 100) / 100 }, success: true } } : {}),
      timestamp: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
    }));
    for (let i = 0; i < statements.length; i += 300) await storeStatements({ statements: statements.slice(i, i + 300), asArray: true, attachments: [] }, ctx);
    const [voidedId] = await storeStatements(
      { statements: [{ actor: { mbox: 'mailto:e1@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: 'https://lms.example.com/courses/wrong' }, context: { registration: 'b0a8f2f6-3f9e-4c34-9f2e-2d6b0c7f1e01', contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:coach@acme.example' } }] } }], asArray: false, attachments: [] },
      { ...ctx, xapiVersion: '2.0.0' },
    );
    await storeStatements({ statements: [{ actor: { mbox: 'mailto:lms@acme.example' }, verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: voidedId } }], asArray: false, attachments: [] }, ctx);
    return { voidedId: voidedId as string };
  } finally {
    await store.close();
  }
}

async function allStatements(store: Store): Promise<StatementRecord[]> {
  const records: StatementRecord[] = [];
  for (let after = 0; ; ) {
    const page = await store.statements.readLog(after, 500);
    if (page.length === 0) return records;
    records.push(...page);
    after = (page.at(-1) as StatementRecord).seq;
  }
}

const withoutReset = (json: string) => {
  const { stored: _stored, authority: _authority, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
};

async function profiles(store: Store) {
  await new Projector({ store, mapping: loadMapping(), identity: IDENTITY_RULES, now: monotonicClock() }).rebuildAll();
  return Promise.all(MEMBERS.map(async (id) => (await store.projections.member(id))?.content));
}

interface Manifest {
  kind: string;
  format: string;
  gzip: boolean;
  count: number;
  sha256: string;
  first_stored: string;
  last_stored: string;
}
interface Report {
  imported: number;
  unchanged: number;
  rejected: { line: number; rule: string; message: string }[];
}

describe('lrs export statements → lrs import statements', () => {
  it('copies every statement (voided ones too) in order; the copy folds to the same profiles; a second import changes nothing', async () => {
    const { voidedId } = await seedSource();
    const file = path.join(dir, 'statements.ndjson.gz');
    expect(await runExport(['statements', '--out', file, '--gzip'], io('source.db'))).toBe(0);
    const manifest = lastJson<Manifest>();
    expect(manifest).toMatchObject({ kind: 'statements', format: 'ndjson', gzip: true, count: 1_202 });
    expect(JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8'))).toEqual(manifest);
    expect(gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n')).toHaveLength(1_202);

    const target = open('copy.db');
    await hireAll(target);
    await target.close();
    expect(await runImport(['statements', file], io('copy.db'))).toBe(0);
    expect(lastJson<Report>()).toEqual({ imported: 1_202, unchanged: 0, rejected: [] });

    const source = open('source.db');
    const copy = open('copy.db');
    try {
      const [a, b] = [await allStatements(source), await allStatements(copy)];
      expect(b.map((r) => r.id)).toEqual(a.map((r) => r.id));
      expect(b.map((r) => r.voided)).toEqual(a.map((r) => r.voided));
      expect(b.map((r) => withoutReset(r.json))).toEqual(a.map((r) => withoutReset(r.json)));
      expect((JSON.parse((b[0] as StatementRecord).json) as { authority: unknown }).authority).toEqual(IMPORT_AUTHORITY);
      expect(await copy.statements.get(voidedId, true)).not.toBeNull();
      expect(await copy.statements.get(voidedId, false)).toBeNull();
      expect(await profiles(copy)).toEqual(await profiles(source));
    } finally {
      await source.close();
      await copy.close();
    }

    expect(await runImport(['statements', file], io('copy.db'))).toBe(0);
    expect(lastJson<Report>()).toEqual({ imported: 0, unchanged: 1_202, rejected: [] });
  });

  it('exports what --since/--until and --agent select; the manifest names the filters', async () => {
    await seedSource();
    const source = open('source.db');
    const all = await allStatements(source);
    await source.close();
    // The seed stores batches of 300 with one `stored` each: this window is the second and third batch.
    const since = (all[150] as StatementRecord).stored;
    const until = (all[650] as StatementRecord).stored;
    const file = path.join(dir, 'window.ndjson');
    expect(await runExport(['statements', '--out', file, '--since', since, '--until', until], io('source.db'))).toBe(0);
    const manifest = lastJson<Manifest & { filters: unknown }>();
    const ids = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(all.slice(300, 900).map((r) => r.id));
    expect(manifest).toMatchObject({ count: ids.length, filters: { since, until } });

    const agentFile = path.join(dir, 'e2.ndjson');
    expect(await runExport(['statements', '--out', agentFile, '--agent', '{"mbox":"mailto:e2@acme.example"}'], io('source.db'))).toBe(0);
    const actors = fs.readFileSync(agentFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { actor: { mbox: string } }).actor.mbox);
    expect(actors).toHaveLength(400);
    expect(new Set(actors)).toEqual(new Set(['mailto:e2@acme.example']));
  });

  it('refuses a truncated or altered file before storing anything', async () => {
    await seedSource();
    const file = path.join(dir, 'statements.ndjson');
    expect(await runExport(['statements', '--out', file], io('source.db'))).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const truncated = path.join(dir, 'truncated.ndjson');
    fs.writeFileSync(truncated, lines.slice(0, 600).join('\n'));
    const altered = path.join(dir, 'altered.ndjson');
    fs.writeFileSync(altered, fs.readFileSync(file, 'utf8').replace('Course 3', 'Course 9'));

    for (const [bad, problems] of [[truncated, ['sha256', 'count']], [altered, ['sha256']]] as const) {
      expect(await runImport(['statements', bad, '--manifest', `${file}.manifest.json`], io('empty.db'))).toBe(1);
      const answer = lastJson<{ error: { code: string; problems: { path: string }[] } }>();
      expect(answer.error.code).toBe('manifest-mismatch');
      expect(answer.error.problems.map((p) => p.path)).toEqual(problems);
    }
    // A gzip file cut short, without a manifest: read whole first, so nothing is stored either.
    const gzipped = path.join(dir, 'cut.ndjson.gz');
    const whole = gzipSync(fs.readFileSync(file));
    fs.writeFileSync(gzipped, whole.subarray(0, Math.floor(whole.length / 2)));
    expect(await runImport(['statements', gzipped], io('empty.db'))).toBe(1);
    expect(lastJson<{ error: { code: string; problems: { path: string }[] } }>().error).toMatchObject({ code: 'unreadable-input', problems: [{ path: 'gzip' }] });
    const empty = open('empty.db');
    expect(await empty.statements.maxSeq()).toBe(0);
    await empty.close();
  });

  it('reports each line it cannot store with its number and rule, and stores the rest', async () => {
    const statement = (id: string, object = 'https://lms.example.com/courses/c1') => JSON.stringify({ id, actor: { mbox: 'mailto:e1@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: object } });
    const file = path.join(dir, 'other-lrs.ndjson');
    fs.writeFileSync(
      file,
      [
        statement('6f1c1a8e-2b5d-4c1e-9a7b-0c2d3e4f5a61'),
        '{not json',
        JSON.stringify({ actor: { mbox: 'mailto:e1@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: 'https://lms.example.com/x' } }),
        JSON.stringify({ id: '6f1c1a8e-2b5d-4c1e-9a7b-0c2d3e4f5a62', actor: { mbox: 'not-a-mailto' }, verb: { id: `${ADL}completed` }, object: { id: 'https://lms.example.com/x' } }),
        '',
        statement('6f1c1a8e-2b5d-4c1e-9a7b-0c2d3e4f5a61', 'https://lms.example.com/courses/other'),
        statement('6f1c1a8e-2b5d-4c1e-9a7b-0c2d3e4f5a63'),
      ].join('\n'),
    );
    expect(await runImport(['statements', file], io('target.db'))).toBe(1);
    const report = lastJson<Report>();
    expect(report.imported).toBe(2);
    expect(report.unchanged).toBe(0);
    expect(report.rejected.map((r) => [r.line, r.rule])).toEqual([
      [2, 'json'],
      [3, 'id-required'],
      [4, expect.any(String)],
      [6, 'immutable-statement'],
    ]);
  });

  it('exports CSV: a header row and one row per statement with the flattened columns; its manifest checks, and import refuses it', async () => {
    await seedSource();
    const source = open('source.db');
    const all = await allStatements(source);
    await source.close();
    const file = path.join(dir, 'statements.csv');
    expect(await runExport(['statements', '--out', file, '--format', 'csv'], io('source.db'))).toBe(0);
    const manifest = lastJson<Manifest & { format: string }>();
    const rows = parse(fs.readFileSync(file), { columns: true }) as Record<string, string>[];
    expect(manifest).toMatchObject({ format: 'csv', count: all.length, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') });
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'stored', 'timestamp', 'actor', 'verb', 'object', 'registration', 'score_scaled', 'success', 'completion', 'duration']);
    expect(rows.map((r) => r.id)).toEqual(all.map((r) => r.id));
    const scored = all.findIndex((r) => (r.statement.result as { score?: unknown } | undefined)?.score !== undefined);
    const statement = all[scored]!.statement as { actor: { mbox: string }; verb: { id: string }; object: { id: string }; result: { score: { scaled: number } } };
    expect(rows[scored]).toMatchObject({
      stored: all[scored]!.stored,
      actor: `mbox:${statement.actor.mbox}`,
      verb: statement.verb.id,
      object: statement.object.id,
      score_scaled: String(statement.result.score.scaled),
      success: 'true',
      completion: '',
    });
    expect(await runImport(['statements', file], io('copy.db'))).toBe(1);
    expect(lastJson<{ error: { problems: { path: string }[] } }>().error.problems).toEqual([expect.objectContaining({ path: 'format', rule: 'ndjson' })]);
  });

  it('carries attachment bodies in FILE.attachments: an import restores statements whose attachments have no fileUrl, and refuses an altered bodies file', async () => {
    const body = Buffer.from('%PDF-1.4 certificate of E1');
    const sha2 = createHash('sha256').update(body).digest('hex');
    const source = open('source.db');
    const ctx = { store: source.statements, attachments: source.attachments, activities: source.activities, authority: { objectType: 'Agent', mbox: 'mailto:lms@acme.example' }, now: monotonicClock() };
    const attachment = { usageType: 'http://id.tincanapi.com/attachment/certificate_of_completion', display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: body.length, sha2 };
    const [id] = await storeStatements(
      { statements: [{ actor: { mbox: 'mailto:e1@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: 'https://lms.example.com/courses/c1' }, attachments: [attachment] }], asArray: false, attachments: [{ sha2, contentType: 'application/pdf', body }] },
      ctx,
    );
    await storeStatements({ statements: [{ actor: { mbox: 'mailto:e2@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: 'https://lms.example.com/courses/c2' }, attachments: [{ ...attachment, sha2: 'b'.repeat(64), fileUrl: 'https://certs.acme.example/e2.pdf' }] }], asArray: false, attachments: [] }, ctx);
    // A signed statement (xAPI Data 2.6): its signature is an attachment body the import must send again.
    const unsigned = { id: randomUUID(), actor: { mbox: 'mailto:e3@acme.example' }, verb: { id: `${ADL}passed` }, object: { id: 'https://lms.example.com/courses/c3' } };
    const jws = Buffer.from(await new CompactSign(new TextEncoder().encode(JSON.stringify(unsigned))).setProtectedHeader({ alg: 'RS256' }).sign((await generateKeyPair('RS256')).privateKey));
    const jwsSha2 = createHash('sha256').update(jws).digest('hex');
    const signature = { usageType: 'http://adlnet.gov/expapi/attachments/signature', display: { 'en-US': 'Signature' }, contentType: 'application/octet-stream', length: jws.length, sha2: jwsSha2 };
    await storeStatements({ statements: [{ ...unsigned, attachments: [signature] }], asArray: false, attachments: [{ sha2: jwsSha2, contentType: 'application/octet-stream', body: jws }] }, ctx);
    await source.close();

    const file = path.join(dir, 'with-attachments.ndjson.gz');
    expect(await runExport(['statements', '--out', file, '--gzip'], io('source.db'))).toBe(0);
    const manifest = lastJson<Manifest & { attachments: { file: string; count: number; sha256: string } }>();
    // Only the bodies the store holds: the second statement's attachment is by fileUrl.
    expect(manifest.attachments).toEqual({ file: 'with-attachments.ndjson.gz.attachments', count: 2, sha256: createHash('sha256').update(fs.readFileSync(`${file}.attachments`)).digest('hex') });
    const bodyLines = gunzipSync(fs.readFileSync(`${file}.attachments`)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { sha2: string });
    expect(bodyLines).toEqual([{ sha2, contentType: 'application/pdf', data: body.toString('base64') }, { sha2: jwsSha2, contentType: 'application/octet-stream', data: jws.toString('base64') }]);

    const original = fs.readFileSync(`${file}.attachments`);
    fs.writeFileSync(`${file}.attachments`, gzipSync(JSON.stringify({ sha2, contentType: 'application/pdf', data: Buffer.from('forged').toString('base64') })));
    expect(await runImport(['statements', file], io('copy.db'))).toBe(1);
    expect(lastJson<{ error: { problems: { path: string; rule: string }[] } }>().error.problems.map((p) => [p.path, p.rule])).toEqual([
      ['attachments.line[1]', 'attachment-line'],
      ['attachments.sha256', 'checksum-matches'],
      ['attachments.count', 'count-matches'],
    ]);
    const untouched = open('copy.db');
    expect(await untouched.statements.maxSeq()).toBe(0);
    expect(await untouched.attachments.get([sha2])).toEqual([]);
    await untouched.close();

    fs.writeFileSync(`${file}.attachments`, original);
    expect(await runImport(['statements', file], io('copy.db'))).toBe(0);
    expect(lastJson<Report>()).toEqual({ imported: 3, unchanged: 0, rejected: [] });
    const copy = open('copy.db');
    try {
      expect((await copy.attachments.get([sha2])).map((a) => Buffer.from(a.body).toString())).toEqual([body.toString()]);
      expect(await copy.statements.get(unsigned.id, false)).not.toBeNull();
      expect(withoutReset((await copy.statements.get(id as string, false))!.json)).toMatchObject({ attachments: [attachment] });
    } finally {
      await copy.close();
    }
    // Without its manifest the bodies file is found by its name; a second run changes nothing.
    fs.rmSync(`${file}.manifest.json`);
    expect(await runImport(['statements', file], io('copy.db'))).toBe(0);
    expect(lastJson<Report>()).toEqual({ imported: 0, unchanged: 3, rejected: [] });
  });

  it('answers wrong arguments with exit 2 naming the problem', async () => {
    const err: string[] = [];
    const quiet: CliIo = { stdout: () => {}, stderr: (t) => err.push(t), env: { SQLITE_PATH: path.join(dir, 'x.db') } };
    expect(await runExport(['statements'], quiet)).toBe(2);
    expect(await runExport(['statements', '--out', 'f', '--since', 'yesterday'], quiet)).toBe(2);
    expect(await runExport(['statements', '--out', 'f', '--agent', '{"name":"no id"}'], quiet)).toBe(2);
    expect(await runImport(['statements', path.join(dir, 'missing.ndjson')], quiet)).toBe(2);
    expect(err.join('')).toMatch(/--out FILE is required[\s\S]*--since must be[\s\S]*--agent must be[\s\S]*does not exist/);
  });
});
