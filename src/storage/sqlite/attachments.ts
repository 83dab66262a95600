/** SQLite attachment store: one row per hash, written by the statement writer thread (statement-writer.ts). */
import type Database from 'better-sqlite3';
import type { AttachmentStore } from '../port.js';
import type { WriterClient } from './writer-client.js';

export function sqliteAttachmentStore(db: Database.Database, writer: WriterClient): AttachmentStore {
  const select = db.prepare<[string], { sha2: string; content_type: string; body: Buffer }>(
    'SELECT sha2, content_type, body FROM attachments WHERE sha2 = ?',
  );
  return {
    async save(attachments) {
      if (attachments.length > 0) await writer.request({ op: 'attachments', attachments });
    },
    async get(sha2s) {
      return sha2s.flatMap((sha2) => {
        const row = select.get(sha2);
        return row ? [{ sha2: row.sha2, contentType: row.content_type, body: new Uint8Array(row.body) }] : [];
      });
    },
    async prune(sha2s) {
      if (sha2s.length === 0) return 0;
      const result = await writer.request({ op: 'prune-attachments', sha2s });
      if (result.op !== 'prune-attachments') throw new Error(`the statement writer answered ${result.op} to a prune`);
      return result.deleted;
    },
  };
}
