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
 *   a push over the empty body (else 401). Reads are not pushes: not logged, never faulted, only
 *   counted (`state.reads`), so a test can tell the marketplace was read.
 * - Inspection, unsigned, for people and tests: `GET /_held` (`{ profiles, deleted }`),
 *   `GET /_held/{id}`, `GET /_log` (every push received, with its version, status and whether a
 *   fault answered it).
 * - Corruption: `POST /_corrupt` `{ kind, member_id?, count? }` makes the sandbox hold what a
 *   marketplace that lost or mangled data would (CORRUPTION_KINDS), so drift can be shown end to
 *   end. A kind that loses versions also forgets their idempotency keys, as a restore from an
 *   old backup would, so a re-sent version is applied again. To have something to go back to,
 *   the sandbox remembers one profile per member besides the held one (the one stored before,
 *   or a deleted member's last): bounded memory, enough for `stale` and `undelete`.
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

/**
 * What `POST /_corrupt` can do, each named by what a reconciliation then sees: `drop` (forgotten
 * entirely: missing), `stale` (back to the version stored before), `alter` (other content at the
 * same version: mismatched), `orphan` (a member id nobody published), `undelete` (a deleted
 * member held again: orphaned), `ahead` (a version above the one pushed).
 */
export const CORRUPTION_KINDS = ['drop', 'stale', 'alter', 'orphan', 'undelete', 'ahead'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

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
  if (!CORRUPTION_KINDS.includes(kind as CorruptionKind)) return `kind must be one of ${CORRUPTION_KINDS.join(', ')}`;
  if (memberId !== undefined && (typeof memberId !== 'string' || memberId === '')) return 'member_id must be a non-empty string';
  if (count !== undefined && !(typeof count === 'number' && Number.isInteger(count) && count >= 1)) return 'count must be a whole number ≥ 1';
  return { kind: kind as CorruptionKind, ...(memberId !== undefined ? { member_id: memberId } : {}), ...(count !== undefined ? { count } : {}) };
}

const LISTING_DEFAULT_LIMIT = 100;
const LISTING_MAX_LIMIT = 1000;

/** The listing's cursor: the last member id of a page, base64url (opaque to clients). */
const encodeCursor = (memberId: string) => Buffer.from(memberId, 'utf8').toString('base64url');

/** The member id a cursor stands for; null when it is not one this listing gives (Buffer decoding is lenient: re-encode to check). */
function decodeCursor(cursor: string): string | null {
  const memberId = Buffer.from(cursor, 'base64url').toString('utf8');
  return memberId !== '' && encodeCursor(memberId) === cursor ? memberId : null;
}

/** The JSON body of a control request, validated; or the 400 `code` with the rule it breaks. */
async function controlBody<T>(c: Context, validate: (input: unknown) => T | string, code: string): Promise<T | Response> {
  let input: unknown;
  try {
    input = await c.req.json();
  } catch {
    return c.json({ error: code, message: 'the body must be JSON' }, 400);
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

  /** Forgets the idempotency keys of a member's versions above `above` (all of them by default): they are lost with the data, so a re-sent version is applied again. */
  function forgetKeys(id: string, above = -1): void {
    for (const key of state.idempotency.keys()) {
      const match = key.match(/^(.+):(\d+)$/);
      if (match?.[1] === id && Number(match[2]) > above) state.idempotency.delete(key);
    }
  }

  /** Holds `profile` as if it were the last one received: no older one remembered, no key above its version. */
  function hold(id: string, profile: Record<string, unknown>): void {
    state.profiles.set(id, profile);
    state.previous.delete(id);
    state.versions.set(id, profile.version as number);
    state.deleted.delete(id);
    forgetKeys(id, profile.version as number);
  }

  /** The older profile `stale` goes back to: the one stored before, else the current one a version down (none at version 1). */
  function staleTarget(id: string): Record<string, unknown> | undefined {
    const profile = state.profiles.get(id) as Record<string, unknown>;
    const version = profile.version as number;
    const previous = state.previous.get(id);
    if (previous && (previous.version as number) < version) return previous;
    return version > 1 ? { ...profile, version: version - 1 } : undefined;
  }

  /** Why `kind` cannot be applied to `id` now, or null when it can. */
  function refusal(kind: CorruptionKind, id: string): Answer | null {
    const notEligible = (message: string): Answer => ({ status: 409, body: { error: 'not-eligible', message } });
    if (kind === 'orphan') return state.profiles.has(id) ? { status: 409, body: { error: 'held', message: `the sandbox holds ${id} already: an orphan is a member id nobody published` } } : null;
    if (kind === 'undelete') {
      if (!state.deleted.has(id)) return { status: 404, body: { error: 'not-found', message: `${id} was not deleted` } };
      return state.previous.has(id) ? null : notEligible(`no profile of ${id} was stored before its DELETE`);
    }
    if (!state.profiles.has(id)) return { status: 404, body: { error: 'not-found', message: `the sandbox holds no profile ${id}` } };
    return kind === 'stale' && staleTarget(id) === undefined ? notEligible(`${id} has no older version to go back to`) : null;
  }

  /** Applies `kind` to `id`, which refusal() accepts. */
  function corruptOne(kind: CorruptionKind, id: string): void {
    const profile = state.profiles.get(id) as Record<string, unknown>;
    switch (kind) {
      case 'drop':
        for (const m of [state.profiles, state.previous, state.versions]) m.delete(id);
        state.deleted.delete(id);
        forgetKeys(id);
        return;
      case 'stale':
        hold(id, staleTarget(id) as Record<string, unknown>);
        return;
      case 'alter': {
        const completions = Array.isArray(profile.completions) ? { completions: profile.completions.slice(0, -1) } : {};
        state.profiles.set(id, { ...profile, email: `altered-${id}@sandbox.invalid`, ...completions });
        return;
      }
      case 'ahead': {
        const version = (profile.version as number) + 1;
        state.profiles.set(id, { ...profile, version });
        state.versions.set(id, version);
        return;
      }
      case 'undelete':
        hold(id, state.previous.get(id) as Record<string, unknown>);
        return;
      case 'orphan': {
        const empty = { completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [] };
        hold(id, { member_id: id, email: null, status: 'active', version: 1, mapping_version: 'sandbox-orphan', updated_at: new Date(now()).toISOString(), ...empty });
        return;
      }
    }
  }

  /** The members a corruption without member_id applies to: the first `count` eligible in member-id order, or new ORPHAN-n ids no member (held or deleted) has. */
  function candidates(kind: CorruptionKind, count: number): string[] {
    if (kind === 'orphan') {
      const ids: string[] = [];
      for (let n = 1; ids.length < count; n += 1) if (!state.versions.has(`ORPHAN-${n}`)) ids.push(`ORPHAN-${n}`); // versions: every member held or deleted
      return ids;
    }
    const pool = kind === 'undelete' ? [...state.deleted] : [...state.profiles.keys()];
    return pool.sort().filter((id) => refusal(kind, id) === null).slice(0, count);
  }

  /** `GET /profiles?cursor=&limit=`: a page of the held profiles after the cursor, in member-id order. */
  function listing(c: Context): Response {
    const limitText = c.req.query('limit') ?? String(LISTING_DEFAULT_LIMIT);
    const limit = /^\d+$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= LISTING_MAX_LIMIT)) {
      return c.json({ error: 'invalid-limit', message: `limit must be a whole number from 1 to ${LISTING_MAX_LIMIT}` }, 400);
    }
    const cursor = c.req.query('cursor') ?? '';
    const after = cursor === '' ? undefined : decodeCursor(cursor);
    if (after === null) return c.json({ error: 'invalid-cursor', message: 'cursor must be a next_cursor this listing gave' }, 400);
    const ids = [...state.profiles.keys()].filter((id) => after === undefined || id > after).sort();
    const page = ids.slice(0, limit);
    const more = ids.length > page.length;
    return c.json({ profiles: page.map((id) => state.profiles.get(id)), next_cursor: more ? encodeCursor(page.at(-1) as string) : null });
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
  app.get('/profiles', (c) => refuseUnsigned(c) ?? listing(c));
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
    const refused = id === undefined ? null : refusal(kind, id);
    if (refused) return c.json(refused.body, refused.status);
    const ids = id === undefined ? candidates(kind, corruption.count ?? 1) : [id];
    for (const each of ids) corruptOne(kind, each);
    return c.json({ corrupted: ids });
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
