/**
 * `npm run bench`: the performance figures of the README's "Performance" section, each beside
 * the ceiling measured in the same run (the same HTTP stack answering without validation or
 * storage) where there is one, in one table.
 *
 *   1. the ceiling server (ceiling.ts) as a child process: POST batch, POST single, GET;
 *   2. the real server (`node bin/lrs.js serve`) on an empty store: POST batch, then POST single;
 *   3. the real server ingesting BENCH_STORED statements over HTTP while its resident memory is
 *      sampled; the store's size per statement; then GET by agent on that store, served by a
 *      fresh server;
 *   4. the projection fold of a backlog, in-process (pipeline.ts);
 *   5. initial sync and POST → marketplace lag: `lrs serve` pushing to `lrs sandbox-marketplace`.
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
import { loadConfig } from '../../src/config.js';
import { loadSettings, type BenchSettings } from './settings.js';
import { BodyFactory, COUNT_HEADER, agentMbox } from './statements.js';
import { freePort, killChildrenOnExit, removeTempDir, runCommand, startServer, tempDir, type ServerChild } from './children.js';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { sampleRss, statusKb } from './memory.js';
import { cpuSnapshot, cpuUse, waitUntilIdle } from './machine.js';
import { measureFold, measurePipeline, percentile } from './pipeline.js';
import { measureReconciliation } from './reconciliation.js';
import { block, figuresTable, formatNumber as fmt, type Figure } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/test/bench
/** Members of the reconciliation figure (issue: "the reconciliation time for 10,000 members"). */
const RECONCILE_MEMBERS = 10_000;
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

interface StoreSizes {
  statements: number;
  /** Mean length of the stored statements' JSON (what format=exact answers). */
  jsonBytes: number;
  /** Pages of the statement aggregate's tables and indexes (statements, keys, key names). */
  statementBytes: number;
  /** The database file with its WAL. */
  fileBytes: number;
}

/** What a store file holds (read-only, beside the running server: WAL readers do not block it). */
function storeSizes(file: string): StoreSizes {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const { n, json } = db.prepare('SELECT COUNT(*) AS n, AVG(LENGTH(body)) AS json FROM statements').get() as { n: number; json: number };
    const statementBytes = (
      db
        .prepare(
          `SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN ('statements', 'statement_keys', 'statement_keys_recent', 'statement_key_names'))`,
        )
        .get() as { bytes: number }
    ).bytes;
    const fileBytes = ['', '-wal'].reduce((sum, suffix) => sum + (fs.statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    return { statements: n, jsonBytes: json, statementBytes, fileBytes };
  } finally {
    db.close();
  }
}

/** Checkpoints the store's WAL into the file and writes the file back to disk; returns how long it took. */
function settle(file: string): number {
  const started = performance.now();
  const db = new Database(file, { fileMustExist: true, timeout: 60_000 });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return performance.now() - started;
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

  log('xAPI LRS bench');
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
      ['BENCH_SECONDS', `${settings.seconds} s measured per figure and server (and of the steady 1,000 statements/s load)`],
      ['BENCH_WARMUP_SECONDS', `${settings.warmupSeconds} s unmeasured warm-up before each`],
      ['BENCH_CONNECTIONS', `${settings.connections} keep-alive connections for the POST figures and the ingest (no pipelining)`],
      ['BENCH_GET_CONNECTIONS', `${settings.getConnections.join(', ')} keep-alive connections for the GET latency figures (one figure each)`],
      ['BENCH_BATCH', `${settings.batchSize} statements per batch POST`],
      ['BENCH_STORED', `${fmt(settings.stored, 0)} statements ingested over HTTP (memory sampled) before the GET figures`],
      ['BENCH_AGENTS', `${fmt(settings.agents, 0)} agents in the actor pool`],
      ['BENCH_FOLD_STATEMENTS', `${fmt(settings.foldStatements, 0)} statements in the fold backlog`],
      ['BENCH_MEMBERS', `${fmt(settings.members, 0)} HRIS members of the fold and pipeline figures`],
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
  log('\n[1/6] ceiling: hono on @hono/node-server, no validation, auth, middleware or storage');
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

  // 2. The real server, on an empty store.
  log('\n[2/6] lrs serve on an empty store: POST');
  const postDir = tempDir('lrs-bench-post-');
  const post = await startLrs(postDir);
  const loads = postLoads(post.origin, settings, bodies);
  const firstIds = JSON.parse(
    await preflight(post, { method: 'POST', path: STATEMENTS_PATH, body: bodies.batch(settings.batchSize), headers: loads.batch.headers }),
  ) as unknown[];
  if (!Array.isArray(firstIds) || firstIds.length !== settings.batchSize) throw new Error(`lrs serve: POST answered ${JSON.stringify(firstIds).slice(0, 200)}`);
  const realBatch = await measure(`POST batches of ${settings.batchSize}`, settings, post, loads.batch, describePost(settings.batchSize));
  const afterBatch = storeSizes(path.join(postDir, 'lrs.db')).statements;
  const realSingle = await measure('POST one statement per request', settings, post, loads.single, describePost(1));
  await post.stop();
  removeTempDir(postDir);

  // 3. Ingest BENCH_STORED statements, then query them.
  const requests = Math.ceil(settings.stored / settings.batchSize);
  log(`\n[3/6] lrs serve ingesting ${fmt(requests * settings.batchSize, 0)} statements (resident memory sampled every 200 ms), then GET ?agent= on them`);
  const storeDir = tempDir('lrs-bench-store-');
  const dbFile = path.join(storeDir, 'lrs.db');
  const ingestServer = await startLrs(storeDir);
  const sampler = sampleRss(ingestServer.pid, 200);
  const ingestCpu = cpuSnapshot([ingestServer.pid, 'self']);
  const ingest = await runLoad({ ...postLoads(ingestServer.origin, settings, bodies).batch, seconds: 0, amount: requests });
  const ingestUse = cpuUse(ingestCpu, cpuSnapshot([ingestServer.pid, 'self']));
  const rss = sampler.stop();
  const hwmKb = statusKb(ingestServer.pid, 'VmHWM');
  log(
    `  ingested ${fmt(ingest.ok * settings.batchSize, 0)} statements in ${ingest.seconds} s: ${fmt(perSecond(ingest, settings.batchSize), 0)} statements/s (p95 ${fmt(ingest.p95, 1)} ms), peak VmRSS ${fmt((rss.peakKb ?? Number.NaN) / 1024, 0)} MB` +
      (ingest.non2xx + ingest.errors > 0 ? `  [non-2xx ${ingest.non2xx} ${JSON.stringify(ingest.statusCounts)}, errors ${ingest.errors}]` : ''),
  );
  log(`  ${''.padEnd(36)} cpu (cores): server ${(ingestUse.processes[0] ?? 0).toFixed(2)}, load generator ${(ingestUse.processes[1] ?? 0).toFixed(2)}, other processes ${ingestUse.others.toFixed(2)}`);
  busiestOthers = Math.max(busiestOthers, ingestUse.others);
  // The projection worker folds what was ingested (every actor unmatched: no HRIS members here) before GETs are timed.
  const catchUpMs = await waitUntilIdle(ingestServer.pid, { timeoutMs: 30 * 60_000 });
  log(`  the projection worker caught up ${seconds(catchUpMs)} after the ingest`);
  await ingestServer.stop();
  const settleMs = settle(dbFile);
  log(`  WAL checkpointed and the file written back in ${seconds(settleMs)}, so the kernel's writeback does not overlap the GET figures`);
  // A fresh server on the stored statements, as after a restart: the GETs measure the store, not the ingest's heap.
  const server = await startLrs(storeDir);
  const sizes = storeSizes(dbFile);
  log(
    `  store: ${fmt(sizes.statements, 0)} statements of ${fmt(sizes.jsonBytes, 0)} B JSON on average; statement tables and indexes ${fmt(sizes.statementBytes / sizes.statements, 0)} B per statement; whole file (projection included) ${fmt(sizes.fileBytes / 2 ** 20, 0)} MiB`,
  );
  // What one default page holds: a sample of agents, by hand.
  const sample = agentPaths.slice(0, 20);
  let sampleStatements = 0;
  let sampleMore = 0;
  for (const p of sample) {
    const page = JSON.parse(await preflight(server, { method: 'GET', path: p, headers: XAPI_HEADERS })) as { statements: unknown[]; more: string };
    sampleStatements += page.statements.length;
    if (page.more !== '') sampleMore++;
  }
  const realGet = new Map<number, Measured>();
  for (const connections of settings.getConnections) {
    realGet.set(connections, await measure(`GET ?agent=<random>, ${connections} conn.`, settings, server, getLoad(server.origin, connections), describeGet));
  }
  const getReadyMs = server.readyMs;
  await server.stop();
  // Export the ingested store, then import the file into a fresh one (ARCHITECTURE.md §10).
  const exportFile = path.join(storeDir, 'statements.ndjson');
  const commandEnv = (sqlitePath: string): NodeJS.ProcessEnv => ({ ...process.env, STORE: 'sqlite', SQLITE_PATH: sqlitePath, LOG_LEVEL: 'warn' });
  const exported = await runCommand({ name: 'lrs export', args: [LRS_BIN, 'export', 'statements', '--out', exportFile], cwd: ROOT, env: commandEnv(dbFile) });
  const exportCount = (JSON.parse(exported.stdout) as { count: number }).count;
  log(`  lrs export statements: ${fmt(exportCount, 0)} statements (${fmt(fs.statSync(exportFile).size / 2 ** 20, 0)} MiB NDJSON) in ${seconds(exported.ms)}: ${fmt(exportCount / (exported.ms / 1000), 0)} statements/s`);
  const importDir = tempDir('lrs-bench-import-');
  const imported = await runCommand({ name: 'lrs import', args: [LRS_BIN, 'import', 'statements', exportFile], cwd: ROOT, env: commandEnv(path.join(importDir, 'lrs.db')) });
  const importReport = JSON.parse(imported.stdout) as { imported: number; unchanged: number; rejected: unknown[] };
  if (importReport.imported !== exportCount) throw new Error(`lrs import stored ${importReport.imported} of ${exportCount} statements: ${imported.stdout.slice(0, 2_000)}`);
  log(`  lrs import statements: ${fmt(importReport.imported, 0)} statements into a fresh store in ${seconds(imported.ms)}: ${fmt(importReport.imported / (imported.ms / 1000), 0)} statements/s`);
  removeTempDir(importDir);
  removeTempDir(storeDir);

  // 4. The projection fold.
  log(`\n[4/6] projection fold: ${fmt(settings.foldStatements, 0)} statements of ${fmt(settings.members, 0)} members, stored through the write path, then folded in-process`);
  const fold = await measureFold({ statements: settings.foldStatements, members: settings.members, onProgress: log });
  log(`  folded ${fmt(fold.folded, 0)} statements in ${seconds(fold.seconds * 1000)}: ${fmt(fold.perSecond, 0)} statements/s (batches of ${fmt(fold.batchSize, 0)}; storing the backlog took ${seconds(fold.storeSeconds * 1000)})`);

  // 5. Initial sync and lag to the marketplace.
  log(`\n[5/6] lrs serve pushing to lrs sandbox-marketplace: initial sync of ${fmt(settings.members, 0)} members, then 1,000 statements/s for ${settings.seconds} s`);
  const pipeline = await measurePipeline({ lrsBin: LRS_BIN, members: settings.members, seconds: settings.seconds });
  log(
    `  initial sync ${fmt(settings.members / pipeline.syncSeconds, 0)} profiles/s; POST → profile API p95 ${fmt(percentile(pipeline.profileLag, 95), 0)} ms, → marketplace p95 ${fmt(percentile(pipeline.marketplaceLag, 95), 0)} ms (${pipeline.marketplaceLag.length} samples; ${fmt(pipeline.posted, 0)} statements stored, ${pipeline.postErrors} failed requests)`,
  );

  // 6. Reconciliation against the sandbox marketplace (ARCHITECTURE.md §9; no target).
  log(`\n[6/6] lrs reconcile: ${fmt(RECONCILE_MEMBERS, 0)} published members against the sandbox marketplace, 1% of them dropped there`);
  const reconciliation = await measureReconciliation(RECONCILE_MEMBERS);
  log(`  report only: ${seconds(reconciliation.reportSeconds * 1000)} (${fmt(RECONCILE_MEMBERS / reconciliation.reportSeconds, 0)} members/s, drift ${reconciliation.report.drift_pct}%); --fix: ${seconds(reconciliation.fixSeconds * 1000)} (${reconciliation.fixed.fixed} repaired, drift after ${reconciliation.fixed.drift_pct_after}%)`);

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
        name: `GET /xapi/statements?agent=… on ${fmt(sizes.statements, 0)} stored, p95, ${connections} conn.`,
        unit: 'ms',
        measured: (realGet.get(connections) as Measured).run.p95,
        ceiling: (ceilingGet.get(connections) as Measured).run.p95,
        better: 'lower',
        target: 10,
        digits: 2,
      }),
    ),
    { name: `projection fold (backlog of ${fmt(fold.folded, 0)} statements)`, unit: 'statements/s', measured: fold.perSecond, ceiling: null, better: 'higher', target: 20_000, digits: 0 },
    { name: 'POST to marketplace receipt, steady 1,000 statements/s, p95', unit: 'ms', measured: percentile(pipeline.marketplaceLag, 95), ceiling: null, better: 'lower', target: 1_000, digits: 0 },
    { name: `resident memory while ingesting ${fmt(ingest.ok * settings.batchSize, 0)} statements (peak VmRSS)`, unit: 'MB', measured: (rss.peakKb ?? Number.NaN) / 1024, ceiling: null, better: 'lower', target: 300, digits: 0 },
    { name: `export of ${fmt(exportCount, 0)} statements (NDJSON, lrs export)`, unit: 'statements/s', measured: exportCount / (exported.ms / 1000), ceiling: null, better: 'higher', target: 50_000, digits: 0 },
    { name: 'import of the same file into a fresh store (lrs import)', unit: 'statements/s', measured: importReport.imported / (imported.ms / 1000), ceiling: null, better: 'higher', target: 20_000, digits: 0 },
    { name: 'store size per stored statement, × its JSON', unit: '×', measured: sizes.statementBytes / sizes.statements / sizes.jsonBytes, ceiling: null, better: 'lower', target: 1.5, digits: 2 },
  ];
  const anyFailed = [ceilingPost.batch, ceilingPost.single, ...ceilingGet.values(), realBatch, realSingle, ...realGet.values()].some((m) => m.run.non2xx + m.run.errors > 0) || ingest.non2xx + ingest.errors > 0;

  log(`\nresults (ratio = measured ÷ ceiling: the share of the bare stack's throughput kept; for latency, times the bare stack's)`);
  log(figuresTable(figures));
  log('');
  log(
    block('notes', [
      ['ceiling', `hono ${packageVersion('hono')} on @hono/node-server, one route per method; POST reads the body as text and answers precomputed ids; GET a fixed page of 3 statements (${fmt([...ceilingGet.values()][0]?.run.meanResponseBytes ?? Number.NaN, 0)} B/response)`],
      ['real server', 'LOG_LEVEL=warn, so the per-request info log line is not written (the default LOG_LEVEL=info writes one JSON line per request)'],
      ['POST batch', `${fmt(realBatch.run.ok, 0)} requests of ${settings.batchSize} in ${realBatch.run.seconds} s; p95 ${fmt(realBatch.run.p95, 1)} ms (ceiling ${fmt(ceilingPost.batch.run.p95, 1)} ms)`],
      ['POST single', `${fmt(realSingle.run.ok, 0)} requests in ${realSingle.run.seconds} s into a store already holding ${fmt(afterBatch, 0)}; p95 ${fmt(realSingle.run.p95, 1)} ms (ceiling ${fmt(ceilingPost.single.run.p95, 1)} ms)`],
      ...settings.getConnections.map((connections): [string, string] => {
        const real = (realGet.get(connections) as Measured).run;
        const bare = (ceilingGet.get(connections) as Measured).run;
        return [
          `GET, ${connections} conn.`,
          `${fmt(perSecond(real), 0)} requests/s (ceiling ${fmt(perSecond(bare), 0)}); p50 ${fmt(real.p50, 2)} ms, p99 ${fmt(real.p99, 2)} ms; closed loop, so once the server is saturated p95 ≈ connections ÷ throughput`,
        ];
      }),
      ['GET page', `default page size (MAX_PAGE_SIZE unset: ${fmt(loadConfig({}).maxPageSize, 0)}); a sample of ${sample.length} agents got ${fmt(sampleStatements / sample.length, 1)} statements per page (${sampleMore} with a more link), ${fmt([...realGet.values()][0]?.run.meanResponseBytes ?? Number.NaN, 0)} B/response on average`],
      ['ingest', `${fmt(ingest.ok, 0)} POSTs of ${settings.batchSize} over ${settings.connections} connections, as fast as the server answers: ${fmt(perSecond(ingest, settings.batchSize), 0)} statements/s; peak VmRSS ${fmt((rss.peakKb ?? Number.NaN) / 1024, 0)} MB over ${rss.samples} samples (VmHWM ${fmt((hwmKb ?? Number.NaN) / 1024, 0)} MB)`],
      ['store size', `statements, statement_keys (both parts) and statement_key_names (SQLite dbstat): ${fmt(sizes.statementBytes / sizes.statements, 0)} B per statement for ${fmt(sizes.jsonBytes, 0)} B of stored JSON; the whole file with its WAL and the projection's tables: ${fmt(sizes.fileBytes / sizes.statements, 0)} B per statement`],
      ['fold', `${fmt(settings.members, 0)} members, 50 courses, 6 verbs, a score on every third statement; batches of ${fmt(fold.batchSize, 0)}`],
      ['pipeline', `${fmt(pipeline.profileLag.length, 0)} timed completions; POST → profile API p50 ${fmt(percentile(pipeline.profileLag, 50), 0)} ms, p95 ${fmt(percentile(pipeline.profileLag, 95), 0)} ms; → marketplace p50 ${fmt(percentile(pipeline.marketplaceLag, 50), 0)} ms; samples that never arrived within 30 s are left out of the percentiles`],
      ['reconciliation', `${fmt(RECONCILE_MEMBERS, 0)} members: ${seconds(reconciliation.reportSeconds * 1000)} to compare (signed listing pages of 500 merged with the store's), ${seconds(reconciliation.fixSeconds * 1000)} with --fix of ${reconciliation.fixed.fixed} dropped (repairs delivered and read back); no §8 target`],
      ['start-up', `lrs serve answered its first request ${seconds(post.readyMs)} after start on an empty store, ${seconds(getReadyMs)} after start on ${fmt(sizes.statements, 0)} stored`],
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
