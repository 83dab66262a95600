/**
 * The statement writer thread: owns the connection that writes statements, attachments and
 * canonical Activity definitions, and commits what has arrived since the previous commit as one
 * group (statement-writer.ts). Started through writerClient (writer-client.ts).
 */
import { openConnection } from './connection.js';
import { groupSize, statementWriter, type WriterRequest, type WriterResult } from './statement-writer.js';
import { serveThread } from './thread-rpc.js';

export interface WriterThreadData {
  file: string;
  cacheMiB: number;
  walCheckpointMiB: number;
  /** statement-writer.ts KEY_MERGE_ROWS unless given (tests give a small one, so both parts of the key index are read). */
  keyMergeRows?: number;
}

serveThread<WriterRequest, WriterResult>(({ file, cacheMiB, walCheckpointMiB, keyMergeRows }: WriterThreadData) => {
  const db = openConnection(file, { cacheMiB, walCheckpointMiB });
  const writer = statementWriter(db, keyMergeRows !== undefined ? { keyMergeRows } : {});
  return {
    handle: (requests) => writer.commit(requests),
    afterGroup: () => writer.maintain(),
    groupSize,
    close: () => db.close(),
  };
});
