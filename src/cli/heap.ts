/**
 * Heap growth of the long-running commands (`lrs serve`, `lrs worker`). V8 lets the old
 * generation grow to several times what is live before it collects it; under a steady ingest,
 * requests waiting for their commit are promoted there and die soon after, so the heap fills
 * with garbage: measured, the three threads of `lrs serve` reached ~390 MB resident ingesting
 * 200,000 statements, with a live heap of ~31 MB on the main thread. Growing it by 20% between
 * collections kept it at ~310 MB, for 5–12% of the ingest rate (A/B runs on a noisy machine). The flag is process-wide (every
 * thread's heap) and read at each collection, so setting it at start-up takes effect.
 */
import { setFlagsFromString } from 'node:v8';

export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=20');
}
