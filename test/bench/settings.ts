/** Bench settings from the environment; every one is printed with the results. */

export interface BenchSettings {
  /** Measured seconds per figure (each run of each server). */
  seconds: number;
  /** Unmeasured seconds before each figure, so both servers are measured warm. */
  warmupSeconds: number;
  /** Keep-alive connections for the POST figures. */
  connections: number;
  /**
   * Keep-alive connections of the GET latency figure, one figure per count: 1 gives the latency
   * of a query alone; more give it under concurrent load (closed loop: past saturation, p95 grows
   * as connections ÷ throughput).
   */
  getConnections: number[];
  /** Statements per request in the batch figure. */
  batchSize: number;
  /** Statements ingested over HTTP (resident memory sampled) before the GET figures. */
  stored: number;
  /** Distinct agents (actors) in the generated statements. */
  agents: number;
  /** Backlog of the projection fold figure. */
  foldStatements: number;
  /** HRIS members of the fold and pipeline figures. */
  members: number;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return Number(raw);
}

function nonNegativeInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`${name} must be a whole number ≥ 0, got "${raw}"`);
  return Number(raw);
}

function positiveIntList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = raw.split(',').map((item) => item.trim());
  if (!items.every((item) => /^\d+$/.test(item) && Number(item) >= 1)) {
    throw new Error(`${name} must be whole numbers ≥ 1 separated by commas, got "${raw}"`);
  }
  return [...new Set(items.map(Number))];
}

export function loadSettings(): BenchSettings {
  return {
    seconds: positiveInt('BENCH_SECONDS', 10),
    warmupSeconds: nonNegativeInt('BENCH_WARMUP_SECONDS', 2),
    connections: positiveInt('BENCH_CONNECTIONS', 32),
    getConnections: positiveIntList('BENCH_GET_CONNECTIONS', [1, 8]),
    batchSize: positiveInt('BENCH_BATCH', 100),
    stored: positiveInt('BENCH_STORED', 1_000_000),
    agents: positiveInt('BENCH_AGENTS', 10_000),
    foldStatements: positiveInt('BENCH_FOLD_STATEMENTS', 1_000_000),
    members: positiveInt('BENCH_MEMBERS', 2_000),
  };
}
