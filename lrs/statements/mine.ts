/**
 * Scope `statements/read/mine` (xAPI 1.0.3 Communication 4.2): a principal holding it, and no
 * wider read scope, reads only the statements whose authority is its own. A query gets the
 * `authority:` key added (lrs/statements/keys.ts), so its pages are full; every answer is
 * checked again here, since a `more` cursor is client-held and a single statement is fetched
 * by id. A statement of another authority is answered as absent (404), not as forbidden.
 */
import { Refusal } from '../../src/refusal.js';
import type { Principal } from '../../src/auth/credentials.js';
import { readsOnlyOwnStatements } from '../../src/auth/scopes.js';
import { actorIdentity, key } from './keys.js';
import type { StatementRecord } from '../../src/storage/port.js';
import type { StatementAnswer } from './read.js';

/** The identity of the principal's authority when it may read only its own statements; null when it may read all. */
export function ownAuthority(principal: Principal): string | null {
  return readsOnlyOwnStatements(principal.scopes) ? actorIdentity(principal.authority) ?? '(none)' : null;
}

export function withOwnAuthorityKey<F extends { keys: string[] }>(filter: F, own: string | null): F {
  return own === null ? filter : { ...filter, keys: [...filter.keys, key.authority(own)] };
}

/** The GET answer (one statement, or a page) without the statements of other authorities. */
export function onlyOwnStatements(answer: StatementAnswer, own: string | null): StatementAnswer {
  if (own === null) return answer;
  const mine = (r: StatementRecord) => actorIdentity(r.statement.authority) === own;
  if (answer.kind === 'single') {
    if (!mine(answer.record)) throw new Refusal('not-found', 'not-found', 'No statement with this id among the statements this credential stored (scope statements/read/mine).');
    return answer;
  }
  return { ...answer, records: answer.records.filter(mine) };
}
