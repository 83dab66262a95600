/**
 * The sandbox marketplace: the receiving side of the push protocol (ARCHITECTURE.md §7) as a real
 * HTTP server, for end-to-end tests and staging smoke tests (`lrs sandbox-marketplace`).
 *
 * - `PUT /profiles/{id}` stores the profile (snapshot), `DELETE /profiles/{id}` removes it;
 *   both need `X-Signature` (HMAC-SHA256 of "{t}.{raw body}", |t − now| ≤ 300 s; else 401) and
 *   `Idempotency-Key: {id}:{version}` (else 400). A repeated key answers the first answer again
 *   (header `Idempotent-Replayed: true`) without applying anything.
 * - Versions only go up: a PUT or DELETE below the version held (a deleted member's version is
 *   remembered) is refused with 409 `stale-version`; the same version again is a 200 no-op.
 * - Inspection: `GET /profiles` (`{ profiles, deleted }`), `GET /profiles/{id}`, `GET /_log`
 *   (every push received, with its version, status and whether a fault answered it).
 * - Faults: `POST /_faults` `{ mode: "none"|"429"|"500"|"400"|"slow", retryAfter?, delayMs?, count? }`
 *   — `count` pushes are faulted, then the mode reverts to none (no count: until changed).
 *   A fault answers before the signature is checked, like a load balancer or a broken upstream.
 *   `POST /_reset` forgets everything.
 */
import type { AddressInfo } from 'node:net';
import { Hono, type Context } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { verifySignature } from '../hris/signature.js';

export type FaultMode = 'none' | '429' | '500' | '400' | 'slow';
export const FAULT_MODES: readonly FaultMode[] = ['none', '429', '500', '400', 'slow'];

export interface Faults {
  mode: FaultMode;
  /** Seconds sent in Retry-After with mode 429 (default 1). */
  retryAfter?: number;
  /** Delay of mode slow, ms (default 2000). */
  delayMs?: number;
  /** Pushes left to fault; absent: until changed. */
  count?: number;
}

export interface ReceivedPush {
  seq: number;
  at: string;
  method: 'PUT' | 'DELETE';
  member_id: string;
  /** From the Idempotency-Key (null when missing or malformed). */
  version: number | null;
  idempotency_key: string | null;
  signature: string | null;
  content_type: string | null;
  status: number;
  /** Set when a fault answered (the push was not looked at). */
  fault?: FaultMode;
  /** The answer was a repeat of an earlier one with the same key. */
  replayed: boolean;
  /** Applied: stored or deleted. */
  applied: boolean;
  body: string;
}

interface Answer {
  status: ContentfulStatusCode;
  body: Record<string, unknown>;
}

export interface SandboxState {
  profiles: Map<string, Record<string, unknown>>;
  /** Member id → highest version seen applied (PUT or DELETE). */
  versions: Map<string, number>;
  deleted: Set<string>;
  idempotency: Map<string, Answer>;
  log: ReceivedPush[];
  faults: Faults;
  /** Pushes being handled right now. */
  inFlight: number;
}

export interface SandboxOptions {
  secret: string;
  /** Wall clock in ms (tests). */
  now?: () => number;
  /** Oldest log entries are dropped beyond this. */
  maxLog?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function validateFaults(input: unknown): Faults | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the body must be a JSON object';
  const { mode, retryAfter, delayMs, count, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unknown field(s): ${Object.keys(rest).join(', ')}`;
  if (!FAULT_MODES.includes(mode as FaultMode)) return `mode must be one of ${FAULT_MODES.join(', ')}`;
  const whole = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
  if (!whole(retryAfter) || !whole(delayMs) || !whole(count)) return 'retryAfter, delayMs and count must be whole numbers ≥ 0';
  return {
    mode: mode as FaultMode,
    ...(retryAfter !== undefined ? { retryAfter: retryAfter as number } : {}),
    ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
    ...(count !== undefined ? { count: count as number } : {}),
  };
}

export function sandboxApp(options: SandboxOptions): { app: Hono; state: SandboxState } {
  const now = options.now ?? Date.now;
  const maxLog = options.maxLog ?? 100_000;
  const state: SandboxState = { profiles: new Map(), versions: new Map(), deleted: new Set(), idempotency: new Map(), log: [], faults: { mode: 'none' }, inFlight: 0 };
  let seq = 0;
  const app = new Hono();

  /** The fault to apply to this push, if any (counting it down). */
  function takeFault(): Faults | undefined {
    const f = state.faults;
    if (f.mode === 'none') return undefined;
    if (f.count !== undefined) {
      if (f.count <= 0) {
        state.faults = { mode: 'none' };
        return undefined;
      }
      state.faults = { ...f, count: f.count - 1 };
      if (state.faults.count === 0) state.faults = { mode: 'none' };
    }
    return f;
  }

  function apply(method: 'PUT' | 'DELETE', id: string, version: number, body: string): Answer {
    let profile: Record<string, unknown> | undefined;
    if (method === 'PUT') {
      try {
        profile = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { error: 'invalid-json' } };
      }
      if (typeof profile !== 'object' || profile === null || profile.member_id !== id || profile.version !== version) {
        return { status: 400, body: { error: 'mismatch', message: 'member_id and version must match the path and the Idempotency-Key' } };
      }
    }
    const held = state.versions.get(id);
    if (held !== undefined && version < held) return { status: 409, body: { error: 'stale-version', held, received: version } };
    if (held !== undefined && version === held) return { status: 200, body: { status: 'unchanged', version } };
    state.versions.set(id, version);
    if (method === 'PUT') {
      state.profiles.set(id, profile as Record<string, unknown>);
      state.deleted.delete(id);
      return { status: 200, body: { status: 'stored', version } };
    }
    state.profiles.delete(id);
    state.deleted.add(id);
    return { status: 200, body: { status: 'deleted', version } };
  }

  async function receive(c: Context, method: 'PUT' | 'DELETE'): Promise<Response> {
    state.inFlight += 1;
    try {
      const id = c.req.param('id') as string;
      const body = await c.req.text();
      const key = c.req.header('Idempotency-Key') ?? null;
      const keyMatch = key?.match(/^(.+):(\d+)$/);
      const entry: ReceivedPush = {
        seq: ++seq,
        at: new Date(now()).toISOString(),
        method,
        member_id: id,
        version: keyMatch?.[2] !== undefined ? Number(keyMatch[2]) : null,
        idempotency_key: key,
        signature: c.req.header('X-Signature') ?? null,
        content_type: c.req.header('Content-Type') ?? null,
        status: 0,
        replayed: false,
        applied: false,
        body,
      };
      state.log.push(entry);
      if (state.log.length > maxLog) state.log.shift();
      const answer = (a: Answer, headers: Record<string, string> = {}) => {
        entry.status = a.status;
        for (const [name, value] of Object.entries(headers)) c.header(name, value);
        return c.json(a.body, a.status);
      };

      const fault = takeFault();
      if (fault) {
        entry.fault = fault.mode;
        if (fault.mode === '429') return answer({ status: 429, body: { error: 'rate-limited' } }, { 'Retry-After': String(fault.retryAfter ?? 1) });
        if (fault.mode === '500') return answer({ status: 500, body: { error: 'internal-error' } });
        if (fault.mode === '400') return answer({ status: 400, body: { error: 'rejected', message: 'the sandbox is told to reject every push' } });
        await sleep(fault.delayMs ?? 2000);
      }

      const check = verifySignature(c.req.header('X-Signature'), body, options.secret, Math.floor(now() / 1000));
      if (!check.ok) return answer({ status: 401, body: { error: `signature-${check.reason}`, message: check.message } });
      if (!keyMatch || keyMatch[1] !== id) {
        return answer({ status: 400, body: { error: 'idempotency-key', message: 'Idempotency-Key must be {member_id}:{version} for the member in the path' } });
      }
      const cached = state.idempotency.get(key as string);
      if (cached) {
        entry.replayed = true;
        return answer(cached, { 'Idempotent-Replayed': 'true' });
      }
      const result = apply(method, id, Number(keyMatch[2]), body);
      entry.applied = result.status === 200 && result.body.status !== 'unchanged';
      state.idempotency.set(key as string, result);
      return answer(result);
    } finally {
      state.inFlight -= 1;
    }
  }

  app.put('/profiles/:id', (c) => receive(c, 'PUT'));
  app.delete('/profiles/:id', (c) => receive(c, 'DELETE'));
  app.get('/profiles', (c) =>
    c.json({
      profiles: [...state.profiles.values()],
      deleted: [...state.deleted].map((id) => ({ member_id: id, version: state.versions.get(id) })),
    }),
  );
  app.get('/profiles/:id', (c) => {
    const id = c.req.param('id');
    const profile = state.profiles.get(id);
    if (profile) return c.json(profile);
    return c.json({ error: 'not-found', ...(state.deleted.has(id) ? { deleted_version: state.versions.get(id) } : {}) }, 404);
  });
  app.get('/_log', (c) => c.json({ requests: state.log }));
  app.get('/_faults', (c) => c.json(state.faults));
  app.post('/_faults', async (c) => {
    let input: unknown;
    try {
      input = await c.req.json();
    } catch {
      return c.json({ error: 'invalid-json' }, 400);
    }
    const faults = validateFaults(input);
    if (typeof faults === 'string') return c.json({ error: 'invalid-faults', message: faults }, 400);
    state.faults = faults;
    return c.json(state.faults);
  });
  app.post('/_reset', (c) => {
    for (const m of [state.profiles, state.versions, state.idempotency]) m.clear();
    state.deleted.clear();
    state.log.length = 0;
    state.faults = { mode: 'none' };
    return c.json({ status: 'reset' });
  });
  return { app, state };
}

export interface SandboxMarketplace {
  /** e.g. http://127.0.0.1:41234 — the MARKETPLACE_URL to push to. */
  url: string;
  port: number;
  state: SandboxState;
  setFaults(faults: Faults): void;
  close(): Promise<void>;
}

export async function startSandboxMarketplace(options: SandboxOptions & { port?: number; hostname?: string }): Promise<SandboxMarketplace> {
  const { app, state } = sandboxApp(options);
  const hostname = options.hostname ?? '127.0.0.1';
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${port}`,
    port,
    state,
    setFaults(faults) {
      state.faults = { ...faults };
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive connections would hold close() open.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
