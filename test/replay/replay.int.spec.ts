/**
 * `lrs replay` as a real child process on the store of a running LRS: with a changed verbs.csv it
 * reports exactly the members and fields the change affects, and writes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importEmployees, employeeRow as row } from '../support/hris-csv.js';
import { startTestServer, xapiFetch, type TestServer } from '../support/server.js';
import { runLrs } from '../support/lrs-cli.js';
import { defaultMappingsDir } from '../../projections/mapping/load.js';
import type { ReplayReport } from '../../projections/replay/replay.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const course = (name: string) => `https://lms.example.com/courses/${name}`;

let server: TestServer;
let dir: string;
beforeEach(async () => {
  server = await startTestServer({ projection: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-replay-'));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(memberId: string, verb: string, activity: string, result?: unknown): Promise<void> {
  const res = await xapiFetch(server)('/statements', {
    method: 'POST',
    json: { actor: { mbox: `mailto:${memberId.toLowerCase()}@acme.example` }, verb: { id: `${ADL}${verb}` }, object: { id: activity }, ...(result ? { result } : {}) },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Everything replay could have written: every member record and its delivery state, and the statement log. */
async function snapshot() {
  const members = await Promise.all(['E1', 'E2', 'E3'].map(async (id) => [await server.store.projections.member(id), await server.store.delivery.status(id)]));
  return { members, statements: await server.store.statements.readLog(0, 1000), checkpoint: await server.store.projections.checkpoint('statements') };
}

describe('lrs replay (child process)', () => {
  it('with a changed verbs.csv, reports exactly the members and fields the change affects, and writes nothing', async () => {
    await importEmployees(server, row('E1'), row('E2'), row('E3'));
    await post('E1', 'completed', course('safety'));
    await post('E2', 'experienced', course('privacy'));
    await post('E3', 'scored', course('quiz'), { score: { scaled: 0.5 } });
    await server.projectionIdle();

    // The staged mapping: "experienced" now completes an activity, "completed" no longer does.
    const staged = path.join(dir, 'mappings');
    fs.cpSync(defaultMappingsDir(), staged, { recursive: true });
    const verbs = path.join(staged, 'verbs.csv');
    fs.writeFileSync(verbs, fs.readFileSync(verbs, 'utf8').replace(`${ADL}completed,completion`, `${ADL}experienced,completion`));

    const before = await snapshot();
    const run = await runLrs(['replay', '--mapping', staged], { SQLITE_PATH: server.sqlitePath, LOG_LEVEL: 'silent' });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ReplayReport;
    expect(await snapshot()).toEqual(before);

    expect(report).toMatchObject({ members: 3, members_changed: 2 });
    expect(report.changes.map((c) => c.member_id)).toEqual(['E1', 'E2']);
    const [e1, e2] = report.changes;
    expect(e1!.fields).toEqual({});
    expect(e1!.sections.completions).toEqual({ removed: [expect.objectContaining({ activity_id: course('safety') })], added: [], changed: [] });
    expect(e2!.sections.completions).toEqual({ added: [expect.objectContaining({ activity_id: course('privacy'), learning_completed: true })], removed: [], changed: [] });
    expect(report.summary.completions).toEqual({ added: 1, removed: 1, changed: 0 });
    expect(report.summary.scores).toEqual({ added: 0, removed: 0, changed: 0 });

    // The configured mapping replays to no change; one member can be asked for, and an unknown one is exit 1.
    const same = await runLrs(['replay', '--member', 'E2'], { SQLITE_PATH: server.sqlitePath, LOG_LEVEL: 'silent' });
    expect(JSON.parse(same.stdout)).toMatchObject({ members: 1, members_changed: 0, changes: [] });
    const unknown = await runLrs(['replay', '--member', 'E404'], { SQLITE_PATH: server.sqlitePath, LOG_LEVEL: 'silent' });
    expect([unknown.code, JSON.parse(unknown.stdout).error.code]).toEqual([1, 'unknown-member']);
    expect((await runLrs(['replay', '--mapping', path.join(dir, 'nowhere')], { SQLITE_PATH: server.sqlitePath })).code).toBe(2);
  });
});
