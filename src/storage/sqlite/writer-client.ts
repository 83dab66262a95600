/**
 * The process's side of the statement writer thread (writer-thread.ts).
 *
 * Why a thread: on the embedded store, a statement write is mostly SQLite work (index
 * maintenance, the commit), while parsing, validating and answering HTTP is the main thread's.
 * With the writes on a thread of their own, both run at once on two cores, and the thread's
 * group commits share one transaction among all the requests that arrived meanwhile.
 */
import { compiledScript } from '../../project-files.js';
import { threadClient, type ThreadClient } from './thread-rpc.js';
import type { WriterThreadData } from './writer-thread.js';
import type { WriterRequest, WriterResult } from './statement-writer.js';

export type WriterClient = ThreadClient<WriterRequest, WriterResult>;

export function writerClient(data: WriterThreadData): WriterClient {
  return threadClient('statement writer', compiledScript(import.meta.url, 'writer-thread.js'), data);
}
