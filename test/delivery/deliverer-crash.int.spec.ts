/**
 * Crash safety of marketplace push: a real `lrs worker` child process (projection worker and
 * deliverer, MARKETPLACE_URL set) is killed with SIGKILL while pushes are in flight to a slow
 * sandbox marketplace, with new profile versions arriving between the kills; a last run
 * finishes. Per member, the versions the marketplace applied only go up, none is lost, and the
 * last is the member's newest. Nothing but the store carries over between the processes.
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
import { startSandboxMarketplace, type SandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import { Projector } from '../../projections/worker/projector.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { IDENTITY, PSEUDONYM_KEY, employee, IDENTITY_RULES } from '../projections/support.js';
import { MARKETPLACE_SECRET, appliedVersions, isIncreasing } from './support.js';
import { sleep, waitFor } from '../support/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MEMBERS = Array.from({ length: 10 }, (_, i) => `E${2000 + i}`);
const TIMEOUT_MS = 500; // the child's request timeout; its lease is 2 × 500 + 1000 ms

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function startWorker(sqlitePath: string, marketplaceUrl: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/lrs.js'), 'worker'], {
    env: {
      ...process.env,
      SQLITE_PATH: sqlitePath,
      LOG_LEVEL: 'error',
      HRIS_ACCOUNT_HOMEPAGE: IDENTITY.hrisAccountHomePage,
      PSEUDONYM_KEY,
      EMAIL_DOMAIN_ALIASES: 'old.acme.example=acme.example',
      MARKETPLACE_URL: marketplaceUrl,
      MARKETPLACE_SECRET,
      DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
      DELIVERY_CONCURRENCY: '3',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

let wave = 0;
/** One completion per member: every member's profile gets a new version. */
async function postWave(store: Store): Promise<void> {
  wave += 1;
  const clock = monotonicClock();
  const statements = MEMBERS.map((m) => ({
    actor: { mbox: `mailto:${m.toLowerCase()}@acme.example` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { id: `https://lms.example.com/courses/wave-${wave}` },
  }));
  const ctx = { store: store.statements, attachments: store.attachments, activities: store.activities, authority: { objectType: 'Agent', mbox: 'mailto:lrs@acme.example' }, now: clock };
  await storeStatements({ statements, asArray: true, attachments: [] }, ctx);
}

describe('marketplace push crash safety (real child process, SIGKILL mid-send)', () => {
  it('a deliverer killed mid-send resumes without losing or reordering versions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-delivery-crash-'));
    const sqlitePath = path.join(dir, 'lrs.db');
    const store = openSqliteStore(sqlitePath);
    let sandbox: SandboxMarketplace | undefined;
    try {
      sandbox = await startSandboxMarketplace({ secret: MARKETPLACE_SECRET });
      sandbox.setFaults({ mode: 'slow', delayMs: 120 });
      const clock = monotonicClock();
      for (const m of MEMBERS) {
        const e = employee(m);
        await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, IDENTITY) }, 'test', clock());
      }
      await postWave(store);
      const projector = new Projector({ store, mapping: loadMapping(), identity: IDENTITY_RULES, now: monotonicClock() });

      let killedInFlight = 0;
      for (let round = 0; round < 3; round++) {
        const received = sandbox.state.log.length;
        // Before the last round the projection catches up here, so the child sends each member's newest version.
        if (round === 2) while ((await projector.runBatch()).statements > 0);
        const child = startWorker(sqlitePath, sandbox.url);
        if (round < 2) {
          await waitFor('pushes from this worker', () => sandbox!.state.log.length >= received + 2 && sandbox!.state.inFlight > 0, 20_000);
          await postWave(store); // new versions while sends are in flight
          await sleep(40 + round * 30);
        } else {
          await waitFor('pushes in flight', () => sandbox!.state.log.length > received && sandbox!.state.inFlight > 0, 20_000);
        }
        if (sandbox.state.inFlight > 0) killedInFlight += 1;
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        // New versions while no deliverer runs; after the last kill none, so the versions in
        // flight at the kill are sent again under the same Idempotency-Key.
        if (round < 2) await postWave(store);
      }
      expect(killedInFlight).toBeGreaterThan(0);

      sandbox.setFaults({ mode: 'none' });
      const finisher = startWorker(sqlitePath, sandbox.url);
      const last = await store.statements.maxSeq();
      await waitFor(
        'every member delivered at its newest version',
        async () => {
          if ((await store.projections.checkpoint('statements')) !== last) return false;
          for (const m of MEMBERS) {
            const s = await store.delivery.status(m);
            if (!s || s.deliveredVersion !== s.version) return false;
          }
          return true;
        },
        30_000,
      );
      finisher.kill('SIGTERM');
      await new Promise((r) => finisher.once('exit', r));

      const applied = appliedVersions(sandbox);
      for (const m of MEMBERS) {
        const newest = (await store.projections.member(m))!.version;
        const versions = applied.get(m) ?? [];
        expect(isIncreasing(versions), `${m}: ${versions.join(',')}`).toBe(true);
        expect(versions.at(-1)).toBe(newest);
        expect((sandbox.state.profiles.get(m) as { completions: unknown[] }).completions).toHaveLength(wave);
      }
      // Never an older version after a newer one: the sandbox never had to refuse one.
      expect(sandbox.state.log.filter((p) => p.status === 409)).toEqual([]);
      expect(await store.delivery.deadLetters({ limit: 10 })).toEqual([]);
      // The pushes in flight at the last kill were applied by the marketplace but never
      // acknowledged to the dead sender: the next sender sent them again under the same key.
      expect(sandbox.state.log.filter((p) => p.replayed).length).toBeGreaterThan(0);
    } finally {
      await sandbox?.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
