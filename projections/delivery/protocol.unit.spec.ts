import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, classify, isRetryableStatus, networkFailure, payloadSample, parseRetryAfter, pushRequest } from './protocol.js';
import { verifySignature } from '../hris/signature.js';
import type { DeliveryItem } from '../../src/storage/delivery-port.js';
import type { Profile } from '../../src/model/profile.js';

const SECRET = 'marketplace-secret-0123456789';

function profile(over: Partial<Profile> = {}, version = 7): Profile {
  return {
    member_id: 'E1001', email: 'ana@acme.example', status: 'active', version, mapping_version: 'lms-marketplace@1', updated_at: '2026-11-27T10:00:00.000Z',
    completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [], ...over,
  };
}

/** What the outbox hands out for `profile(over, version)`: its content, version and updatedAt. */
function item(over: Partial<Profile> = {}, version = 7): DeliveryItem {
  const { version: _version, updated_at: updatedAt, ...content } = profile(over, version);
  return { memberId: 'E1001', publishedId: content.member_id, version, content, updatedAt, attempts: 0 };
}

describe('push request (ARCHITECTURE.md §7)', () => {
  it('PUTs the whole profile to {base}/profiles/{member_id} with Idempotency-Key {member_id}:{version} and a signature over "{t}.{raw body}"', () => {
    const r = pushRequest(item(), 'https://mp.example/api/', SECRET, 1_764_237_600);
    expect(r.method).toBe('PUT');
    expect(r.url).toBe('https://mp.example/api/profiles/E1001');
    expect(JSON.parse(r.body)).toEqual(profile());
    expect(r.headers['Content-Type']).toBe('application/json');
    expect(r.headers['Idempotency-Key']).toBe('E1001:7');
    const hex = createHmac('sha256', SECRET).update(`1764237600.${r.body}`).digest('hex');
    expect(r.headers['X-Signature']).toBe(`t=1764237600,v1=${hex}`);
    expect(verifySignature(r.headers['X-Signature'], r.body, SECRET, 1_764_237_600 + 299)).toEqual({ ok: true, timestamp: 1_764_237_600 });
    expect(verifySignature(r.headers['X-Signature'], `${r.body} `, SECRET, 1_764_237_600)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('DELETEs a terminated member, signing the empty body; ids are path-encoded', () => {
    const r = pushRequest(item({ status: 'terminated', member_id: 'p_ab/c' }, 9), 'http://mp', SECRET, 100);
    expect(r).toMatchObject({ method: 'DELETE', url: 'http://mp/profiles/p_ab%2Fc', body: '' });
    expect(r.headers['Idempotency-Key']).toBe('p_ab/c:9');
    expect(r.headers['Content-Type']).toBeUndefined();
    expect(r.headers['X-Signature']).toBe(`t=100,v1=${createHmac('sha256', SECRET).update('100.').digest('hex')}`);
    expect(payloadSample(r)).toMatch(/^\(DELETE /);
  });

  it('keeps a bounded sample of the payload', () => {
    const long = pushRequest(item({ completions: Array.from({ length: 50 }, (_, i) => ({ activity_id: `https://lms/c${i}`, name: 'x'.repeat(20), learning_completed: true, completed_at: 'x', success: null })) }), 'http://mp', SECRET, 1);
    expect(payloadSample(long)).toHaveLength(513);
    expect(payloadSample(pushRequest(item(), 'http://mp', SECRET, 1))).toBe(JSON.stringify(profile()));
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-27T10:00:00.000Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
    expect(parseRetryAfter('999999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });
  it('reads an HTTP-date (all three forms); a past date is 0', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Friday, 27-Nov-26 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri Nov 27 10:01:00 2026', now)).toBeGreaterThanOrEqual(0);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', '-1', '1.5', 'soon', '2026-11-27T10:00:05Z', 'Fri, garbage']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('classifying a response', () => {
  it('2xx is delivered; 404/410 to a DELETE is delivered (already gone)', () => {
    for (const s of [200, 201, 202, 204]) expect(classify('PUT', s, null, '', 0)).toEqual({ kind: 'delivered' });
    expect(classify('DELETE', 404, null, '', 0)).toEqual({ kind: 'delivered' });
    expect(classify('DELETE', 410, null, '', 0)).toEqual({ kind: 'delivered' });
    expect(classify('PUT', 404, null, '', 0).kind).toBe('permanent');
  });
  it('408, 409, 429 and 5xx are retried, with Retry-After when sent; other 4xx and 3xx are permanent', () => {
    expect([408, 409, 429, 500, 502, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([300, 301, 400, 401, 403, 404, 410, 413, 422].some(isRetryableStatus)).toBe(false);
    expect(classify('PUT', 429, '2', '{"error":"slow down"}', 0)).toEqual({ kind: 'retry', error: 'HTTP 429: {"error":"slow down"}', retryAfterMs: 2000 });
    expect(classify('PUT', 503, null, '', 0)).toEqual({ kind: 'retry', error: 'HTTP 503' });
    expect(classify('PUT', 400, null, 'bad\n  profile', 0)).toEqual({ kind: 'permanent', error: 'HTTP 400: bad profile' });
    expect(classify('PUT', 308, null, '', 0).kind).toBe('permanent');
    expect((classify('PUT', 500, null, 'x'.repeat(1000), 0) as { error: string }).error).toHaveLength('HTTP 500: '.length + 200);
  });
  it('network failures and timeouts are retried', () => {
    expect(networkFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 1000)).toEqual({ kind: 'retry', error: 'network: ECONNREFUSED' });
    expect(networkFailure(new DOMException('The operation timed out.', 'TimeoutError'), 1000)).toEqual({ kind: 'retry', error: 'timeout: no response within 1000 ms' });
  });
});
