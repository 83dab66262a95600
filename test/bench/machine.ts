/**
 * Where the machine's CPU time went during a run (Linux /proc): the server, the load generator
 * (this process) and everything else. The bench shares its machine; CPU taken by other
 * processes depresses every figure, so each figure is printed with it.
 */
import fs from 'node:fs';
import os from 'node:os';
import { sleep } from '../support/wait.js';

export interface CpuSnapshot {
  /** Clock ticks of all CPUs: busy, and busy + idle. */
  busy: number;
  total: number;
  /** utime + stime ticks of each watched process (0 when unreadable). */
  processes: number[];
}

function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

function processTicks(pid: number | 'self'): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function cpuSnapshot(pids: (number | 'self')[]): CpuSnapshot {
  return { ...machineTicks(), processes: pids.map(processTicks) };
}

export interface CpuUse {
  /** Cores' worth of CPU used by each watched process, in the order given. */
  processes: number[];
  /** Cores' worth used by every other process on the machine. */
  others: number;
}

export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const cores = os.cpus().length;
  const ticksPerCore = (after.total - before.total) / cores;
  if (!(ticksPerCore > 0)) return { processes: before.processes.map(() => 0), others: 0 };
  const processes = after.processes.map((t, i) => (t - (before.processes[i] ?? 0)) / ticksPerCore);
  const watched = processes.reduce((sum, c) => sum + c, 0);
  const others = Math.max(0, (after.busy - before.busy) / ticksPerCore - watched);
  return { processes, others };
}

/**
 * Waits until a process uses (almost) no CPU: a server still working through requests that a
 * finished load run abandoned would otherwise spend the next run's first seconds on them.
 * Returns how long it waited, in ms.
 */
export async function waitUntilIdle(pid: number, options: { windowMs?: number; maxCores?: number; timeoutMs?: number } = {}): Promise<number> {
  const windowMs = options.windowMs ?? 500;
  const maxCores = options.maxCores ?? 0.1;
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 180_000);
  for (;;) {
    const before = cpuSnapshot([pid]);
    await sleep(windowMs);
    const [cores = 0] = cpuUse(before, cpuSnapshot([pid])).processes;
    if (cores <= maxCores || performance.now() > deadline) return performance.now() - started - windowMs;
  }
}
