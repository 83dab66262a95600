import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signatureHeader, verifySignature } from './signature.js';

const SECRET = 'whsec_0123456789abcdef';
const BODY = '{"event_id":"ev-1","type":"hire"}';
const T = 1_767_600_000;

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
    expect(signatureHeader(SECRET, new TextEncoder().encode(BODY), T)).toBe(`t=${T},v1=${expected}`);
  });
});

describe('verifySignature', () => {
  const header = signatureHeader(SECRET, BODY, T);

  it('accepts the right signature within 300 s either way', () => {
    expect(verifySignature(header, BODY, SECRET, T)).toEqual({ ok: true, timestamp: T });
    expect(verifySignature(header, BODY, SECRET, T + 300).ok).toBe(true);
    expect(verifySignature(header, BODY, SECRET, T - 300).ok).toBe(true);
  });

  it('refuses a stale or future timestamp (> 300 s off)', () => {
    expect(verifySignature(header, BODY, SECRET, T + 301)).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifySignature(header, BODY, SECRET, T - 301)).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('refuses another body, another secret, or a timestamp changed after signing', () => {
    expect(verifySignature(header, `${BODY} `, SECRET, T)).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header, BODY, 'another-secret-0123', T)).toMatchObject({ ok: false, reason: 'mismatch' });
    const moved = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifySignature(moved, BODY, SECRET, T)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('accepts any matching v1 (secret rotation) and ignores other schemes', () => {
    const old = signatureHeader('old-secret-0123456', BODY, T).split(',')[1];
    const both = `t=${T},${old},v0=whatever,${header.split(',')[1]}`;
    expect(verifySignature(both, BODY, SECRET, T).ok).toBe(true);
  });

  it('says what is wrong with a missing or malformed header', () => {
    expect(verifySignature(undefined, BODY, SECRET, T)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifySignature(' ', BODY, SECRET, T)).toMatchObject({ ok: false, reason: 'missing' });
    for (const bad of ['v1=abc', `t=${T}`, `t=soon,v1=${'a'.repeat(64)}`, `t=${T},v1=xyz`, `t=${T},t=${T},v1=${'a'.repeat(64)}`, 'garbage']) {
      expect(verifySignature(bad, BODY, SECRET, T), bad).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('parses the parts', () => {
    expect(parseSignatureHeader(`t=${T}, v1=${'A'.repeat(64)}`)).toEqual({ timestamp: T, signatures: ['a'.repeat(64)] });
  });
});
