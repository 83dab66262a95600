/**
 * `lrs erase` as a real child process on a SQLite file the test prepared (ARCHITECTURE.md §11):
 * its usage errors, the dry run, and crash safety: a run killed with SIGKILL once its erasure has
 * begun (the record and tombstone are written, nothing is removed yet: it waits for every process
 * to see the tombstone) is finished by a real `lrs worker` from what is stored. Erasing again is
 * refused as a member nobody knows, and changes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/storage/port.js';
import { storeStatements } from '../../lrs/statements/write.js';
import { employeeIdentityKeys } from '../../projections/identity/keys.js';
import { monotonicClock } from '../../src/clock.js';
import { Projector } from '../../projections/worker/projector.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { IDENTITY, IDENTITY_RULES, PSEUDONYM_KEY, employee } from '../projections/support.js';
import { waitFor } from '../support/wait.js';
import { LRS_BIN, runLrs } from '../support/lrs-cli.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const env = (sqlitePath: string) => ({
  ...process.env,
  SQLITE_PATH: sqlitePath,
  LOG_LEVEL: 'error',
  HRIS_ACCOUNT_HOMEPAGE: IDENTITY.hrisAccountHomePage,
  EMAIL_DOMAIN_ALIASES: 'old.acme.example=acme.example',
  PSEUDONYM_KEY,
});

function start(args: string[], sqlitePath: string): ChildProcess {
  const child = spawn(process.execPath, [LRS_BIN, ...args], { env: env(sqlitePath), stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/** Two employees with 50 completions each, folded; the store stays open for the test to look into. */
async function seeded(): Promise<{ store: Store; sqlitePath: string; done(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-erase-cli-'));
  const sqlitePath = path.join(dir, 'lrs.db');
  const store = openSqliteStore(sqlitePath);
  const clock = monotonicClock();
  for (const id of ['E3001', 'E3002']) {
    const e = employee(id);
    await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, IDENTITY) }, 'test', clock());
  }
  const ctx = { store: store.statements, attachments: store.attachments, activities: store.activities, authority: { objectType: 'Agent', mbox: 'mailto:lrs@acme.example' }, now: clock };
  const statements = ['e3001', 'e3002'].flatMap((who) =>
    Array.from({ length: 50 }, (_, i) => ({ actor: { mbox: `mailto:${who}@acme.example` }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: `https://lms.example.com/courses/c${i}` } })),
  );
  await storeStatements({ statements, asArray: true, attachments: [] }, ctx);
  await new Projector({ store, mapping: loadMapping(), now: clock, identity: IDENTITY_RULES }).runBatch();
  return {
    store,
    sqlitePath,
    async done() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('lrs erase: usage and dry run', () => {
  it('refuses a missing or second member id (exit 2); --dry-run counts what would go and removes nothing', async () => {
    const { store, sqlitePath, done } = await seeded();
    try {
      for (const args of [['erase'], ['erase', 'E3001', 'E3002'], ['erase', '--member', 'E3001']]) {
        const usage = await runLrs(args, env(sqlitePath));
        expect(usage.code, args.join(' ')).toBe(2);
        expect(usage.stderr).toMatch(/usage: lrs erase <member_id>/);
      }
      const dry = await runLrs(['erase', 'E3001', '--dry-run'], env(sqlitePath));
      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.stdout)).toEqual({
        dry_run: true,
        member_id: 'E3001',
        counts: { statements: 50, identity_keys: employeeIdentityKeys(employee('E3001'), IDENTITY).length, profiles: 1 },
      });
      expect(await store.erasures.list({ limit: 10 })).toEqual([]);
      expect(await store.identity.get('E3001')).not.toBeNull();
      expect((await store.statements.readLog(0, 1_000)).length).toBe(100);
      const unknown = await runLrs(['erase', 'E9999', '--dry-run'], env(sqlitePath));
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/No HRIS employee E9999/);
    } finally {
      await done();
    }
  });
});

describe('erasure crash safety (real child processes, SIGKILL mid-erasure)', () => {
  it('an erasure killed part-way is finished by the next process; erasing again changes nothing', async () => {
    const { store, sqlitePath, done } = await seeded();
    try {
      expect((await store.projections.memberSeqs('E3001')).length).toBe(50);

      const eraser = start(['erase', 'E3001'], sqlitePath);
      await waitFor('the erasure begun', async () => (await store.erasures.unfinished()).length === 1, 10_000);
      eraser.kill('SIGKILL');
      await new Promise((resolve) => eraser.once('exit', resolve));
      const [left] = await store.erasures.unfinished();
      expect(left).toMatchObject({ status: 'running', subject: { memberId: 'E3001' }, requestedBy: 'cli' });

      start(['worker'], sqlitePath);
      await waitFor('the erasure finished by the worker', async () => (await store.erasures.get(left!.id))?.status === 'done', 20_000);
      const done = await store.erasures.get(left!.id);
      expect(done).toMatchObject({ subject: null, counts: { statements: 50, profiles: 1, identity_keys: employeeIdentityKeys(employee('E3001'), IDENTITY).length } });
      expect(await store.identity.get('E3001')).toBeNull();
      expect(await store.projections.member('E3001')).toBeNull();
      const remaining = await store.statements.readLog(0, 1_000);
      expect(remaining.map((r) => (r.statement.actor as { mbox: string }).mbox)).toEqual(Array(50).fill('mailto:e3002@acme.example'));
      expect((await store.projections.memberSeqs('E3002')).length).toBe(50);

      const again = await runLrs(['erase', 'E3001'], env(sqlitePath));
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/No HRIS employee E3001/);
      expect((await store.erasures.list({ limit: 10 })).map((r) => r.id)).toEqual([left!.id]);
    } finally {
      await done();
    }
  });
});
