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
 * - Reads (ARCHITECTURE.md §7, for reconciliation): `GET /profiles/{id}` (404 when none) and
 *   `GET /profiles?cursor=&limit=` (`{ profiles, next_cursor }` in member-id order), signed like
 *   a push over the empty body (else 401). Reads are not pushes: not logged, never faulted.
 * - Inspection, unsigned, for people and tests: `GET /_held` (`{ profiles, deleted }`),
 *   `GET /_held/{id}`, `GET /_log` (every push received, with its version, status and whether a
 *   fault answered it).
 * - Corruption: `POST /_corrupt` `{ kind, member_id?, count? }` makes the sandbox hold what a
 *   marketplace that lost or mangled data would (CORRUPTION_KINDS), so drift can be shown end to
 *   end. A kind that loses versions also forgets their idempotency keys, as a restore from an
 *   old backup would, so a re-sent version is applied again.
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

/** What `POST /_corrupt` can do to a held member, and what a reconciliation then sees. */
export const CORRUPTION_KINDS = {
  /** Forgotten entirely: missing. */
  drop: 'held',
  /** Back to the version stored before: stale. */
  stale: 'held',
  /** Other content at the same version: mismatched. */
  alter: 'held',
  /** A profile for a member id nobody published: orphaned. */
  orphan: 'new',
  /** A deleted member held again: orphaned. */
  undelete: 'deleted',
  /** A version above the one pushed: ahead. */
  ahead: 'held',
} as const;
export type CorruptionKind = keyof typeof CORRUPTION_KINDS;

export interface Corruption {
  kind: CorruptionKind;
  member_id?: string;
  count?: number;
}

export interface SandboxState {
  profiles: Map<string, Record<string, unknown>>;
  /** Member id → the profile stored before the current one (or, for a deleted member, the last one stored). */
  previous: Map<string, Record<string, unknown>>;
  /** Signed reads answered. */
  reads: number;
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

export function validateCorruption(input: unknown): Corruption | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the body must be a JSON object';
  const { kind, member_id: memberId, count, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unknown field(s): ${Object.keys(rest).join(', ')}`;
  if (typeof kind !== 'string' || !Object.hasOwn(CORRUPTION_KINDS, kind)) return `kind must be one of ${Object.keys(CORRUPTION_KINDS).join(', ')}`;
  if (memberId !== undefined && (typeof memberId !== 'string' || memberId === '')) return 'member_id must be a non-empty string';
  if (count !== undefined && !(typeof count === 'number' && Number.isInteger(count) && count >= 1)) return 'count must be a whole number ≥ 1';
  return { kind: kind as CorruptionKind, ...(memberId !== undefined ? { member_id: memberId } : {}), ...(count !== undefined ? { count } : {}) };
}

const LISTING_DEFAULT_LIMIT = 100;
const LISTING_MAX_LIMIT = 1000;

/** The JSON body of a control request, validated; or the 400 (`invalid-json`, or `code` with the validation's message). */
async function controlBody<T>(c: Context, validate: (input: unknown) => T | string, code: string): Promise<T | Response> {
  let input: unknown;
  try {
    input = await c.req.json();
  } catch {
    return c.json({ error: 'invalid-json' }, 400);
  }
  const valid = validate(input);
  if (typeof valid !== 'string') return valid;
  return c.json({ error: code, message: valid }, 400);
}

export function sandboxApp(options: SandboxOptions): { app: Hono; state: SandboxState } {
  const now = options.now ?? Date.now;
  const maxLog = options.maxLog ?? 100_000;
  const state: SandboxState = {
    profiles: new Map(),
    previous: new Map(),
    reads: 0,
    versions: new Map(),
    deleted: new Set(),
    idempotency: new Map(),
    log: [],
    faults: { mode: 'none' },
    inFlight: 0,
  };
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
    const current = state.profiles.get(id);
    if (current) state.previous.set(id, current);
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

  /** Forgets the idempotency keys of a member's versions above `version`: they are lost with the data. */
  function forgetKeysAbove(id: string, version: number): void {
    for (const key of state.idempotency.keys()) {
      const match = key.match(/^(.+):(\d+)$/);
      if (match?.[1] === id && Number(match[2]) > version) state.idempotency.delete(key);
    }
  }

  function hold(id: string, profile: Record<string, unknown>): void {
    state.profiles.set(id, profile);
    state.versions.set(id, profile.version as number);
    state.deleted.delete(id);
    forgetKeysAbove(id, profile.version as number);
  }

  /** Applies one corruption to `id`; false when this member is not eligible for it. */
  function corruptOne(kind: CorruptionKind, id: string): boolean {
    const profile = state.profiles.get(id);
    const previous = state.previous.get(id);
    switch (kind) {
      case 'drop':
        state.profiles.delete(id);
        state.previous.delete(id);
        state.versions.delete(id);
        forgetKeysAbove(id, 0);
        return true;
      case 'stale': {
        const version = profile?.version as number;
        if (previous && (previous.version as number) < version) hold(id, previous);
        else if (version > 1) hold(id, { ...profile, version: version - 1 });
        else return false;
        state.previous.delete(id);
        return true;
      }
      case 'alter': {
        const completions = Array.isArray(profile?.completions) ? profile.completions.slice(0, -1) : [];
        state.profiles.set(id, { ...profile, email: `altered-${id}@sandbox.invalid`, completions });
        return true;
      }
      case 'ahead': {
        const version = (profile?.version as number) + 1;
        state.profiles.set(id, { ...profile, version });
        state.versions.set(id, version);
        return true;
      }
      case 'undelete':
        if (!previous) return false;
        hold(id, previous);
        state.previous.delete(id);
        return true;
      case 'orphan': {
        const empty = { completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [] };
        hold(id, { member_id: id, email: null, status: 'active', version: 1, mapping_version: 'sandbox-orphan', updated_at: new Date(now()).toISOString(), ...empty });
        return true;
      }
    }
  }

  /** The members a corruption without member_id applies to, in member-id order. */
  function eligible(kind: CorruptionKind, count: number): string[] {
    const pool = CORRUPTION_KINDS[kind] === 'deleted' ? [...state.deleted].filter((id) => state.previous.has(id)) : [...state.profiles.keys()];
    if (CORRUPTION_KINDS[kind] === 'new') {
      const ids: string[] = [];
      for (let n = 1; ids.length < count; n += 1) if (!state.profiles.has(`ORPHAN-${n}`)) ids.push(`ORPHAN-${n}`);
      return ids;
    }
    return pool.sort().filter((id) => kind !== 'stale' || (state.profiles.get(id)?.version as number) > 1 || state.previous.has(id)).slice(0, count);
  }

  /** A read must be signed over the empty body; the refusal, or undefined when it is. */
  function refuseUnsigned(c: Context): Response | undefined {
    const check = verifySignature(c.req.header('X-Signature'), '', options.secret, Math.floor(now() / 1000));
    if (check.ok) {
      state.reads += 1;
      return undefined;
    }
    return c.json({ error: `signature-${check.reason}`, message: check.message }, 401);
  }

  const held = (c: Context, id: string) => {
    const profile = state.profiles.get(id);
    if (profile) return c.json(profile);
    return c.json({ error: 'not-found', ...(state.deleted.has(id) ? { deleted_version: state.versions.get(id) } : {}) }, 404);
  };

  app.put('/profiles/:id', (c) => receive(c, 'PUT'));
  app.delete('/profiles/:id', (c) => receive(c, 'DELETE'));
  app.get('/profiles', (c) => {
    const refused = refuseUnsigned(c);
    if (refused) return refused;
    const limitText = c.req.query('limit') ?? String(LISTING_DEFAULT_LIMIT);
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > LISTING_MAX_LIMIT) {
      return c.json({ error: 'invalid-limit', message: `limit must be a whole number from 1 to ${LISTING_MAX_LIMIT}` }, 400);
    }
    const cursor = c.req.query('cursor');
    let after: string | undefined;
    if (cursor !== undefined && cursor !== '') {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== cursor) return c.json({ error: 'invalid-cursor', message: 'cursor must be a next_cursor this listing gave' }, 400);
    }
    const ids = [...state.profiles.keys()].filter((id) => after === undefined || id > after).sort();
    const page = ids.slice(0, Number(limitText));
    const last = page.at(-1);
    return c.json({ profiles: page.map((id) => state.profiles.get(id)), next_cursor: ids.length > page.length && last !== undefined ? Buffer.from(last, 'utf8').toString('base64url') : null });
  });
  app.get('/profiles/:id', (c) => refuseUnsigned(c) ?? held(c, c.req.param('id')));
  app.get('/_held', (c) =>
    c.json({
      profiles: [...state.profiles.values()],
      deleted: [...state.deleted].map((id) => ({ member_id: id, version: state.versions.get(id) })),
    }),
  );
  app.get('/_held/:id', (c) => held(c, c.req.param('id')));
  app.post('/_corrupt', async (c) => {
    const corruption = await controlBody(c, validateCorruption, 'invalid-corruption');
    if (corruption instanceof Response) return corruption;
    const { kind, member_id: id } = corruption;
    if (id === undefined) {
      const ids = eligible(kind, corruption.count ?? 1);
      for (const each of ids) corruptOne(kind, each);
      return c.json({ corrupted: ids });
    }
    const needs = CORRUPTION_KINDS[kind];
    if (needs === 'held' && !state.profiles.has(id)) return c.json({ error: 'not-found', message: `the sandbox holds no profile ${id}` }, 404);
    if (needs === 'deleted' && !state.deleted.has(id)) return c.json({ error: 'not-found', message: `${id} was not deleted` }, 404);
    if (needs === 'new' && state.profiles.has(id)) return c.json({ error: 'held', message: `the sandbox holds ${id} already: an orphan is a member id nobody published` }, 409);
    if (!corruptOne(kind, id)) return c.json({ error: 'not-eligible', message: `${id} has no older version to go back to` }, 409);
    return c.json({ corrupted: [id] });
  });
  app.get('/_log', (c) => c.json({ requests: state.log }));
  app.get('/_faults', (c) => c.json(state.faults));
  app.post('/_faults', async (c) => {
    const faults = await controlBody(c, validateFaults, 'invalid-faults');
    if (faults instanceof Response) return faults;
    state.faults = faults;
    return c.json(state.faults);
  });
  app.post('/_reset', (c) => {
    for (const m of [state.profiles, state.previous, state.versions, state.idempotency]) m.clear();
    state.deleted.clear();
    state.reads = 0;
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
