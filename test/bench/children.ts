/**
 * Server child processes: started on a free loopback port, awaited until they answer, stopped
 * with SIGTERM (SIGKILL after a grace period), and killed on any exit of the bench, error or not.
 * Temporary directories registered here are removed at exit too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../support/wait.js';

export const HOST = '127.0.0.1';

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function cleanUpNow(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Installs the exit hooks once: children die with the bench, whichever way it ends. */
export function killChildrenOnExit(): void {
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
      cleanUpNow();
      process.exit(130);
    });
  }
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerChild {
  name: string;
  pid: number;
  /** Throws, with the child's last output, when it has exited. */
  assertRunning(): void;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** From spawn to the first 200 on the ready path. */
  readyMs: number;
  /** The child's last output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Arguments to node (script first). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  port: number;
  /** A path that answers 200 once the server is up. */
  readyPath: string;
  readyTimeoutMs?: number;
}

export async function startServer(options: StartOptions): Promise<ServerChild> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
    running.delete(child);
  });

  const origin = `http://${HOST}:${options.port}`;
  const spawned = performance.now();
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exitedEarly) {
      throw new Error(`${options.name} exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${tail}`);
    }
    try {
      // A server whose event loop is busy holds the connection unanswered: give up on this probe and retry.
      const response = await fetch(`${origin}${options.readyPath}`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not answer ${options.readyPath} within ${options.readyTimeoutMs ?? 20_000} ms:\n${tail}`);
    }
    await sleep(100);
  }
  const readyMs = performance.now() - spawned;

  return {
    name: options.name,
    pid: child.pid as number,
    origin,
    readyMs,
    output: () => tail,
    assertRunning() {
      if (exitedEarly) throw new Error(`${options.name} exited (code ${child.exitCode}, signal ${child.signalCode}); its last output:\n${tail}`);
    },
    async stop() {
      if (exitedEarly) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!graceful) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Runs a command to its end (killed with the bench if it is still running); rejects with its output's tail unless it exits 0. */
export async function runCommand(options: { name: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let tail = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-8_000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  running.delete(child);
  if (code !== 0) throw new Error(`${options.name} exited with ${code}:\n${tail}${stdout.slice(-2_000)}`);
  return { ms: performance.now() - started, stdout };
}
