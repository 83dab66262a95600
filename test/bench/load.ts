/**
 * The load generator: autocannon in this process, keep-alive connections, a fixed duration,
 * a fresh body or path per request. Latency percentiles are computed here from every 2xx
 * response time (autocannon's own summary has no p95).
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  method: 'GET' | 'POST';
  connections: number;
  /** How long to run; ignored when `amount` is given. */
  seconds: number;
  /** Run exactly this many requests instead of for a time. */
  amount?: number;
  headers: Record<string, string>;
  /** The path (with query) of each request. */
  nextPath: () => string;
  /** The body of each request, when it has one. */
  nextBody?: () => string;
}

export interface LoadResult {
  /** Seconds the run lasted, as autocannon measured it. */
  seconds: number;
  /** 2xx responses. */
  ok: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  statusCounts: Record<string, number>;
  /** Latency of 2xx responses, in ms. */
  p50: number;
  p95: number;
  p99: number;
  /** Mean bytes per response (headers included). */
  meanResponseBytes: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let bytes = 0;
  let responses = 0;
  const { nextBody, nextPath } = options;
  const instance = autocannon({
    url: options.origin,
    method: options.method,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds }),
    pipelining: 1,
    timeout: 30,
    headers: options.headers,
    requests: [
      {
        method: options.method,
        setupRequest: (request) => {
          request.path = nextPath();
          if (nextBody) request.body = nextBody();
          return request;
        },
      },
    ],
  });
  instance.on('response', (_client, statusCode, responseBytes, responseTimeMs) => {
    responses++;
    bytes += responseBytes;
    if (statusCode < 200 || statusCode >= 300) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTimeMs;
  });
  const result = await instance;
  const sorted = latencies.subarray(0, count).sort();
  const statusCounts: Record<string, number> = {};
  for (const [status, { count: n }] of Object.entries(result.statusCodeStats)) statusCounts[status] = Number(n);
  return {
    seconds: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    meanResponseBytes: responses === 0 ? 0 : bytes / responses,
  };
}
