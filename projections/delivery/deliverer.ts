/**
 * The deliverer: pushes each member's newest undelivered profile version to the marketplace
 * (ARCHITECTURE.md §7). Everything it needs is in the store (delivery-port.ts): which members are
 * pending, their attempts and next attempt time, their lease. Nothing held in memory matters,
 * so a restart (or a crash) simply carries on from the stored state.
 *
 * Ordering: a member is sent by one sender at a time (the lease, across processes; the
 * in-flight set, within one), always at its newest version at claim time, and the version is
 * recorded as delivered only ever upwards. A version newer than the one in flight waits until
 * that send has finished, so an older version is never sent after a newer one. A sender that
 * dies mid-send holds its lease until it expires; the lease outlasts the request timeout, so
 * the dead sender's request is over before anyone else sends to that member.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../src/logging.js';
import type { DeliveryItem, DeliveryStore } from '../../src/storage/delivery-port.js';
import { DEFAULT_BACKOFF, backoffDelay, type Backoff } from '../../src/backoff.js';
import { startPollingLoop } from '../../src/polling-loop.js';
import { payloadSample, pushRequest, type Outcome } from './protocol.js';
import { sendPush } from './send.js';

export interface DelivererOptions {
  /** MARKETPLACE_URL: the base the `/profiles/{member_id}` paths are appended to. */
  url: string;
  /** MARKETPLACE_SECRET: the HMAC key of X-Signature. */
  secret: string;
  /** Attempts before a member's version is dead-lettered (DELIVERY_MAX_ATTEMPTS); default 8. */
  maxAttempts?: number;
  /** Members in flight at once; default 4. */
  concurrency?: number;
  /** Per-request timeout, ms; default 10 000. */
  timeoutMs?: number;
  /** How long a claim keeps other senders off a member, ms; default 2 × timeoutMs + 1 000 (must exceed timeoutMs). */
  leaseMs?: number;
  /** Pause between looks for due members when there is nothing to do, ms; default 200. */
  pollMs?: number;
  /** Default ARCHITECTURE.md §7's 500 ms × 2 capped at 30 s; tests pass smaller ones. */
  backoff?: Backoff;
  /** Wall clock in ms (tests). */
  now?: () => number;
  fetch?: typeof fetch;
}

export interface Deliverer {
  /** Stops after the sends in flight have finished. */
  stop(): Promise<void>;
  /** Resolves the next time nothing is due and nothing is in flight. */
  idle(): Promise<void>;
  /** Looks for due members now instead of at the next poll. */
  poke(): void;
}

export function startDeliverer(store: DeliveryStore, logger: Logger, options: DelivererOptions): Deliverer {
  const maxAttempts = options.maxAttempts ?? 8;
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? 2 * timeoutMs + 1_000;
  if (leaseMs <= timeoutMs) throw new Error(`delivery lease (${leaseMs} ms) must be longer than the request timeout (${timeoutMs} ms)`);
  const pollMs = options.pollMs ?? 200;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const log = logger.child({ component: 'delivery' });

  /** The sends under way, by member. */
  const inFlight = new Map<string, Promise<void>>();

  async function send(item: DeliveryItem): Promise<{ outcome: Outcome; sample: string }> {
    const request = pushRequest(item, options.url, options.secret, Math.floor(now() / 1000));
    return { outcome: await sendPush(request, { timeoutMs, now, fetch: doFetch }), sample: payloadSample(request) };
  }

  async function deliver(item: DeliveryItem, token: string): Promise<void> {
    const { outcome, sample } = await send(item);
    const member = { member: item.memberId, version: item.version };
    if (outcome.kind === 'delivered') {
      await store.markDelivered(item.memberId, item.version, token);
      await store.countOutcome(now(), item.attempts === 0 ? 'delivered_first_attempt' : 'delivered_after_retry');
      log.debug(member, 'profile delivered');
      return;
    }
    const attempts = item.attempts + 1;
    if (outcome.kind === 'permanent' || attempts >= maxAttempts) {
      await store.markDead(item.memberId, token, { version: item.version, attempts, lastError: outcome.error, payloadSample: sample, at: new Date(now()).toISOString() });
      await store.countOutcome(now(), 'dead_lettered');
      log.warn({ ...member, attempts, error: outcome.error }, 'profile delivery dead-lettered');
      return;
    }
    const delay = outcome.retryAfterMs ?? backoffDelay(attempts, backoff);
    await store.markFailed(item.memberId, token, { attempts, nextAttemptAt: now() + delay, error: outcome.error });
    await store.countOutcome(now(), 'failed_attempt');
    log.info({ ...member, attempts, delayMs: delay, error: outcome.error }, 'profile delivery failed; will retry');
  }

  function start(item: DeliveryItem, token: string): void {
    const sending = deliver(item, token)
      .catch((error: unknown) => log.error({ err: error, member: item.memberId }, 'recording a delivery failed; the lease will expire and it is retried'))
      .finally(() => {
        inFlight.delete(item.memberId);
        loop.wake();
      });
    inFlight.set(item.memberId, sending);
  }

  /** Claims due members into free slots; returns how many were started. */
  async function fill(): Promise<number> {
    const free = concurrency - inFlight.size;
    if (free <= 0) return 0;
    let started = 0;
    for (const memberId of await store.due(now(), free + inFlight.size)) {
      if (started >= free) break;
      if (inFlight.has(memberId)) continue;
      const at = now();
      const token = randomUUID();
      const item = await store.claim(memberId, { token, now: at, until: at + leaseMs });
      if (!item) continue; // another sender has it, or it was delivered meanwhile
      start(item, token);
      started += 1;
    }
    return started;
  }

  const loop = startPollingLoop({
    async step() {
      const started = await fill();
      if (started > 0 && inFlight.size < concurrency) return 'busy';
      return started === 0 && inFlight.size === 0 ? 'idle' : 'wait';
    },
    idleMs: pollMs,
    // The look for due members is retried on the default timings; options.backoff is the members'.
    backoff: DEFAULT_BACKOFF,
    logger: log,
    failureMessage: 'looking for due deliveries failed; retrying',
  });

  return {
    async stop() {
      await loop.stop();
      await Promise.all(inFlight.values());
    },
    idle: loop.idle,
    poke: loop.wake,
  };
}
