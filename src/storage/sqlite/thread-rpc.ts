/**
 * Requests to a worker thread that owns a SQLite connection, and its answers: the one mechanism
 * under the statement writer thread (writer-thread.ts) and the statement reader thread
 * (reader-thread.ts).
 *
 * - The thread is started on the first request, so a store that never needs it never starts it.
 * - Both sides send batches: the requests of one turn of the event loop, the replies of one
 *   group (a message costs far more than its size).
 * - While a request is pending the thread keeps the process alive, and only then.
 * - A thread that dies fails what it was asked; the next request starts a new one.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { WORKER_RESOURCE_LIMITS } from '../../worker-limits.js';

/** A failure the thread reported, with SQLite's error code (e.g. SQLITE_FULL) when there was one. */
export class SqliteThreadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteThreadError';
  }
}

export type Reply<R> = { ok: true; result: R } | { ok: false; error: { message: string; code?: string } };

type ThreadMessage<Q> = { requests: { id: number; request: Q }[] } | { close: true };
type ThreadReplies<R> = { id: number; reply: Reply<R> }[];

/** A thrown error as a reply. */
export function failure(error: unknown): Reply<never> {
  const e = error as { message?: unknown; code?: unknown };
  return { ok: false, error: { message: String(e?.message ?? error), ...(typeof e?.code === 'string' ? { code: e.code } : {}) } };
}

export interface ThreadClient<Q, R> {
  request(request: Q): Promise<R>;
  /** Waits for the requests sent so far, then stops the thread. */
  close(): Promise<void>;
}

/** The process's side: `script` is the thread's compiled file, `data` its workerData. */
export function threadClient<Q, R>(name: string, script: string, data: unknown): ThreadClient<Q, R> {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  const pending = new Map<number, { resolve(result: R): void; reject(error: Error): void }>();
  let outbox: { id: number; request: Q }[] = [];
  let nextId = 1;

  function failAll(error: Error): void {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  function start(): Worker {
    const w = new Worker(script, { workerData: data, resourceLimits: WORKER_RESOURCE_LIMITS });
    w.on('message', (replies: ThreadReplies<R>) => {
      for (const { id, reply } of replies) {
        const p = pending.get(id);
        if (!p) continue;
        pending.delete(id);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new SqliteThreadError(reply.error.message, reply.error.code));
      }
      if (pending.size === 0) w.unref();
    });
    w.on('error', (error) => failAll(new SqliteThreadError(`the ${name} thread failed: ${error.message}`)));
    exited = new Promise((resolve) =>
      w.once('exit', (code) => {
        if (worker === w) worker = undefined;
        failAll(new SqliteThreadError(`the ${name} thread exited (code ${code}) before answering`));
        resolve();
      }),
    );
    return w;
  }

  function send(): void {
    const requests = outbox;
    outbox = [];
    if (requests.length > 0) (worker ??= start()).postMessage({ requests } satisfies ThreadMessage<Q>);
  }

  return {
    request(request) {
      const id = nextId++;
      const answer = new Promise<R>((resolve, reject) => pending.set(id, { resolve, reject }));
      if (outbox.length === 0) setImmediate(send);
      outbox.push({ id, request });
      (worker ??= start()).ref();
      return answer;
    },
    async close() {
      const w = worker;
      if (!w) return;
      send();
      worker = undefined;
      w.ref();
      w.postMessage({ close: true } satisfies ThreadMessage<Q>);
      await exited;
    },
  };
}

export interface ThreadServer<Q, R> {
  /** Answers a group of requests (one reply each, in order). */
  handle(requests: Q[]): Reply<R>[];
  /** How many requests from the front of the queue form the next group (all when absent). */
  groupSize?(requests: Q[]): number;
  /** Work after a group's replies are sent, so that they do not wait for it. */
  afterGroup?(): void;
  close(): void;
}

/**
 * The thread's side: answers what has arrived as groups, letting the messages that came in
 * during one group in before the next is formed; `{ close }` ends it after what was received.
 */
export function serveThread<Q, R>(open: (data: never) => ThreadServer<Q, R>): void {
  const port = parentPort;
  if (port === null) throw new Error('this module runs as a worker thread');
  const server = open(workerData as never);
  let queue: { id: number; request: Q }[] = [];
  let closing = false;
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    while (queue.length > 0) {
      const size = server.groupSize?.(queue.map((q) => q.request)) ?? queue.length;
      const group = queue.slice(0, size);
      queue = queue.slice(size);
      const replies = server.handle(group.map((q) => q.request));
      port?.postMessage(group.map((q, i) => ({ id: q.id, reply: replies[i] as Reply<R> })) satisfies ThreadReplies<R>);
      server.afterGroup?.();
      if (queue.length > 0) return schedule();
    }
    if (closing) {
      server.close();
      port?.close();
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  port.on('message', (message: ThreadMessage<Q>) => {
    if ('close' in message) closing = true;
    else queue.push(...message.requests);
    schedule();
  });
}
