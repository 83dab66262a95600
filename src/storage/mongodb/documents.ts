/**
 * MongoDB document store (State, Activity Profile and Agent Profile documents) and its pure
 * shaping: the document shape, filters and index definitions are exported for the unit tests;
 * the store below only sends them.
 *
 * One collection for the three resources; a unique index on the full key makes "create if
 * absent" an insert that a concurrent creator makes fail, and every other conditional write
 * names the revision it read in its filter, so no transaction is needed.
 */
import { randomUUID } from 'node:crypto';
import type { DocumentKey, DocumentResource, DocumentScope, DocumentSelection, DocumentStore, StoredDocument } from '../port.js';
import { isDuplicateKeyError, type CollectionLike, type DbLike, type Filter, type IndexDefinition } from './driver.js';

export const DOCUMENTS = 'documents';

/** A document of the `documents` collection. Scope fields a resource does not use are null. */
export interface DocumentDocument {
  resource: DocumentResource;
  activityId: string | null;
  agent: string | null;
  registration: string | null;
  id: string;
  contentType: string;
  /** Written as a Uint8Array; the driver reads it back as a BSON Binary. */
  contents: Uint8Array | { buffer: Uint8Array; position?: number };
  etag: string;
  updated: string;
  revision: string;
}

export const DOCUMENT_INDEXES: readonly IndexDefinition[] = [
  /** One document per key; a lost create race surfaces as a duplicate key error. Its prefix serves list and deleteMany. */
  { key: { resource: 1, activityId: 1, agent: 1, registration: 1, id: 1 }, options: { name: 'document_key', unique: true } },
];

function scopeFilter(scope: Omit<DocumentScope, 'registration'>): Filter {
  return { resource: scope.resource, activityId: scope.activityId, agent: scope.agent };
}

/** The one document at `key`, optionally only at a given revision. */
export function keyFilter(key: DocumentKey, revision?: string): Filter {
  const filter: Filter = { ...scopeFilter(key), registration: key.registration, id: key.id };
  if (revision !== undefined) filter.revision = revision;
  return filter;
}

/** The selected documents; without a registration every registration matches. */
export function selectionFilter(selection: DocumentSelection, since?: string): Filter {
  const filter = scopeFilter(selection);
  if (selection.registration !== undefined) filter.registration = selection.registration;
  if (since !== undefined) filter.updated = { $gt: since };
  return filter;
}

/** Every State and Agent Profile document of these agents (an erasure). */
export function agentsFilter(agents: string[]): Filter {
  return { resource: { $in: ['state', 'agent-profile'] satisfies DocumentResource[] }, agent: { $in: [...new Set(agents)] } };
}

function bytes(contents: DocumentDocument['contents']): Uint8Array {
  if (contents instanceof Uint8Array) return contents;
  return contents.buffer.subarray(0, contents.position ?? contents.buffer.length);
}

function toStored(doc: DocumentDocument): StoredDocument {
  return {
    id: doc.id,
    contentType: doc.contentType,
    contents: bytes(doc.contents),
    etag: doc.etag,
    updated: doc.updated,
    revision: doc.revision,
  };
}

const STORED_PROJECTION = { _id: 0, id: 1, contentType: 1, contents: 1, etag: 1, updated: 1, revision: 1 } as const;

export function mongoDocumentStore(db: DbLike): DocumentStore {
  const documents: CollectionLike<DocumentDocument> = db.collection(DOCUMENTS);

  return {
    async get(key) {
      const doc = await documents.findOne(keyFilter(key), { projection: STORED_PROJECTION });
      return doc === null ? null : toStored(doc);
    },

    async put(key, content, expected) {
      const revision = randomUUID();
      const fields = { contentType: content.contentType, contents: content.contents, etag: content.etag, updated: content.updated, revision };
      if (expected === null) {
        const doc: DocumentDocument = {
          resource: key.resource,
          activityId: key.activityId,
          agent: key.agent,
          registration: key.registration,
          id: key.id,
          ...fields,
        };
        try {
          await documents.insertMany([doc], { ordered: true });
          return { kind: 'written' };
        } catch (error) {
          if (isDuplicateKeyError(error)) return { kind: 'changed' };
          throw error;
        }
      }
      const updated = await documents.findOneAndUpdate(keyFilter(key, expected), { $set: fields }, { upsert: false, returnDocument: 'after' });
      return updated === null ? { kind: 'changed' } : { kind: 'written' };
    },

    async delete(key, expected) {
      const { deletedCount } = await documents.deleteMany(keyFilter(key, expected));
      return expected === undefined || deletedCount === 1 ? { kind: 'written' } : { kind: 'changed' };
    },

    async list(selection, since) {
      const docs = await documents
        .find(selectionFilter(selection, since), { projection: { _id: 0, id: 1, updated: 1 } })
        .sort({ id: 1 })
        .toArray();
      return docs.map((d) => ({ id: d.id, updated: d.updated }));
    },

    async deleteMany(selection) {
      return (await documents.deleteMany(selectionFilter(selection))).deletedCount;
    },

    async deleteAgents(agents) {
      if (agents.length === 0) return 0;
      return (await documents.deleteMany(agentsFilter(agents))).deletedCount;
    },
  };
}
