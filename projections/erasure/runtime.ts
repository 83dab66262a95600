/**
 * Erasures from configuration, and their background runner: `lrs serve` and `lrs worker` finish
 * every erasure not done (one requested over HTTP or by an HRIS event, one a killed process left
 * part-way, one awaiting its marketplace DELETE), one process at a time per erasure (a lease).
 */
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logging.js';
import type { Store } from '../../src/storage/port.js';
import { monotonicClock } from '../../src/clock.js';
import { identityConfig } from '../identity/settings.js';
import type { Projector } from '../worker/projector.js';
import { runErasure, type ErasureDeps } from './erase.js';
import { Tombstone } from './tombstone.js';

/** How long one process holds an erasure; renewed by running it again, taken over when its holder died. */
const LEASE_MS = 10 * 60_000;

export async function erasureDeps(config: Config, store: Store, projector: Projector, tombstone?: Tombstone): Promise<ErasureDeps> {
  const identity = identityConfig(config);
  return {
    store,
    tombstone: tombstone ?? (await Tombstone.open(store.erasures, identity)),
    identity,
    projector,
    pushEnabled: config.marketplaceUrl !== undefined && config.marketplaceSecret !== undefined,
    now: monotonicClock(),
  };
}

/** Runs every unfinished erasure this process can lease, as far as it goes now; returns how many it ran. */
export async function resumeErasures(deps: ErasureDeps, holder: string, logger: Logger): Promise<number> {
  const { store } = deps;
  let ran = 0;
  for (const record of await store.erasures.unfinished()) {
    const lease = `erasure:${record.id}`;
    const now = Date.now();
    if (!(await store.leases.acquire(lease, holder, now, now + LEASE_MS))) continue;
    try {
      const after = await runErasure(deps, record);
      if (after.status !== record.status) logger.info({ erasure: record.id, status: after.status, counts: after.counts }, 'erasure progressed');
      ran += 1;
    } finally {
      await store.leases.release(lease, holder);
    }
  }
  return ran;
}
