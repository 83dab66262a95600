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
    const { app, state, push, read, faults } = setup();
    for (const id of ['E5', 'E2', 'E10', 'E1', 'E3', 'E6']) await push('PUT', id, 1);
    await push('DELETE', 'E6', 2);
    expect(await (await read('/profiles/E2')).json()).toEqual({ member_id: 'E2', version: 1, completions: [] });
    const gone = await read('/profiles/E6');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'not-found', deleted_version: 2 });
    expect(await (await read('/profiles/E9')).json()).toEqual({ error: 'not-found' });
    const pages: { ids: string[]; next_cursor: string | null }[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = (await (await read(`/profiles?limit=2&cursor=${cursor}`)).json()) as { profiles: { member_id: string }[]; next_cursor: string | null };
      pages.push({ ids: page.profiles.map((p) => p.member_id), next_cursor: page.next_cursor });
      cursor = page.next_cursor;
    }
    // Plain string order ('E10' < 'E2'); the cursor is the page's last id, base64url; the deleted E6 is not listed.
    expect(pages).toEqual([
      { ids: ['E1', 'E10'], next_cursor: Buffer.from('E10').toString('base64url') },
      { ids: ['E2', 'E3'], next_cursor: Buffer.from('E3').toString('base64url') },
      { ids: ['E5'], next_cursor: null },
    ]);
    const all = (await (await read('/profiles')).json()) as { profiles: unknown[]; next_cursor: unknown };
    expect([all.profiles.length, all.next_cursor]).toEqual([5, null]); // default limit 100
    expect(state.reads).toBe(7);
    expect(state.log).toHaveLength(7); // the pushes only

    await faults({ mode: '500' });
    expect((await read('/profiles/E1')).status).toBe(200); // faults are for pushes
    expect(state.faults).toEqual({ mode: '500' });
    await app.request('/_reset', { method: 'POST' });
    expect(state.reads).toBe(0);
  });

  it('refuses unsigned, wrongly signed and stale reads with 401, a bad limit or cursor with 400', async () => {
    const { state, push, read } = setup();
    await push('PUT', 'E1', 1);
    for (const [o, error] of [
      [{ unsigned: true }, 'signature-missing'],
      [{ secret: 'another-secret-0123456789' }, 'signature-mismatch'],
      [{ t: T - 301 }, 'signature-stale'],
    ] as const) {
      for (const path of ['/profiles', '/profiles/E1']) {
        const refused = await read(path, o);
        expect([refused.status, await refused.json()]).toEqual([401, { error, message: expect.any(String) }]);
      }
    }
    expect(state.reads).toBe(0);
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'limit=1.5', 'limit=-1', 'limit=']) {
      const res = await read(`/profiles?${query}`);
      expect([res.status, await res.json()]).toEqual([400, { error: 'invalid-limit', message: expect.stringContaining('1 to 1000') }]);
    }
    expect((await read('/profiles?limit=1000')).status).toBe(200);
    for (const cursor of ['***', 'RTE=', '%C3%A9']) {
      const res = await read(`/profiles?cursor=${cursor}`);
      expect([res.status, await res.json()]).toEqual([400, { error: 'invalid-cursor', message: expect.any(String) }]);
    }
  });

  it('corrupts what it holds: drop, stale and undelete lose versions with their idempotency keys, so a re-sent version is applied', async () => {
    const { state, push, corrupt } = setup();
    const e2v2 = JSON.stringify({ member_id: 'E2', version: 2, completions: ['a'] });
    await push('PUT', 'E1', 1);
    await push('PUT', 'E2', 1);
    await push('PUT', 'E2', 2, { body: e2v2 });
    await push('PUT', 'E3', 1);
    await push('DELETE', 'E3', 2);
    await push('PUT', 'E4', 3);
    const applied = async (res: Response) => [res.status, res.headers.get('Idempotent-Replayed'), state.log.at(-1)?.applied];

    expect(await (await corrupt({ kind: 'drop', member_id: 'E1' })).json()).toEqual({ corrupted: ['E1'] });
    expect([state.profiles.has('E1'), state.versions.has('E1'), state.idempotency.has('E1:1')]).toEqual([false, false, false]);
    expect(await applied(await push('PUT', 'E1', 1))).toEqual([200, null, true]);
    expect(state.profiles.get('E1')).toEqual({ member_id: 'E1', version: 1, completions: [] });

    await corrupt({ kind: 'stale', member_id: 'E2' }); // back to the profile stored before
    expect([state.profiles.get('E2'), state.versions.get('E2')]).toEqual([{ member_id: 'E2', version: 1, completions: [] }, 1]);
    expect(await applied(await push('PUT', 'E2', 2, { body: e2v2 }))).toEqual([200, null, true]);
    expect(state.profiles.get('E2')).toEqual(JSON.parse(e2v2));

    await corrupt({ kind: 'stale', member_id: 'E4' }); // nothing stored before: the same content a version down
    expect([state.profiles.get('E4'), state.versions.get('E4')]).toEqual([{ member_id: 'E4', version: 2, completions: [] }, 2]);
    expect(await applied(await push('PUT', 'E4', 3))).toEqual([200, null, true]);

    await corrupt({ kind: 'undelete', member_id: 'E3' });
    expect([state.profiles.get('E3'), state.versions.get('E3'), state.deleted.has('E3')]).toEqual([{ member_id: 'E3', version: 1, completions: [] }, 1, false]);
    expect(await applied(await push('DELETE', 'E3', 2))).toEqual([200, null, true]);
    expect([state.profiles.has('E3'), state.deleted.has('E3')]).toEqual([false, true]);
  });

  it('corrupts what it holds: alter keeps the version, ahead raises it, orphan adds an unpublished member', async () => {
    const { state, push, corrupt } = setup();
    await push('PUT', 'E1', 3, { body: JSON.stringify({ member_id: 'E1', version: 3, email: 'e1@acme.example', completions: ['a', 'b'] }) });
    await push('PUT', 'E2', 1);
    await push('PUT', 'E3', 1, { body: JSON.stringify({ member_id: 'E3', version: 1 }) });
    await corrupt({ kind: 'alter', member_id: 'E1' });
    expect([state.profiles.get('E1'), state.versions.get('E1')]).toEqual([{ member_id: 'E1', version: 3, email: 'altered-E1@sandbox.invalid', completions: ['a'] }, 3]);
    await corrupt({ kind: 'alter', member_id: 'E3' });
    expect(state.profiles.get('E3')).toEqual({ member_id: 'E3', version: 1, email: 'altered-E3@sandbox.invalid' });
    await corrupt({ kind: 'ahead', member_id: 'E2' });
    expect([state.profiles.get('E2'), state.versions.get('E2')]).toEqual([{ member_id: 'E2', version: 2, completions: [] }, 2]);

    expect(await (await corrupt({ kind: 'orphan', member_id: 'ORPHAN-1' })).json()).toEqual({ corrupted: ['ORPHAN-1'] });
    expect(await (await corrupt({ kind: 'orphan', count: 2 })).json()).toEqual({ corrupted: ['ORPHAN-2', 'ORPHAN-3'] });
    expect([state.profiles.get('ORPHAN-2'), state.versions.get('ORPHAN-2')]).toEqual([
      {
        member_id: 'ORPHAN-2', email: null, status: 'active', version: 1, mapping_version: 'sandbox-orphan', updated_at: new Date(NOW).toISOString(),
        completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [],
      },
      1,
    ]);
  });

  it('without member_id, corrupts the first `count` eligible members in member-id order', async () => {
    const { push, corrupt } = setup();
    for (const id of ['E3', 'E1', 'E2', 'E4']) await push('PUT', id, 1);
    await push('PUT', 'E3', 2);
    await push('PUT', 'E4', 2);
    await push('DELETE', 'E1', 2);
    await push('DELETE', 'E9', 1); // deleted, never stored: nothing to undelete
    const corrupted = async (c: unknown) => ((await (await corrupt(c)).json()) as { corrupted: string[] }).corrupted;
    expect(await corrupted({ kind: 'stale', count: 5 })).toEqual(['E3', 'E4']); // E2 is at version 1 with nothing before
    expect(await corrupted({ kind: 'undelete', count: 5 })).toEqual(['E1']);
    expect(await corrupted({ kind: 'drop' })).toEqual(['E1']);
    expect(await corrupted({ kind: 'ahead', count: 2 })).toEqual(['E2', 'E3']);
    expect(await corrupted({ kind: 'undelete' })).toEqual([]);
  });

  it('refuses a corruption it cannot apply, naming the field and the rule', async () => {
    const { app, state, push, corrupt } = setup();
    await push('PUT', 'E1', 1);
    await push('DELETE', 'E2', 1);
    const answer = async (c: unknown) => {
      const res = await corrupt(c);
      return [res.status, await res.json()];
    };
    expect(await answer({ kind: 'drop', member_id: 'E9' })).toEqual([404, { error: 'not-found', message: expect.stringContaining('E9') }]);
    expect(await answer({ kind: 'alter', member_id: 'E2' })).toEqual([404, { error: 'not-found', message: expect.stringContaining('E2') }]);
    expect(await answer({ kind: 'undelete', member_id: 'E1' })).toEqual([404, { error: 'not-found', message: expect.stringContaining('E1') }]);
    expect(await answer({ kind: 'undelete', member_id: 'E2' })).toEqual([409, { error: 'not-eligible', message: expect.stringContaining('DELETE') }]);
    expect(await answer({ kind: 'orphan', member_id: 'E1' })).toEqual([409, { error: 'held', message: expect.stringContaining('E1') }]);
    expect(await answer({ kind: 'stale', member_id: 'E1' })).toEqual([409, { error: 'not-eligible', message: expect.stringContaining('older version') }]);
    expect(await answer({ kind: 'melt' })).toEqual([400, { error: 'invalid-corruption', message: 'kind must be one of drop, stale, alter, orphan, undelete, ahead' }]);
    expect(await answer({ kind: 'drop', count: 0 })).toEqual([400, { error: 'invalid-corruption', message: 'count must be a whole number ≥ 1' }]);
    expect(await answer({ kind: 'drop', count: 1.5 })).toEqual([400, { error: 'invalid-corruption', message: 'count must be a whole number ≥ 1' }]);
    expect(await answer({ kind: 'drop', member_id: 7 })).toEqual([400, { error: 'invalid-corruption', message: 'member_id must be a non-empty string' }]);
    expect(await answer({ kind: 'drop', memberId: 'E1' })).toEqual([400, { error: 'invalid-corruption', message: 'unknown field(s): memberId' }]);
    expect(await answer(['drop'])).toEqual([400, { error: 'invalid-corruption', message: 'the body must be a JSON object' }]);
    const notJson = await app.request('/_corrupt', { method: 'POST', body: 'drop', headers: { 'Content-Type': 'application/json' } });
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: 'invalid-corruption', message: 'the body must be JSON' }]);
    expect(validateCorruption({ kind: 'drop', member_id: '' })).toMatch(/member_id/);
    expect(validateCorruption({ kind: 'ahead', member_id: 'E1', count: 2 })).toEqual({ kind: 'ahead', member_id: 'E1', count: 2 });
    expect(state.profiles.get('E1')).toEqual({ member_id: 'E1', version: 1, completions: [] }); // nothing was applied

    await push('PUT', 'E1', 2);
    await app.request('/_reset', { method: 'POST' });
    expect([state.profiles.size, state.previous.size, state.versions.size, state.idempotency.size, state.deleted.size]).toEqual([0, 0, 0, 0, 0]);
  });
});
