/**
 * `npm run bench`: the performance figures of DESIGN.md §8, each beside the ceiling measured in
 * the same run (the same HTTP stack answering without validation or storage).
 *
 *   1. the ceiling server (ceiling.ts) as a child process: POST batch, POST single, GET;
 *   2. the real server (`node bin/lrs.js serve`) on an empty store: POST batch while its
 *      resident memory is sampled, then POST single;
 *   3. a store preloaded with BENCH_STORED statements (seed.ts), then the real server on it: GET
 *      by agent.
 *
 * Only one server runs at a time; the load generator (load.ts) runs in this process. Every
 * request goes to 127.0.0.1. Servers and temp files are removed on any exit.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { authorityFor } from '../../src/auth/credentials.js';
import { CREDENTIAL_HOMEPAGE } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config.js';
import { loadSettings, type BenchSettings } from './settings.js';
import { BodyFactory, COUNT_HEADER, agentMbox } from './statements.js';
import { freePort, killChildrenOnExit, removeTempDir, startServer, tempDir, type ServerChild } from './children.js';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { sampleRss, statusKb } from './memory.js';
import { cpuSnapshot, cpuUse, waitUntilIdle } from './machine.js';
import { preload } from './seed.js';
import { block, figuresTable, formatNumber as fmt, type Figure } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/test/bench
const ROOT = path.resolve(HERE, '../../..');
const CEILING_SCRIPT = path.join(HERE, 'ceiling.js');
const LRS_BIN = path.join(ROOT, 'bin', 'lrs.js');

const API_KEY = 'bench';
const API_SECRET = randomBytes(18).toString('base64url');
const XAPI_HEADERS = {
  Authorization: `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`,
  'X-Experience-API-Version': '1.0.3',
};
const STATEMENTS_PATH = '/xapi/statements';

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Extra node arguments for the real server children, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Statements in a store file (read-only, beside the running server: WAL readers do not block it). */
function storedCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM statements').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** Most the bench waits for lrs serve to answer its first request (on a preloaded store it may have work to do first). */
const LRS_READY_TIMEOUT_MS = 30 * 60_000;

async function startLrs(dir: string): Promise<ServerChild> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    STORE: 'sqlite',
    SQLITE_PATH: path.join(dir, 'lrs.db'),
    LRS_API_KEY: API_KEY,
    LRS_API_SECRET: API_SECRET,
    LOG_LEVEL: 'warn',
  };
  // The server's defaults, not whatever the calling shell has.
  delete env.MAX_PAGE_SIZE;
  delete env.MAX_BODY_BYTES;
  const server = await startServer({
    name: 'lrs serve',
    args: [...SERVER_NODE_ARGS, LRS_BIN, 'serve'],
    cwd: ROOT,
    env,
    port,
    readyPath: '/xapi/about',
    readyTimeoutMs: LRS_READY_TIMEOUT_MS,
  });
  log(`  lrs serve answered its first request ${seconds(server.readyMs)} after start (pid ${server.pid})`);
  return server;
}

async function startCeiling(): Promise<ServerChild> {
  const port = await freePort();
  return startServer({ name: 'ceiling', args: [CEILING_SCRIPT, String(port)], port, readyPath: '/xapi/about' });
}

/** One request by hand before a load, so a server that rejects the bench's requests stops the bench with its answer. */
async function preflight(server: ServerChild, init: { method: string; path: string; body?: string; headers: Record<string, string> }): Promise<string> {
  const response = await fetch(`${server.origin}${init.path}`, { method: init.method, headers: init.headers, body: init.body });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${server.name}: ${init.method} ${init.path.slice(0, 80)} answered ${response.status}: ${text.slice(0, 2_000)}`);
  }
  return text;
}

interface Measured {
  warmup: LoadResult | null;
  run: LoadResult;
  /** Cores' worth of CPU during the measured run. */
  cpu: { server: number; loadGenerator: number; others: number };
  /** How long the server stayed busy after the measured run ended (requests autocannon abandoned, projection catch-up). */
  drainMs: number;
}

/** Most CPU that other processes took during any measured run. */
let busiestOthers = 0;

/** A warm-up run (not measured) and the measured run, with one line of progress. */
async function measure(
  label: string,
  settings: BenchSettings,
  server: ServerChild,
  load: Omit<LoadOptions, 'seconds'>,
  describe: (r: LoadResult) => string,
): Promise<Measured> {
  const warmup = settings.warmupSeconds > 0 ? await runLoad({ ...load, seconds: settings.warmupSeconds }) : null;
  // autocannon stops without waiting for requests in flight; the server finishes them before the measured run starts.
  await waitUntilIdle(server.pid);
  const before = cpuSnapshot([server.pid, 'self']);
  const run = await runLoad({ ...load, seconds: settings.seconds });
  const use = cpuUse(before, cpuSnapshot([server.pid, 'self']));
  const drainMs = await waitUntilIdle(server.pid);
  server.assertRunning();
  const cpu = { server: use.processes[0] ?? 0, loadGenerator: use.processes[1] ?? 0, others: use.others };
  busiestOthers = Math.max(busiestOthers, cpu.others);
  const problems = run.non2xx + run.errors > 0 ? `  [non-2xx ${run.non2xx} ${JSON.stringify(run.statusCounts)}, errors ${run.errors}, timeouts ${run.timeouts}]` : '';
  log(`  ${label.padEnd(36)} ${describe(run)}${problems}`);
  const drained = drainMs >= 1_000 ? `; server busy ${seconds(drainMs)} more after the run` : '';
  log(`  ${''.padEnd(36)} cpu (cores): server ${cpu.server.toFixed(2)}, load generator ${cpu.loadGenerator.toFixed(2)}, other processes ${cpu.others.toFixed(2)}${drained}`);
  return { warmup, run, cpu, drainMs };
}

interface PostFigures {
  batch: Measured;
  single: Measured;
}

function postLoads(origin: string, settings: BenchSettings, bodies: BodyFactory) {
  const headers = (count: number) => ({ ...XAPI_HEADERS, 'Content-Type': 'application/json', [COUNT_HEADER]: String(count) });
  const batch: Omit<LoadOptions, 'seconds'> = {
    origin,
    method: 'POST',
    connections: settings.connections,
    headers: headers(settings.batchSize),
    nextPath: () => STATEMENTS_PATH,
    nextBody: () => bodies.batch(settings.batchSize),
  };
  const single: Omit<LoadOptions, 'seconds'> = { ...batch, headers: headers(1), nextBody: () => bodies.statement() };
  return { batch, single };
}

const perSecond = (r: LoadResult, multiplier = 1) => (r.ok * multiplier) / r.seconds;

async function main(): Promise<void> {
  killChildrenOnExit();
  const settings = loadSettings();
  const started = performance.now();
  const cpus = os.cpus();

  log('xAPI LRS bench (DESIGN.md §8)');
  log(
    block('environment', [
      ['node', `${process.version} (V8 ${process.versions.v8})`],
      ['CPUs', `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'} (availableParallelism ${os.availableParallelism()})`],
      ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
      ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['autocannon', packageVersion('autocannon')],
      ['hono / @hono/node-server', `${packageVersion('hono')} / ${packageVersion('@hono/node-server')}`],
      ['better-sqlite3 / SQLite', `${packageVersion('better-sqlite3')} / ${sqliteVersion()}`],
      ['load average at start', os.loadavg().map((l) => l.toFixed(2)).join(' ')],
    ]),
  );
  log(
    block('settings', [
      ['BENCH_SECONDS', `${settings.seconds} s measured per figure and server`],
      ['BENCH_WARMUP_SECONDS', `${settings.warmupSeconds} s unmeasured warm-up before each`],
      ['BENCH_CONNECTIONS', `${settings.connections} keep-alive connections for the POST figures (no pipelining)`],
      ['BENCH_GET_CONNECTIONS', `${settings.getConnections.join(', ')} keep-alive connections for the GET latency figures (one figure each)`],
      ['BENCH_BATCH', `${settings.batchSize} statements per batch POST`],
      ['BENCH_STORED', `${fmt(settings.stored, 0)} statements preloaded for the GET figure`],
      ['BENCH_PRELOAD_BATCH', `${fmt(settings.preloadBatch, 0)} statements per preload transaction`],
      ['BENCH_AGENTS', `${fmt(settings.agents, 0)} agents in the actor pool`],
      ['server', 'node bin/lrs.js serve, STORE=sqlite, fresh SQLITE_PATH in a temp dir, LOG_LEVEL=warn (no per-request log lines)'],
      ...(SERVER_NODE_ARGS.length > 0 ? ([['BENCH_SERVER_NODE_ARGS', SERVER_NODE_ARGS.join(' ')]] as [string, string][]) : []),
      ['load generator', 'autocannon in the bench process, same machine, 127.0.0.1 only'],
    ]),
  );

  const bodies = new BodyFactory(settings.agents);
  const agentPaths = Array.from(
    { length: settings.agents },
    (_, i) => `${STATEMENTS_PATH}?agent=${encodeURIComponent(JSON.stringify({ objectType: 'Agent', mbox: agentMbox(i) }))}`,
  );
  const randomAgentPath = () => agentPaths[Math.floor(Math.random() * agentPaths.length)] as string;
  const getLoad = (origin: string, connections: number): Omit<LoadOptions, 'seconds'> => ({
    origin,
    method: 'GET',
    connections,
    headers: XAPI_HEADERS,
    nextPath: randomAgentPath,
  });
  const describePost = (multiplier: number) => (r: LoadResult) =>
    multiplier === 1
      ? `${fmt(perSecond(r), 0)} requests/s (p95 ${fmt(r.p95, 1)} ms)`
      : `${fmt(perSecond(r, multiplier), 0)} statements/s = ${fmt(perSecond(r), 0)} requests/s (p95 ${fmt(r.p95, 1)} ms)`;
  const describeGet = (r: LoadResult) =>
    `p95 ${fmt(r.p95, 2)} ms (p50 ${fmt(r.p50, 2)}, p99 ${fmt(r.p99, 2)}), ${fmt(perSecond(r), 0)} requests/s, ${fmt(r.meanResponseBytes, 0)} B/response`;

  // 1. The ceiling.
  log('\n[1/3] ceiling: hono on @hono/node-server, no validation, auth, middleware or storage');
  const ceiling = await startCeiling();
  let ceilingPost: PostFigures;
  const ceilingGet = new Map<number, Measured>();
  {
    const loads = postLoads(ceiling.origin, settings, bodies);
    ceilingPost = {
      batch: await measure(`POST batches of ${settings.batchSize}`, settings, ceiling, loads.batch, describePost(settings.batchSize)),
      single: await measure('POST one statement per request', settings, ceiling, loads.single, describePost(1)),
    };
    for (const connections of settings.getConnections) {
      ceilingGet.set(connections, await measure(`GET fixed 3-statement page, ${connections} conn.`, settings, ceiling, getLoad(ceiling.origin, connections), describeGet));
    }
  }
  await ceiling.stop();

  // 2. The real server, ingesting into an empty store.
  log('\n[2/3] lrs serve on an empty store: POST (resident memory sampled every 200 ms during the batch figure)');
  const ingestDir = tempDir('lrs-bench-ingest-');
  const ingest = await startLrs(ingestDir);
  const loads = postLoads(ingest.origin, settings, bodies);
  const sampler = sampleRss(ingest.pid, 200);
  const samplingStarted = performance.now();
  const firstIds = JSON.parse(
    await preflight(ingest, { method: 'POST', path: STATEMENTS_PATH, body: bodies.batch(settings.batchSize), headers: loads.batch.headers }),
  ) as unknown[];
  if (!Array.isArray(firstIds) || firstIds.length !== settings.batchSize) throw new Error(`lrs serve: POST answered ${JSON.stringify(firstIds).slice(0, 200)}`);
  const realBatch = await measure(`POST batches of ${settings.batchSize}`, settings, ingest, loads.batch, describePost(settings.batchSize));
  const rss = sampler.stop();
  const samplingMs = performance.now() - samplingStarted;
  const hwmKb = statusKb(ingest.pid, 'VmHWM');
  const ingested = storedCount(path.join(ingestDir, 'lrs.db'));
  const realSingle = await measure('POST one statement per request', settings, ingest, loads.single, describePost(1));
  await ingest.stop();
  removeTempDir(ingestDir);

  // 3. The real server on a preloaded store.
  log(`\n[3/3] lrs serve on ${fmt(settings.stored, 0)} preloaded statements: GET ?agent= (default page)`);
  const queryDir = tempDir('lrs-bench-query-');
  const dbFile = path.join(queryDir, 'lrs.db');
  const seeded = await preload({
    file: dbFile,
    count: settings.stored,
    batchSize: settings.preloadBatch,
    agents: settings.agents,
    authority: authorityFor(API_KEY, CREDENTIAL_HOMEPAGE),
    onProgress: (done, ms) => log(`  preload ${fmt(done, 0).padStart(11)} / ${fmt(settings.stored, 0)}  ${seconds(ms).padStart(8)}  ${fmt(done / (ms / 1000), 0)} statements/s`),
  });
  const dbBytes = ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (fs.statSync(dbFile + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
  log(`  preloaded ${fmt(seeded.count, 0)} statements in ${seconds(seeded.elapsedMs)}; store file ${fmt(dbBytes / 2 ** 20, 0)} MiB`);
  const query = await startLrs(queryDir);
  // What one default page holds: a sample of agents, by hand.
  const sample = agentPaths.slice(0, 20);
  let sampleStatements = 0;
  let sampleMore = 0;
  for (const p of sample) {
    const page = JSON.parse(await preflight(query, { method: 'GET', path: p, headers: XAPI_HEADERS })) as { statements: unknown[]; more: string };
    sampleStatements += page.statements.length;
    if (page.more !== '') sampleMore++;
  }
  const realGet = new Map<number, Measured>();
  for (const connections of settings.getConnections) {
    realGet.set(connections, await measure(`GET ?agent=<random>, ${connections} conn.`, settings, query, getLoad(query.origin, connections), describeGet));
  }
  await query.stop();
  removeTempDir(queryDir);

  // The table.
  const figures: Figure[] = [
    {
      name: `POST /xapi/statements, batches of ${settings.batchSize}`,
      unit: 'statements/s',
      measured: perSecond(realBatch.run, settings.batchSize),
      ceiling: perSecond(ceilingPost.batch.run, settings.batchSize),
      better: 'higher',
      target: 20_000,
      digits: 0,
    },
    {
      name: 'POST /xapi/statements, one statement per request',
      unit: 'requests/s',
      measured: perSecond(realSingle.run),
      ceiling: perSecond(ceilingPost.single.run),
      better: 'higher',
      target: 3_000,
      digits: 0,
    },
    ...settings.getConnections.map(
      (connections): Figure => ({
        name: `GET /xapi/statements?agent=… on ${fmt(settings.stored, 0)} stored, p95, ${connections} conn.`,
        unit: 'ms',
        measured: (realGet.get(connections) as Measured).run.p95,
        ceiling: (ceilingGet.get(connections) as Measured).run.p95,
        better: 'lower',
        target: 10,
        digits: 2,
      }),
    ),
    {
      name: 'peak resident memory while ingesting (VmRSS)',
      unit: 'MB',
      measured: (rss.peakKb ?? Number.NaN) / 1024,
      ceiling: null,
      better: 'lower',
      target: 300,
      digits: 0,
    },
  ];
  const anyFailed = [ceilingPost.batch, ceilingPost.single, ...ceilingGet.values(), realBatch, realSingle, ...realGet.values()].some((m) => m.run.non2xx + m.run.errors > 0);

  log(`\nresults (ratio = measured ÷ ceiling: the share of the bare stack's throughput kept; for latency, times the bare stack's)`);
  log(figuresTable(figures));
  log('');
  log(
    block('notes', [
      ['ceiling', `hono ${packageVersion('hono')} on @hono/node-server, one route per method; POST reads the body as text and answers precomputed ids; GET a fixed page of 3 statements (${fmt([...ceilingGet.values()][0]?.run.meanResponseBytes ?? Number.NaN, 0)} B/response)`],
      ['real server', 'LOG_LEVEL=warn, so the per-request info log line is not written (the default LOG_LEVEL=info writes one JSON line per request)'],
      ['POST batch', `${fmt(realBatch.run.ok, 0)} requests of ${settings.batchSize} in ${realBatch.run.seconds} s; p95 ${fmt(realBatch.run.p95, 1)} ms (ceiling ${fmt(ceilingPost.batch.run.p95, 1)} ms)`],
      ['POST single', `${fmt(realSingle.run.ok, 0)} requests in ${realSingle.run.seconds} s into a store already holding ${fmt(ingested, 0)}; p95 ${fmt(realSingle.run.p95, 1)} ms (ceiling ${fmt(ceilingPost.single.run.p95, 1)} ms)`],
      ...settings.getConnections.map((connections): [string, string] => {
        const real = (realGet.get(connections) as Measured).run;
        const bare = (ceilingGet.get(connections) as Measured).run;
        return [
          `GET, ${connections} conn.`,
          `${fmt(perSecond(real), 0)} requests/s (ceiling ${fmt(perSecond(bare), 0)}); p50 ${fmt(real.p50, 2)} ms, p99 ${fmt(real.p99, 2)} ms; closed loop, so once the server is saturated p95 ≈ connections ÷ throughput`,
        ];
      }),
      ['GET page', `default page size (MAX_PAGE_SIZE unset: ${fmt(loadConfig({}).maxPageSize, 0)}); a sample of ${sample.length} agents got ${fmt(sampleStatements / sample.length, 1)} statements per page (${sampleMore} with a more link), ${fmt([...realGet.values()][0]?.run.meanResponseBytes ?? Number.NaN, 0)} B/response on average`],
      ['start-up', `lrs serve answered its first request ${seconds(ingest.readyMs)} after start on the empty store, ${seconds(query.readyMs)} after start on the preloaded one`],
      ['preload', `${fmt(seeded.count, 0)} statements in ${seconds(seeded.elapsedMs)} (${fmt(seeded.count / (seeded.elapsedMs / 1000), 0)} statements/s, ${fmt(settings.preloadBatch, 0)} per transaction, through openSqliteStore + keys.ts shaping)`],
      ['memory', `peak VmRSS ${fmt((rss.peakKb ?? Number.NaN) / 1024, 0)} MB over ${rss.samples} samples in ${seconds(samplingMs)}, while ingesting ${fmt(ingested, 0)} statements from an empty store (counted in the store file; warm-up and requests finished after the load stopped included) (VmHWM ${fmt((hwmKb ?? Number.NaN) / 1024, 0)} MB); the target is for 1,000,000 ingested`],
      ['load generator', 'shares the CPUs with the server; near the ceiling of small requests it, not the server, may be the limit'],
      ['listen address', 'lrs serve binds 0.0.0.0 (src/cli/serve.ts); the bench sends only to 127.0.0.1'],
      [
        'machine',
        busiestOthers > 0.1
          ? `SHARED: other processes took up to ${busiestOthers.toFixed(2)} of ${os.cpus().length} cores during a measured run (see the cpu lines), which depresses the figures`
          : `quiet: other processes took at most ${busiestOthers.toFixed(2)} cores during any measured run`,
      ],
      ['non-2xx / errors', anyFailed ? 'SOME — see the bracketed counts above' : 'none'],
      ['total time', seconds(performance.now() - started)],
    ]),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
