/**
 * The reading side of the marketplace protocol (ARCHITECTURE.md §7): the paged listing and the
 * single read, each signed like a push over the empty body. Any answer but 2xx (and 404 for a
 * single read) means the marketplace could not be read: reconciliation stops (exit 3) rather
 * than count what it could not see as drift.
 */
import { signatureHeader } from '../hris/signature.js';

export interface MarketplacePage {
  profiles: Record<string, unknown>[];
  next_cursor: string | null;
}

export interface MarketplaceReader {
  /** One page of the listing, in member-id order. */
  page(cursor: string | null, limit: number): Promise<MarketplacePage>;
  /** The profile held for a member id, or null (404). */
  get(memberId: string): Promise<Record<string, unknown> | null>;
}

export class MarketplaceReadError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'MarketplaceReadError';
  }
}

export interface ReaderOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function marketplaceReader(options: ReaderOptions): MarketplaceReader {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;

  /** GET `path`, signed; the parsed JSON body, or null for a 404 when `allowNotFound`. */
  async function read(path: string, allowNotFound: boolean): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        headers: { 'X-Signature': signatureHeader(options.secret, '', Math.floor(now() / 1000)), Accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new MarketplaceReadError(`GET ${path}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (allowNotFound && response.status === 404) return null;
    if (response.status < 200 || response.status >= 300) throw new MarketplaceReadError(`GET ${path}: HTTP ${response.status} ${text.replace(/\s+/g, ' ').slice(0, 200)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new MarketplaceReadError(`GET ${path}: the answer is not JSON`, { cause: error });
    }
  }

  return {
    async page(cursor, limit) {
      const query = new URLSearchParams({ limit: String(limit), ...(cursor !== null ? { cursor } : {}) });
      const body = await read(`/profiles?${query}`, false);
      if (!isObject(body) || !Array.isArray(body.profiles) || !body.profiles.every(isObject) || !(body.next_cursor === null || typeof body.next_cursor === 'string')) {
        throw new MarketplaceReadError('GET /profiles: the answer is not {"profiles": [object, …], "next_cursor": string | null}');
      }
      return { profiles: body.profiles, next_cursor: body.next_cursor };
    },
    async get(memberId) {
      const body = await read(`/profiles/${encodeURIComponent(memberId)}`, true);
      if (body !== null && !isObject(body)) throw new MarketplaceReadError(`GET /profiles/${memberId}: the answer is not a JSON object`);
      return body;
    },
  };
}
