/** MongoDB attachment store: one document per hash (`_id` = sha2), written with unordered inserts. */
import type { AttachmentContent, AttachmentStore } from '../port.js';
import { insertIgnoringDuplicates, type CollectionLike, type DbLike } from './driver.js';
import { pruneAttachments } from './statement-erasure.js';

export const ATTACHMENTS = 'attachments';

export interface AttachmentDocument {
  _id: string;
  contentType: string;
  /** The driver hands binary fields back as a BSON Binary, whose bytes are in `buffer`. */
  body: Uint8Array | { buffer: Uint8Array };
}

function bytes(body: AttachmentDocument['body']): Uint8Array {
  return body instanceof Uint8Array ? body : new Uint8Array(body.buffer);
}

export function mongoAttachmentStore(db: DbLike): AttachmentStore {
  const attachments: CollectionLike<AttachmentDocument> = db.collection(ATTACHMENTS);
  return {
    async save(items) {
      if (items.length === 0) return;
      // A body already stored under its hash is the same body: nothing to do.
      await insertIgnoringDuplicates(attachments, items.map((a) => ({ _id: a.sha2, contentType: a.contentType, body: a.body })));
    },
    async get(sha2s): Promise<AttachmentContent[]> {
      if (sha2s.length === 0) return [];
      const docs = await attachments.find({ _id: { $in: sha2s } }).toArray();
      return docs.map((d) => ({ sha2: d._id, contentType: d.contentType, body: bytes(d.body) }));
    },
    prune: (sha2s) => pruneAttachments(db, sha2s),
  };
}
