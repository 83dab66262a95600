/**
 * SQLite document store: one table for the three document resources, one row per document.
 * Conditional writes compare the revision in the statement itself, so each is one atomic step.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DocumentKey, DocumentSelection, DocumentStore, DocumentScope, StoredDocument } from '../port.js';

interface Row {
  id: string;
  content_type: string;
  contents: Buffer;
  etag: string;
  updated: string;
  revision: string;
}

/** The scope columns: '' stands for "not scoped by this" (see migration 3). */
type ScopeColumns = [resource: string, activityId: string, agent: string, registration: string];

function scopeColumns(scope: DocumentScope): ScopeColumns {
  return [scope.resource, scope.activityId ?? '', scope.agent ?? '', scope.registration ?? ''];
}

function toDocument(row: Row): StoredDocument {
  return {
    id: row.id,
    contentType: row.content_type,
    contents: new Uint8Array(row.contents.buffer, row.contents.byteOffset, row.contents.byteLength),
    etag: row.etag,
    updated: row.updated,
    revision: row.revision,
  };
}

const KEY = 'resource = ? AND activity_id = ? AND agent = ? AND registration = ? AND id = ?';
const COLUMNS = 'id, content_type, contents, etag, updated, revision';

export function sqliteDocumentStore(db: Database.Database): DocumentStore {
  const deleteAgents = db.prepare<[string]>(
    "DELETE FROM documents WHERE resource IN ('state', 'agent-profile') AND agent IN (SELECT value FROM json_each(?))",
  );
  const select = db.prepare<[...ScopeColumns, string], Row>(`SELECT ${COLUMNS} FROM documents WHERE ${KEY}`);
  const insert = db.prepare<[...ScopeColumns, string, string, Uint8Array, string, string, string]>(
    `INSERT INTO documents (resource, activity_id, agent, registration, id, content_type, contents, etag, updated, revision)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (resource, activity_id, agent, registration, id) DO NOTHING`,
  );
  const update = db.prepare<[string, Uint8Array, string, string, string, ...ScopeColumns, string, string]>(
    `UPDATE documents SET content_type = ?, contents = ?, etag = ?, updated = ?, revision = ? WHERE ${KEY} AND revision = ?`,
  );
  const remove = db.prepare<[...ScopeColumns, string]>(`DELETE FROM documents WHERE ${KEY}`);
  const removeAt = db.prepare<[...ScopeColumns, string, string]>(`DELETE FROM documents WHERE ${KEY} AND revision = ?`);

  const prepared = new Map<string, Database.Statement<string[]>>();
  /** The few statements whose WHERE clause depends on the selection, prepared once each. */
  function prepare(sql: string): Database.Statement<string[]> {
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare<string[]>(sql)));
    return statement;
  }

  /** WHERE clause and parameters of a selection (registration is optional there). */
  function selectionWhere(s: DocumentSelection): { where: string; params: string[] } {
    const [resource, activityId, agent] = scopeColumns({ ...s, registration: null });
    const where = ['resource = ?', 'activity_id = ?', 'agent = ?'];
    const params = [resource, activityId, agent];
    if (s.registration !== undefined) (where.push('registration = ?'), params.push(s.registration ?? ''));
    return { where: where.join(' AND '), params };
  }

  return {
    async get(key: DocumentKey) {
      const row = select.get(...scopeColumns(key), key.id);
      return row ? toDocument(row) : null;
    },

    async put(key, document, expected) {
      const revision = randomUUID();
      const { contentType, contents, etag, updated } = document;
      const changes =
        expected === null
          ? insert.run(...scopeColumns(key), key.id, contentType, contents, etag, updated, revision).changes
          : update.run(contentType, contents, etag, updated, revision, ...scopeColumns(key), key.id, expected).changes;
      return changes === 1 ? { kind: 'written' } : { kind: 'changed' };
    },

    async delete(key, expected) {
      if (expected === undefined) {
        remove.run(...scopeColumns(key), key.id);
        return { kind: 'written' };
      }
      return removeAt.run(...scopeColumns(key), key.id, expected).changes === 1 ? { kind: 'written' } : { kind: 'changed' };
    },

    async list(selection, since) {
      const { where, params } = selectionWhere(selection);
      const sinceClause = since === undefined ? '' : ' AND updated > ?';
      if (since !== undefined) params.push(since);
      const rows = prepare(`SELECT id, updated FROM documents WHERE ${where}${sinceClause} ORDER BY id`).all(...params);
      return rows as { id: string; updated: string }[];
    },

    async deleteMany(selection) {
      const { where, params } = selectionWhere(selection);
      return prepare(`DELETE FROM documents WHERE ${where}`).run(...params).changes;
    },
    async deleteAgents(agents) {
      if (agents.length === 0) return 0;
      return deleteAgents.run(JSON.stringify(agents)).changes;
    },
  };
}
