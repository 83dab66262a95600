/** The real xAPI client libraries as the e2e tests load them, and promise/error helpers around them. */
import { createRequire } from 'node:module';
import type TinCanNS from 'tincanjs';

/** TinCanJS is CommonJS with a Node environment of its own. */
export const TinCan = createRequire(import.meta.url)('tincanjs') as typeof TinCanNS;

/** A failed TinCanJS request, with what the LRS answered. */
export class TinCanRequestError extends Error {
  constructor(
    readonly err: TinCanNS.RequestError,
    readonly xhr: TinCanNS.XHR | null,
  ) {
    super(`TinCanJS request failed: ${String(err)} ${xhr ? xhr.responseText : ''}`);
  }
  get status(): number | undefined {
    return typeof this.err === 'number' ? this.err : undefined;
  }
}

/** Runs a callback-style TinCanJS call as a promise. */
export function call<T>(run: (callback: TinCanNS.Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    run((...args) => {
      if (args[0] === null) resolve(args[1]);
      else reject(new TinCanRequestError(args[0], args[1]));
    });
  });
}

/** The HTTP status of a failed @xapi/xapi call: axios errors carry the response; the fetch adapter throws the body text. */
export function failureStatus(error: unknown): number | undefined {
  const response = (error as { response?: { status?: number } }).response;
  if (response?.status !== undefined) return response.status;
  try {
    return (JSON.parse((error as Error).message) as { error?: { status?: number } }).error?.status;
  } catch {
    return undefined;
  }
}
