/**
 * Crash safety of the projection worker: a real `lrs worker` child process is killed with
 * SIGKILL several times mid-backlog, then restarted to finish. Afterwards every statement is
 * folded exactly once: the profiles equal a rebuild from scratch and score attempts add up to
 * the number of scored statements.
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
import { DEFAULT_BATCH_SIZE, Projector } from '../../projections/worker/projector.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { monotonicClock } from '../../src/clock.js';
import { IDENTITY, PSEUDONYM_KEY, employee, IDENTITY_RULES } from './support.js';
import { waitFor } from '../support/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MEMBERS = 40;
// Twice as many batches as kills, so the backlog outlasts the kills even when a round gets two
// batches in before its kill; a multiple of MEMBERS and of SEED_BATCH.
const STATEMENTS = 6 * DEFAULT_BATCH_SIZE;
const SEED_BATCH = 1_000;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function startWorker(sqlitePath: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/lrs.js'), 'worker'], {
    env: { ...process.env, SQLITE_PATH: sqlitePath, LOG_LEVEL: 'error', HRIS_ACCOUNT_HOMEPAGE: IDENTITY.hrisAccountHomePage, PSEUDONYM_KEY, EMAIL_DOMAIN_ALIASES: 'old.acme.example=acme.example' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function seed(store: Store): Promise<number> {
  const clock = monotonicClock();
  for (let i = 0; i < MEMBERS; i++) {
    const e = employee(`E${1000 + i}`);
    await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, IDENTITY) }, 'test', clock());
  }
  const ctx = { store: store.statements, attachments: store.attachments, activities: store.activities, authority: { objectType: 'Agent', mbox: 'mailto:lrs@acme.example' }, now: clock };
  let scored = 0;
  for (let batch = 0; batch < STATEMENTS / SEED_BATCH; batch++) {
    const statements = Array.from({ length: SEED_BATCH }, (_, i) => {
      const n = batch * SEED_BATCH + i;
      const withScore = n % 3 === 0;
      if (withScore) scored += 1;
      return {
        actor: { mbox: `mailto:e${1000 + (n % MEMBERS)}@acme.example` },
        verb: { id: n % 5 === 0 ? 'http://adlnet.gov/expapi/verbs/completed' : 'http://adlnet.gov/expapi/verbs/experienced' },
        object: { id: `https://lms.example.com/courses/c${n % 17}` },
        ...(withScore ? { result: { score: { raw: n % 100 } } } : {}),
        timestamp: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
      };
    });
    await storeStatements({ statements, asArray: true, attachments: [] }, ctx);
  }
  return scored;
}

describe('projection worker crash safety (real child process, SIGKILL)', () => {
  it('after kills mid-batch and a restart, nothing is lost and nothing is counted twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-crash-'));
    const sqlitePath = path.join(dir, 'lrs.db');
    const store = openSqliteStore(sqlitePath);
    try {
      const scored = await seed(store);
      const last = await store.statements.maxSeq();
      const progress = () => store.projections.checkpoint('statements');

      const kills: number[] = [];
      for (let round = 0; round < 3; round++) {
        const before = await progress();
        const child = startWorker(sqlitePath);
        await waitFor('a batch committed by this worker', async () => (await progress()) > before, 20_000);
        child.kill('SIGKILL'); // a batch has just committed: the worker is inside the next one
        await new Promise((r) => child.once('exit', r));
        kills.push(await progress());
      }
      expect(kills.at(-1)).toBeLessThan(last); // the kills really interrupted the backlog

      const finisher = startWorker(sqlitePath);
      await waitFor('the last worker to finish the backlog', async () => (await progress()) === last, 60_000);
      finisher.kill('SIGTERM');
      await new Promise((r) => finisher.once('exit', r));

      const contents = new Map<string, unknown>();
      let attempts = 0;
      for (let i = 0; i < MEMBERS; i++) {
        const m = await store.projections.member(`E${1000 + i}`);
        expect(m).not.toBeNull();
        contents.set(m!.memberId, m!.content);
        attempts += m!.content.scores.reduce((sum, s) => sum + s.attempts, 0);
      }
      expect(attempts).toBe(scored);
      expect(await store.projections.memberSeqs('E1000')).toHaveLength(STATEMENTS / MEMBERS);

      await new Projector({ store, mapping: loadMapping(), identity: IDENTITY_RULES, now: monotonicClock() }).rebuildAll();
      for (const [id, content] of contents) expect((await store.projections.member(id))!.content).toEqual(content);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
