/**
 * StatementRecords with their two views, each made only when first read: an adapter that keeps
 * JSON text (SQLite) parses it for `statement`, one that keeps documents (MongoDB) serialises
 * them for `json`. Classes with a getter, not object literals: a GET page makes hundreds of
 * records, and a literal with an accessor cost ~0.4 µs each (measured), a class instance nearly
 * nothing.
 */
import type { StatementRecord } from './port.js';

type Json = Record<string, unknown>;

class FromJson implements StatementRecord {
  #statement: Json | undefined;
  constructor(
    readonly seq: number,
    readonly id: string,
    readonly voided: boolean,
    readonly stored: string,
    readonly json: string,
  ) {}
  get statement(): Json {
    return (this.#statement ??= JSON.parse(this.json) as Json);
  }
}

class FromStatement implements StatementRecord {
  #json: string | undefined;
  constructor(
    readonly seq: number,
    readonly id: string,
    readonly voided: boolean,
    readonly stored: string,
    readonly statement: Json,
  ) {}
  get json(): string {
    return (this.#json ??= JSON.stringify(this.statement));
  }
}

type Fields = Pick<StatementRecord, 'seq' | 'id' | 'voided' | 'stored'>;

export const recordFromJson = (f: Fields, json: string): StatementRecord => new FromJson(f.seq, f.id, f.voided, f.stored, json);

export const recordFromStatement = (f: Fields, statement: Json): StatementRecord => new FromStatement(f.seq, f.id, f.voided, f.stored, statement);
