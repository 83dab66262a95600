/** The process's side of the statement reader thread (reader-thread.ts). */
import { compiledScript } from '../../project-files.js';
import { threadClient, type ThreadClient } from './thread-rpc.js';
import type { ReaderThreadData, ReadRequest } from './reader-thread.js';

export type ReaderClient = ThreadClient<ReadRequest, unknown[][]>;

export function readerClient(data: ReaderThreadData): ReaderClient {
  return threadClient('statement reader', compiledScript(import.meta.url, 'reader-thread.js'), data);
}
