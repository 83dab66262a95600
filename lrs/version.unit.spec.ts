/** The version middleware on its own (hono app.request, no socket): which version a request speaks and states. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../src/http/app-env.js';
import { respondWithError } from '../src/http/errors.js';
import { requestedVersion, SUPPORTED_VERSIONS, xapiVersion, type XapiVersion } from './version.js';

function app(fallback: XapiVersion): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.onError((error, c) => respondWithError(c, error));
  a.use('*', xapiVersion(fallback));
  a.get('/about', (c) => c.json({ version: c.get('xapiVersion') }));
  a.get('/statements', (c) => c.json({ version: c.get('xapiVersion') }));
  return a;
}

const get = (a: Hono<AppEnv>, path: string, version?: string) =>
  a.request(path, { headers: version === undefined ? {} : { 'X-Experience-API-Version': version } });

describe('requestedVersion', () => {
  it.each([
    ['1.0', '1.0.3'],
    ['1.0.0', '1.0.3'],
    ['1.0.2', '1.0.3'],
    [' 1.0.3 ', '1.0.3'],
    ['2.0', '2.0.0'],
    ['2.0.0', '2.0.0'],
    ['2.0.7', '2.0.0'],
  ] as const)('%s is spoken as %s', (header, version) => {
    expect(requestedVersion(header)).toBe(version);
  });

  it.each(['0.95', '1.1.0', '2.1.0', '3.0.0', '2', '2.0.0-rc1', 'latest', ''])('%s is not a version this LRS speaks', (header) => {
    expect(requestedVersion(header)).toBeNull();
  });

  it('GET /about lists every 1.0.x accepted and 2.0.0', () => {
    expect(SUPPORTED_VERSIONS).toEqual(expect.arrayContaining(['1.0.3', '2.0.0']));
  });
});

describe('xapiVersion middleware', () => {
  it('answers each request in the version it asked for and tells the handlers', async () => {
    const a = app('2.0.0');
    for (const [sent, spoken] of [['2.0', '2.0.0'], ['1.0.1', '1.0.3']] as const) {
      const res = await get(a, '/statements', sent);
      expect(res.status).toBe(200);
      expect(res.headers.get('X-Experience-API-Version')).toBe(spoken);
      expect(await res.json()).toEqual({ version: spoken });
    }
  });

  it('refuses a missing or unsupported version with a 400 in the fallback version, everywhere but /about', async () => {
    for (const fallback of ['2.0.0', '1.0.3'] as const) {
      const a = app(fallback);
      const missing = await get(a, '/statements');
      expect(missing.status).toBe(400);
      expect(missing.headers.get('X-Experience-API-Version')).toBe(fallback);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('missing-version');
      const unsupported = await get(a, '/statements', '2.1.0');
      expect(unsupported.status).toBe(400);
      expect(unsupported.headers.get('X-Experience-API-Version')).toBe(fallback);
      const about = await get(a, '/about', '2.1.0');
      expect(about.status).toBe(200);
      expect(about.headers.get('X-Experience-API-Version')).toBe(fallback);
    }
  });
});
