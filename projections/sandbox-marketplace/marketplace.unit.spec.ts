/** The sandbox marketplace's receiving rules, through app.request (no socket). */
import { describe, expect, it } from 'vitest';
import { sandboxApp, validateFaults } from './marketplace.js';
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
  return { app, state, push, faults };
}

describe('sandbox marketplace', () => {
  it('stores a signed PUT and shows it; rejects a wrong signature, a stale t and a missing signature with 401', async () => {
    const { app, push } = setup();
    expect((await push('PUT', 'E1', 1)).status).toBe(200);
    expect(await (await app.request('/profiles/E1')).json()).toEqual({ member_id: 'E1', version: 1, completions: [] });
    expect((await push('PUT', 'E1', 2, { secret: 'another-secret-0123456789' })).status).toBe(401);
    expect((await push('PUT', 'E1', 2, { t: T - 301 })).status).toBe(401);
    expect((await push('PUT', 'E1', 2, { t: T + 301 })).status).toBe(401);
    expect((await push('PUT', 'E1', 2, { t: T - 300 })).status).toBe(200);
    const unsigned = await app.request('/profiles/E1', { method: 'PUT', headers: { 'Idempotency-Key': 'E1:3' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(((await (await app.request('/profiles')).json()) as { profiles: unknown[] }).profiles).toHaveLength(1);
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
    expect((await app.request('/profiles/E1')).status).toBe(404);
    expect((await push('PUT', 'E1', 3, { key: 'E1:3' })).status).toBe(200); // replay of the first answer
    expect((await push('PUT', 'E1', 4, { body: JSON.stringify({ member_id: 'E1', version: 4 }) })).status).toBe(200);
    expect(await (await app.request('/profiles')).json()).toEqual({ profiles: [], deleted: [{ member_id: 'E1', version: 4 }] });
    expect((await push('PUT', 'E1', 5)).status).toBe(200);
    expect((await app.request('/profiles/E1')).status).toBe(200);
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
});
