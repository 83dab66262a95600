/** SQLite attachment store: one row per hash. */
import type Database from 'better-sqlite3';
import type { AttachmentContent, AttachmentStore } from '../port.js';

export function sqliteAttachmentStore(db: Database.Database): AttachmentStore {
  const insert = db.prepare<[string, string, Uint8Array]>('INSERT OR IGNORE INTO attachments (sha2, content_type, body) VALUES (?, ?, ?)');
  const select = db.prepare<[string], { sha2: string; content_type: string; body: Buffer }>(
    'SELECT sha2, content_type, body FROM attachments WHERE sha2 = ?',
  );
  const saveAll = db.transaction((attachments: AttachmentContent[]) => {
    for (const a of attachments) insert.run(a.sha2, a.contentType, a.body);
  });
  return {
    async save(attachments) {
      saveAll(attachments);
    },
    async get(sha2s) {
      return sha2s.flatMap((sha2) => {
        const row = select.get(sha2);
        return row ? [{ sha2: row.sha2, contentType: row.content_type, body: new Uint8Array(row.body) }] : [];
      });
    },
  };
}
