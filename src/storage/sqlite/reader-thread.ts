/**
 * The statement reader thread: runs the statement queries of GET /statements on a connection of
 * its own and answers their rows (raw arrays), so a page's reads run on the second core while
 * the main thread serves HTTP. Started through readerClient (reader-client.ts) on the first
 * query; the SQL is the caller's (statements.ts), prepared once per shape here.
 */
import type Database from 'better-sqlite3';
import { openConnection } from './connection.js';
import { failure, serveThread } from './thread-rpc.js';

export interface ReaderThreadData {
  file: string;
  cacheMiB: number;
}

export interface ReadRequest {
  sql: string;
  params: (string | number)[];
}

serveThread<ReadRequest, unknown[][]>(({ file, cacheMiB }: ReaderThreadData) => {
  const db = openConnection(file, { cacheMiB });
  const prepared = new Map<string, Database.Statement<unknown[], unknown[]>>();
  return {
    handle: (requests) =>
      requests.map(({ sql, params }) => {
        try {
          let statement = prepared.get(sql);
          if (statement === undefined) prepared.set(sql, (statement = db.prepare<unknown[], unknown[]>(sql).raw()));
          return { ok: true, result: statement.all(...params) };
        } catch (error) {
          return failure(error);
        }
      }),
    // One query a group: each is answered as soon as it is read, so the main thread writes one
    // response while the next query runs (measured: answering groups left both threads idle half the time).
    groupSize: () => 1,
    close: () => db.close(),
  };
});
