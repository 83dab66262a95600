import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';

describe('backoff', () => {
  it('starts at 500 ms, doubles, and is capped at 30 s by default', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 500, factor: 2, capMs: 30_000 });
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n))).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffDelay(3, { baseMs: 10, factor: 3, capMs: 50 })).toBe(50);
    expect(backoffDelay(2, { baseMs: 10, factor: 3, capMs: 50 })).toBe(30);
  });
});
