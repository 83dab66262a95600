/**
 * Heap limits of the process's worker threads (the SQLite writer and reader, the background
 * work of `lrs serve`). Each V8 heap grows its young generation to 32 MiB under load; at 8 MiB
 * the three threads of an ingesting `lrs serve` stayed ~30 MB lower in resident memory
 * (measured over 300,000 statements: 304 → 274 MB), for up to ~10% of the ingest rate (noisy runs).
 * Only the young generation is limited: a thread is never stopped for the size of what it holds.
 */
import type { ResourceLimits } from 'node:worker_threads';

export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
