/**
 * The process's side of the statement writer thread (writer-thread.ts): started on the first
 * write, so stores that never write statements (most CLI commands) never start it. Requests
 * are answered in the order the thread commits them; while any is pending the thread keeps the
 * process alive, and only then.
 *
 * Why a thread: on the embedded store, a statement write is mostly SQLite work (index
 * maintenance, the commit), while parsing, validating and answering HTTP is the main thread's.
 * With the writes on a thread of their own, both run at once on two cores, and the thread's
 * group commits share one transaction among all the requests that arrived meanwhile.
 */
import { Worker } from 'node:worker_threads';
import { compiledScript } from '../../project-files.js';
import type { ThreadMessage, ThreadReplies, WriterThreadData } from './writer-thread.js';
import type { WriterRequest, WriterResult } from './statement-writer.js';

/** A failure the writer thread reported, with SQLite's error code (e.g. SQLITE_FULL) when there was one. */
export class StatementWriterError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StatementWriterError';
  }
}

export interface WriterClient {
  /** The thread's result for the request (of the same `op`); rejects with a StatementWriterError. */
  request(request: WriterRequest): Promise<WriterResult>;
  /** Waits for the requests sent so far, then stops the thread. */
  close(): Promise<void>;
}

interface Pending {
  resolve(result: WriterResult): void;
  reject(error: Error): void;
}

export function writerClient(data: WriterThreadData): WriterClient {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  const pending = new Map<number, Pending>();
  /** Requests of this turn of the event loop, sent together at its end. */
  let outbox: { id: number; request: WriterRequest }[] = [];
  let nextId = 1;

  function failAll(error: Error): void {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  function start(): Worker {
    const w = new Worker(compiledScript(import.meta.url, 'writer-thread.js'), { workerData: data });
    w.on('message', (replies: ThreadReplies) => {
      for (const { id, reply } of replies) {
        const p = pending.get(id);
        if (!p) continue;
        pending.delete(id);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new StatementWriterError(reply.error.message, reply.error.code));
      }
      if (pending.size === 0) w.unref();
    });
    w.on('error', (error) => failAll(new StatementWriterError(`the statement writer thread failed: ${error.message}`)));
    exited = new Promise((resolve) =>
      w.once('exit', (code) => {
        if (worker === w) worker = undefined;
        failAll(new StatementWriterError(`the statement writer thread exited (code ${code}) before answering`));
        resolve();
      }),
    );
    return w;
  }

  function send(): void {
    const requests = outbox;
    outbox = [];
    if (requests.length > 0) (worker ??= start()).postMessage({ requests } satisfies ThreadMessage);
  }

  return {
    request(request) {
      const id = nextId++;
      const answer = new Promise<WriterResult>((resolve, reject) => pending.set(id, { resolve, reject }));
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
      w.postMessage({ close: true } satisfies ThreadMessage);
      await exited;
    },
  };
}
