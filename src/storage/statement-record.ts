/**
 * StatementRecords with their two views, each made only when first read: an adapter that keeps
 * JSON text (SQLite) parses it for `statement`, one that keeps documents (MongoDB) serialises
 * them for `json`. Both views are own enumerable properties, as a plain record's would be.
 */
import type { StatementRecord } from './port.js';

type Json = Record<string, unknown>;
type Fields = Pick<StatementRecord, 'seq' | 'id' | 'voided' | 'stored'>;

export function recordFromJson(fields: Fields, json: string): StatementRecord {
  let statement: Json | undefined;
  return {
    ...fields,
    json,
    get statement() {
      return (statement ??= JSON.parse(json) as Json);
    },
  };
}

export function recordFromStatement(fields: Fields, statement: Json): StatementRecord {
  let json: string | undefined;
  return {
    ...fields,
    statement,
    get json() {
      return (json ??= JSON.stringify(statement));
    },
  };
}
