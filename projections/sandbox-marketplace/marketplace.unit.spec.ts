/** The sandbox marketplace's receiving rules, through app.request (no socket). */
import { describe, expect, it } from 'vitest';
import { sandboxApp, validateCorruption, validateFaults } from './marketplace.js';
import { signatureHeader } from '../hris/signature.js';

const SECRET = 'sandbox-secret-0123456789';
const NOW = 1_800_000_000_000;
const T = NOW / 1000;

function setup() {
  const { app, state } = sandboxApp({ secret: SECRET, now: () => NOW });
  const push = (method: 'PUT' | 'DELETE', id: string, version: number, o: { body?: string; t?: number; secret?: string; key?: string } = {}) => {
    const body = o.body ?? (method === 'PUT' ? JSON.stringify({ member_id: id, version, completions: [] }) : '');
    return app.request(`/profiles/${id}`, {
      method,
      headers: { 'Idempotency-Key': o.key ?? `${id}:${version}`, 'X-Signature': signatureHeader(o.secret ?? SECRET, body, o.t ?? T), 'Content-Type': 'application/json' },
      ...(method === 'PUT' ? { body } : {}),
    });
  };
  const faults = (f: unknown) => app.request('/_faults', { method: 'POST', body: JSON.stringify(f), headers: { 'Content-Type': 'application/json' } });
  const read = (path: string, o: { t?: number; secret?: string; unsigned?: boolean } = {}) =>
    app.request(path, { headers: o.unsigned ? {} : { 'X-Signature': signatureHeader(o.secret ?? SECRET, '', o.t ?? T) } });
  const corrupt = (c: unknown) => app.request('/_corrupt', { method: 'POST', body: JSON.stringify(c), headers: { 'Content-Type': 'application/json' } });
  return { app, state, push, faults, read, corrupt };
}

describe('sandbox marketplace', () => {
  it('stores a signed PUT and shows it; rejects a wrong signature, a stale t and a missing signature with 401', async () => {
    const { app, push } = setup();
    expect((await push('PUT', 'E1', 1)).status).toBe(200);
    expect(await (await app.request('/_held/E1')).json()).toEqual({ member_id: 'E1', version: 1, completions: [] });
    expect((await push('PUT', 'E1', 2, { secret: 'another-secret-0123456789' })).status).toBe(401);
    expect((await push('PUT', 'E1', 2, { t: T - 301 })).status).toBe(401);
    expect((await push('PUT', 'E1', 2, { t: T + 301 })).status).toBe(401);
    expect((await push('PUT', 'E1', 2, { t: T - 300 })).status).toBe(200);
    const unsigned = await app.request('/profiles/E1', { method: 'PUT', headers: { 'Idempotency-Key': 'E1:3' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(((await (await app.request('/_held')).json()) as { profiles: unknown[] }).profiles).toHaveLength(1);
  });

  it('answers a repeated Idempotency-Key with the first answer, applying nothing', async () => {
    const { state, push } = setup();
    const first = await push('PUT', 'E1', 1);
    const again = await push('PUT', 'E1', 1, { body: JSON.stringify({ member_id: 'E1', version: 1, completions: ['changed'] }) });
    expect(again.status).toBe(first.status);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(state.profiles.get('E1')).toEqual({ member_id: 'E1', version: 1, completions: [] });
    expect(state.log.map((l) => [l.replayed, l.applied])).toEqual([[false, true], [true, false]]);
  });

  it('refuses a version below the one held with 409 (also after a DELETE); the same version again is a no-op', async () => {
    const { app, push } = setup();
    await push('PUT', 'E1', 3);
    const stale = await push('PUT', 'E1', 2);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toEqual({ error: 'stale-version', held: 3, received: 2 });
    expect((await push('DELETE', 'E1', 4)).status).toBe(200);
    expect((await app.request('/_held/E1')).status).toBe(404);
    expect((await push('PUT', 'E1', 3, { key: 'E1:3' })).status).toBe(200); // replay of the first answer
    expect((await push('PUT', 'E1', 4, { body: JSON.stringify({ member_id: 'E1', version: 4 }) })).status).toBe(200);
    expect(await (await app.request('/_held')).json()).toEqual({ profiles: [], deleted: [{ member_id: 'E1', version: 4 }] });
    expect((await push('PUT', 'E1', 5)).status).toBe(200);
    expect((await app.request('/_held/E1')).status).toBe(200);
  });

  it('checks that the key, path and body agree', async () => {
    const { push } = setup();
    expect((await push('PUT', 'E1', 1, { key: 'E2:1' })).status).toBe(400);
    expect((await push('PUT', 'E1', 1, { key: 'nonsense' })).status).toBe(400);
    expect((await push('PUT', 'E1', 2, { body: JSON.stringify({ member_id: 'E1', version: 1 }) })).status).toBe(400);
    expect((await push('PUT', 'E1', 1, { body: 'not json' })).status).toBe(400);
  });

  it('faults: 429 with Retry-After, 500, 400 for `count` pushes then none; slow delays', async () => {
    const { state, push, faults } = setup();
    expect((await faults({ mode: '429', retryAfter: 7, count: 2 })).status).toBe(200);
    const limited = await push('PUT', 'E1', 1);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('7');
    expect((await push('PUT', 'E1', 1)).status).toBe(429);
    expect((await push('PUT', 'E1', 1)).status).toBe(200);
    await faults({ mode: '500', count: 1 });
    expect((await push('PUT', 'E1', 2)).status).toBe(500);
    expect(state.faults).toEqual({ mode: 'none' });
    await faults({ mode: '400' });
    expect((await push('PUT', 'E1', 2)).status).toBe(400);
    expect((await push('PUT', 'E1', 2)).status).toBe(400);
    await faults({ mode: 'slow', delayMs: 150, count: 1 });
    const started = Date.now();
    expect((await push('PUT', 'E1', 2)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(state.log.map((l) => l.fault ?? null)).toEqual(['429', '429', null, '500', '400', '400', 'slow']);
    expect((await faults({ mode: 'teapot' })).status).toBe(400);
    expect(validateFaults({ mode: '429', count: -1 })).toMatch(/whole numbers/);
    expect(validateFaults({ mode: 'none', extra: 1 })).toMatch(/unknown/);
  });

  it('reads, signed over the empty body: one profile (404 when none) and the listing in member-id order, in pages', async () => {
    const { state, push, read } = setup();
    for (const id of ['E5', 'E2', 'E4', 'E1', 'E3']) await push('PUT', id, 1);
    await push('DELETE', 'E5', 2);
    expect(await (await read('/profiles/E2')).json()).toEqual({ member_id: 'E2', version: 1, completions: [] });
    const gone = await read('/profiles/E5');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'not-found', deleted_version: 2 });
    const ids: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = (await (await read(`/profiles?limit=2&cursor=${cursor}`)).json()) as { profiles: { member_id: string }[]; next_cursor: string | null };
      ids.push(...page.profiles.map((p) => p.member_id));
      cursor = page.next_cursor;
      pages += 1;
    }
    expect([ids, pages]).toEqual([['E1', 'E2', 'E3', 'E4'], 2]);
    expect(((await (await read('/profiles')).json()) as { next_cursor: unknown }).next_cursor).toBeNull();
    expect(state.reads).toBe(5);
    expect(state.log).toHaveLength(6); // the pushes only
  });

  it('refuses unsigned, wrongly signed and stale reads with 401, a bad limit or cursor with 400', async () => {
    const { push, read } = setup();
    await push('PUT', 'E1', 1);
    for (const o of [{ unsigned: true }, { secret: 'another-secret-0123456789' }, { t: T - 301 }]) {
      expect((await read('/profiles', o)).status).toBe(401);
      expect((await read('/profiles/E1', o)).status).toBe(401);
    }
    for (const query of ['limit=0', 'limit=1001', 'limit=x']) expect(await (await read(`/profiles?${query}`)).json()).toMatchObject({ error: 'invalid-limit' });
    expect(await (await read('/profiles?cursor=***')).json()).toMatchObject({ error: 'invalid-cursor' });
  });

  it('corrupts what it holds: drop, stale and undelete lose versions with their idempotency keys, so a re-sent version is applied', async () => {
    const { state, push, corrupt } = setup();
    await push('PUT', 'E1', 1);
    await push('PUT', 'E2', 1);
    await push('PUT', 'E2', 2, { body: JSON.stringify({ member_id: 'E2', version: 2, completions: ['a'] }) });
    await push('PUT', 'E3', 1);
    await push('DELETE', 'E3', 2);

    expect(await (await corrupt({ kind: 'drop', member_id: 'E1' })).json()).toEqual({ corrupted: ['E1'] });
    expect(state.profiles.has('E1')).toBe(false);
    const again = await push('PUT', 'E1', 1);
    expect([again.status, again.headers.get('Idempotent-Replayed'), state.profiles.has('E1')]).toEqual([200, null, true]);

    await corrupt({ kind: 'stale', member_id: 'E2' });
    expect(state.profiles.get('E2')).toEqual({ member_id: 'E2', version: 1, completions: [] });
    await push('PUT', 'E2', 2, { body: JSON.stringify({ member_id: 'E2', version: 2, completions: ['a'] }) });
    expect(state.profiles.get('E2')).toEqual({ member_id: 'E2', version: 2, completions: ['a'] });

    await corrupt({ kind: 'undelete', member_id: 'E3' });
    expect(state.profiles.get('E3')).toEqual({ member_id: 'E3', version: 1, completions: [] });
    expect((await push('DELETE', 'E3', 2)).status).toBe(200);
    expect(state.profiles.has('E3')).toBe(false);
  });

  it('corrupts what it holds: alter keeps the version, ahead raises it, orphan adds an unpublished member; without member_id the first eligible ones', async () => {
    const { state, push, corrupt } = setup();
    await push('PUT', 'E1', 3, { body: JSON.stringify({ member_id: 'E1', version: 3, email: 'e1@acme.example', completions: ['a', 'b'] }) });
    await push('PUT', 'E2', 1);
    await corrupt({ kind: 'alter', member_id: 'E1' });
    expect(state.profiles.get('E1')).toEqual({ member_id: 'E1', version: 3, email: 'altered-E1@sandbox.invalid', completions: ['a'] });
    await corrupt({ kind: 'ahead', member_id: 'E2' });
    expect([state.profiles.get('E2')?.version, state.versions.get('E2')]).toEqual([2, 2]);
    expect(await (await corrupt({ kind: 'orphan', count: 2 })).json()).toEqual({ corrupted: ['ORPHAN-1', 'ORPHAN-2'] });
    expect(state.profiles.get('ORPHAN-1')).toMatchObject({ member_id: 'ORPHAN-1', version: 1, status: 'active', completions: [] });
    expect(await (await corrupt({ kind: 'drop', count: 1 })).json()).toEqual({ corrupted: ['E1'] });
  });

  it('refuses a corruption it cannot apply, naming the field and the rule', async () => {
    const { push, corrupt } = setup();
    await push('PUT', 'E1', 1);
    expect((await corrupt({ kind: 'drop', member_id: 'E9' })).status).toBe(404);
    expect((await corrupt({ kind: 'undelete', member_id: 'E1' })).status).toBe(404);
    expect((await corrupt({ kind: 'orphan', member_id: 'E1' })).status).toBe(409);
    expect(await (await corrupt({ kind: 'stale', member_id: 'E1' })).json()).toMatchObject({ error: 'not-eligible' });
    expect(await (await corrupt({ kind: 'melt' })).json()).toMatchObject({ error: 'invalid-corruption', message: expect.stringMatching(/^kind must be one of drop/) });
    expect(validateCorruption({ kind: 'drop', count: 0 })).toMatch(/count/);
    expect(validateCorruption({ kind: 'drop', member_id: '' })).toMatch(/member_id/);
    expect(validateCorruption({ kind: 'drop', extra: 1 })).toMatch(/unknown/);
  });
});
