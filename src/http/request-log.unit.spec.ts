/** Which incoming X-Request-Id values are kept (src/http/request-log.ts). */
import { describe, expect, it } from 'vitest';
import { requestIdFor } from './request-log.js';

describe('requestIdFor', () => {
  it('keeps a token of 1–128 letters, digits and . _ : -', () => {
    for (const id of ['x', 'a'.repeat(128), '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', 'proxy-7:req.42_a']) expect(requestIdFor(id)).toBe(id);
  });

  it('replaces anything else, or no id, with a fresh 12-character id', () => {
    for (const id of [undefined, '', 'a'.repeat(129), 'has spaces', 'a\r\nSet-Cookie: x=1', 'line\nfeed', 'caf\u00e9', '"quoted"', 'a/b', 'a,b']) {
      const fresh = requestIdFor(id);
      expect(fresh, String(id)).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(fresh).not.toBe(id);
    }
  });
});
