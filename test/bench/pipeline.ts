/**
 * The projection and delivery figures of the bench (run.ts):
 *
 *   - fold throughput: the projector folding a backlog in-process (no HTTP), stored through the
 *     real write path (lrs/statements/write.ts) for BENCH_MEMBERS HRIS members;
 *   - initial sync: HRIS import of BENCH_MEMBERS employees into a real `lrs serve` child that
 *     pushes to a real `lrs sandbox-marketplace` child — profiles delivered per second;
 *   - steady load: 1,000 statements/s (10 POSTs of 100 per second) for BENCH_SECONDS while
 *     sample completions are timed from their POST's 200 to the profile API showing them and
 *     to the sandbox marketplace holding them (p50/p95).
 * Every request goes to 127.0.0.1.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { monotonicClock } from '../../src/clock.js';
import { storeStatements } from '../../lrs/statements/write.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { employeeIdentityKeys, NO_IDENTITY_CONFIG } from '../../projections/identity/keys.js';
import { DEFAULT_BATCH_SIZE, Projector } from '../../projections/worker/projector.js';
import { identityRules } from '../../projections/worker/runtime.js';
import type { Employee } from '../../src/storage/identity-port.js';
import { freePort, removeTempDir, startServer, tempDir } from './children.js';
import { sleep } from '../support/wait.js';

const STEADY_RATE = 1_000;
const SAMPLES_PER_SECOND = 5;
const ADL = 'http://adlnet.gov/expapi/verbs/';
const memberId = (i: number) => `E${100_000 + i}`;
const email = (i: number) => `m${i}@bench.example`;

/** Statement `i` of the projection figures: member i mod members, one of 50 courses, a score on every third. */
function statement(i: number, members: number, activity = `https://lms.bench.example/courses/c${i % 50}`): Record<string, unknown> {
  const verbs = ['completed', 'passed', 'failed', 'launched', 'experienced', 'scored'];
  return {
    actor: { mbox: `mailto:${email(i % members)}` },
    verb: { id: `${ADL}${verbs[i % verbs.length]}` },
    object: { id: activity },
    ...(i % 3 === 0 ? { result: { score: { scaled: (i % 100) / 100 } } } : {}),
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  };
}

function employee(i: number): Employee {
  return { employeeId: memberId(i), email: email(i), secondaryEmails: [], givenName: 'B', familyName: `${i}`, department: 'D', managerId: null, jobTitle: 'J', workerType: 'employee', status: 'active' };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export interface FoldFigure {
  perSecond: number;
  seconds: number;
  folded: number;
  storeSeconds: number;
  batchSize: number;
}

export async function measureFold(options: { statements: number; members: number; batchSize?: number; onProgress?: (line: string) => void }): Promise<FoldFigure> {
  const dir = tempDir('lrs-bench-fold-');
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  try {
    const clock = monotonicClock();
    for (let i = 0; i < options.members; i++) {
      const e = employee(i);
      await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, NO_IDENTITY_CONFIG) }, 'bench', clock());
    }
    const ctx = { store: store.statements, attachments: store.attachments, activities: store.activities, authority: { objectType: 'Agent', mbox: 'mailto:bench@bench.example' }, now: clock };
    const storing = performance.now();
    const tenth = Math.max(500, Math.round(options.statements / 10 / 500) * 500);
    for (let i = 0; i < options.statements; i += 500) {
      const n = Math.min(500, options.statements - i);
      await storeStatements({ statements: Array.from({ length: n }, (_, k) => statement(i + k, options.members)), asArray: true, attachments: [] }, ctx);
      if ((i + n) % tenth === 0) options.onProgress?.(`  backlog ${(i + n).toLocaleString('en-US')} stored`);
    }
    const storeSeconds = (performance.now() - storing) / 1000;
    // Every bench member is an employee, published under its employee id: the pseudonym key is never used.
    const projector = new Projector({ store, mapping: loadMapping(), now: clock, identity: identityRules(NO_IDENTITY_CONFIG, 'bench-pseudonym-key') });
    await projector.runBatch(options.members + 1); // the employees (profile creation) are not part of the figure
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const started = performance.now();
    let folded = 0;
    for (;;) {
      const r = await projector.runBatch(batchSize);
      if (r.statements === 0) break;
      folded += r.statements;
    }
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: folded / seconds, seconds, folded, storeSeconds, batchSize };
  } finally {
    await store.close();
    removeTempDir(dir);
  }
}

export interface PipelineFigures {
  syncSeconds: number;
  profileLag: number[];
  marketplaceLag: number[];
  posted: number;
  postErrors: number;
}

export async function measurePipeline(options: { lrsBin: string; members: number; seconds: number }): Promise<PipelineFigures> {
  const { members } = options;
  const secret = randomBytes(24).toString('base64url');
  const key = 'bench';
  const apiSecret = randomBytes(18).toString('base64url');
  const auth = `Basic ${Buffer.from(`${key}:${apiSecret}`).toString('base64')}`;
  const sandboxPort = await freePort();
  const sandbox = await startServer({
    name: 'sandbox-marketplace',
    args: [options.lrsBin, 'sandbox-marketplace', '--port', String(sandboxPort)],
    env: { ...process.env, MARKETPLACE_SECRET: secret },
    port: sandboxPort,
    readyPath: '/_faults',
  });
  const lrsPort = await freePort();
  const dir = tempDir('lrs-bench-pipeline-');
  const lrs = await startServer({
    name: 'lrs serve',
    args: [options.lrsBin, 'serve'],
    env: { ...process.env, PORT: String(lrsPort), SQLITE_PATH: path.join(dir, 'lrs.db'), LRS_API_KEY: key, LRS_API_SECRET: apiSecret, LOG_LEVEL: 'warn', PSEUDONYM_KEY: randomBytes(16).toString('hex'), MARKETPLACE_URL: sandbox.origin, MARKETPLACE_SECRET: secret },
    port: lrsPort,
    readyPath: '/health',
  });
  try {
    const header = 'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status';
    const rows = Array.from({ length: members }, (_, i) => `${memberId(i)},${email(i)},,B,${i},D,,J,employee,active`);
    const syncStart = performance.now();
    const imported = await fetch(`${lrs.origin}/hris/v1/employees`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'text/csv' }, body: [header, ...rows].join('\n') });
    if (!imported.ok) throw new Error(`HRIS import failed: ${imported.status} ${await imported.text()}`);
    for (;;) {
      const held = ((await (await fetch(`${sandbox.origin}/_held`)).json()) as { profiles: unknown[] }).profiles.length;
      if (held >= members) break;
      lrs.assertRunning();
      await sleep(100);
    }
    const syncSeconds = (performance.now() - syncStart) / 1000;

    const xapi = { Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' };
    let posted = 0;
    let postErrors = 0;
    let n = 0;
    const deadline = performance.now() + options.seconds * 1000;
    const background = (async () => {
      // 10 batches of 100 per second, each on its own schedule slot so the rate stays steady.
      for (let tick = 0; performance.now() < deadline; tick++) {
        const due = deadline - options.seconds * 1000 + tick * 100;
        if (due > performance.now()) await sleep(due - performance.now());
        const body = JSON.stringify(Array.from({ length: STEADY_RATE / 10 }, () => statement(n++, members)));
        void fetch(`${lrs.origin}/xapi/statements`, { method: 'POST', headers: xapi, body }).then(
          async (r) => {
            await r.arrayBuffer();
            if (r.ok) posted += STEADY_RATE / 10;
            else postErrors += 1;
          },
          () => (postErrors += 1),
        );
      }
    })();

    const profileLag: number[] = [];
    const marketplaceLag: number[] = [];
    const samples: Promise<void>[] = [];
    for (let s = 0; performance.now() < deadline - 500; s++) {
      const i = (s * 7919) % members;
      const activity = `https://lms.bench.example/samples/${s}`;
      samples.push(
        (async () => {
          const res = await fetch(`${lrs.origin}/xapi/statements`, { method: 'POST', headers: xapi, body: JSON.stringify({ ...statement(i, members, activity), verb: { id: `${ADL}completed` } }) });
          await res.arrayBuffer();
          const t0 = performance.now();
          const has = (profile: { completions?: { activity_id: string }[] }) => profile.completions?.some((c) => c.activity_id === activity) ?? false;
          const waitFor = async (url: string, headers: Record<string, string>, into: number[]) => {
            for (const end = t0 + 30_000; performance.now() < end; await sleep(10)) {
              const r = await fetch(url, { headers });
              if (r.ok && has((await r.json()) as { completions?: { activity_id: string }[] })) return void into.push(performance.now() - t0);
              if (!r.ok) await r.arrayBuffer();
            }
          };
          await Promise.all([
            waitFor(`${lrs.origin}/marketplace/v1/profiles/${memberId(i)}`, { Authorization: auth }, profileLag),
            waitFor(`${sandbox.origin}/_held/${memberId(i)}`, {}, marketplaceLag),
          ]);
        })(),
      );
      await sleep(1000 / SAMPLES_PER_SECOND);
    }
    await background;
    await Promise.all(samples);
    return { syncSeconds, profileLag, marketplaceLag, posted, postErrors };
  } finally {
    await lrs.stop();
    await sandbox.stop();
    removeTempDir(dir);
  }
}
