/**
 * The statement writer thread: owns the connection that writes statements, attachments and
 * canonical Activity definitions, and commits what has arrived since the previous commit as one
 * group (statement-writer.ts). Started by writer-client.ts; a message `{ close: true }` ends it
 * after the requests already received.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from './connection.js';
import { groupSize, statementWriter, type WriterReply, type WriterRequest } from './statement-writer.js';

/**
 * What the client sends: the numbered requests of one turn of its event loop, or the request
 * to finish and exit. Messages cost far more than their size, so both sides send batches.
 */
export type ThreadMessage = { requests: { id: number; request: WriterRequest }[] } | { close: true };
/** The replies to one group, in the order the requests came. */
export type ThreadReplies = { id: number; reply: WriterReply }[];

export interface WriterThreadData {
  file: string;
  cacheMiB: number;
}

const port = parentPort;
if (port === null) throw new Error('writer-thread.js runs as a worker thread (writer-client.ts starts it)');
const { file, cacheMiB } = workerData as WriterThreadData;
const db = openConnection(file, { cacheMiB });
const writer = statementWriter(db);

let queue: { id: number; request: WriterRequest }[] = [];
let closing = false;
let scheduled = false;

function flush(): void {
  scheduled = false;
  while (queue.length > 0) {
    const size = groupSize(queue.map((q) => q.request));
    const group = queue.slice(0, size);
    queue = queue.slice(size);
    const replies = writer.commit(group.map((q) => q.request));
    port?.postMessage(group.map((q, i) => ({ id: q.id, reply: replies[i] as WriterReply })) satisfies ThreadReplies);
    // Let the messages that arrived during this commit in before the next group is formed.
    if (queue.length > 0) return schedule();
  }
  if (closing) {
    db.close();
    port?.close();
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(flush);
}

port.on('message', (message: ThreadMessage) => {
  if ('close' in message) closing = true;
  else queue.push(...message.requests);
  schedule();
});
