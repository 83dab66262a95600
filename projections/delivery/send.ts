/** One push over HTTP and what its answer means (protocol.ts `classify`): the I/O the deliverer and reconciliation share. */
import { classify, networkFailure, type Outcome, type PushRequest } from './protocol.js';

export interface SendOptions {
  timeoutMs: number;
  now: () => number;
  fetch: typeof fetch;
}

export async function sendPush(request: PushRequest, options: SendOptions): Promise<Outcome> {
  try {
    const response = await options.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.method === 'PUT' ? { body: request.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    return classify(request.method, response.status, response.headers.get('Retry-After'), text, options.now());
  } catch (error) {
    return networkFailure(error, options.timeoutMs);
  }
}
