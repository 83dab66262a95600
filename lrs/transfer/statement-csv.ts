/**
 * One CSV row per statement (ARCHITECTURE.md §10): the columns analysts ask for, flattened from
 * the stored statement. The actor is its identifier as one text (`mbox:…`, `mbox_sha1sum:…`,
 * `openid:…`, `account:{homePage}|{name}`; empty for an anonymous Group); the object is its id,
 * or for a SubStatement its objectType. Quoting is csv-stringify's.
 */
export const STATEMENT_CSV_COLUMNS = ['id', 'stored', 'timestamp', 'actor', 'verb', 'object', 'registration', 'score_scaled', 'success', 'completion', 'duration'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const flag = (v: unknown): string => (typeof v === 'boolean' ? String(v) : '');

function actorText(actor: unknown): string {
  if (!isObject(actor)) return '';
  for (const ifi of ['mbox', 'mbox_sha1sum', 'openid'] as const) if (typeof actor[ifi] === 'string') return `${ifi}:${actor[ifi]}`;
  const account = actor.account;
  return isObject(account) ? `account:${text(account.homePage)}|${text(account.name)}` : '';
}

export function statementCsvRow(statement: Json): string[] {
  const object = isObject(statement.object) ? statement.object : {};
  const result = isObject(statement.result) ? statement.result : {};
  const score = isObject(result.score) ? result.score : {};
  const context = isObject(statement.context) ? statement.context : {};
  return [
    text(statement.id),
    text(statement.stored),
    text(statement.timestamp),
    actorText(statement.actor),
    isObject(statement.verb) ? text(statement.verb.id) : '',
    typeof object.id === 'string' ? object.id : text(object.objectType),
    text(context.registration),
    typeof score.scaled === 'number' ? String(score.scaled) : '',
    flag(result.success),
    flag(result.completion),
    text(result.duration),
  ];
}
