/**
 * The `format` parameter of GET /statements (xAPI 1.0.3 Communication 2.1.3):
 * `exact` returns the stored statement, `ids` keeps only what identifies Agents, Groups,
 * Activities and Verbs, `canonical` reduces every language map to the best language.
 */
type Json = Record<string, unknown>;
export type StatementFormat = 'exact' | 'ids' | 'canonical';
export const FORMATS: readonly StatementFormat[] = ['exact', 'ids', 'canonical'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const IFI_PROPERTIES = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

function actorIds(actor: unknown): unknown {
  if (!isObject(actor)) return actor;
  const out: Json = {};
  if (actor.objectType !== undefined) out.objectType = actor.objectType;
  for (const p of IFI_PROPERTIES) if (actor[p] !== undefined) out[p] = actor[p];
  const identified = IFI_PROPERTIES.some((p) => actor[p] !== undefined);
  if (!identified && Array.isArray(actor.member)) out.member = actor.member.map(actorIds);
  return out;
}

function objectIds(object: unknown): unknown {
  if (!isObject(object)) return object;
  switch (object.objectType) {
    case 'Agent':
    case 'Group':
      return actorIds(object);
    case 'SubStatement':
      return statementIds(object);
    case 'StatementRef':
      return object;
    default:
      // An Activity: its id alone identifies it (objectType defaults to Activity).
      return { id: object.id };
  }
}

function contextIds(context: unknown): unknown {
  if (!isObject(context)) return context;
  const out: Json = { ...context };
  if (context.instructor !== undefined) out.instructor = actorIds(context.instructor);
  if (context.team !== undefined) out.team = actorIds(context.team);
  // xAPI 2.0 context agents and groups: their Agent or Group reduced like any other.
  for (const [key, property] of [
    ['contextAgents', 'agent'],
    ['contextGroups', 'group'],
  ] as const) {
    const list = context[key];
    if (Array.isArray(list)) out[key] = list.map((item: unknown) => (isObject(item) ? { ...item, [property]: actorIds(item[property]) } : item));
  }
  if (isObject(context.contextActivities)) {
    out.contextActivities = Object.fromEntries(
      Object.entries(context.contextActivities).map(([kind, list]) => [kind, Array.isArray(list) ? list.map(objectIds) : objectIds(list)]),
    );
  }
  return out;
}

function statementIds(statement: Json): Json {
  const out: Json = { ...statement, actor: actorIds(statement.actor), object: objectIds(statement.object) };
  if (isObject(statement.verb)) out.verb = { id: statement.verb.id };
  if (statement.context !== undefined) out.context = contextIds(statement.context);
  if (statement.authority !== undefined) out.authority = actorIds(statement.authority);
  return out;
}

/** Language ranges of an Accept-Language header, best first ("*" matches anything). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { range: range.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.range !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((r) => r.range);
}

function pickLanguage(map: Json, languages: string[]): Json {
  const tags = Object.keys(map);
  for (const range of languages) {
    const tag = range === '*' ? tags[0] : tags.find((t) => t.toLowerCase() === range || t.toLowerCase().startsWith(`${range}-`));
    if (tag !== undefined) return { [tag]: map[tag] };
  }
  const first = tags[0];
  return first === undefined ? map : { [first]: map[first] };
}

const LANGUAGE_MAP_KEYS = new Set(['display', 'name', 'description']);

/** Reduces every language map (verb display, definition name/description, component descriptions, attachment display/description). */
function canonical(value: unknown, languages: string[], parentKey?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, languages));
  if (!isObject(value)) return value;
  if (parentKey !== undefined && LANGUAGE_MAP_KEYS.has(parentKey) && Object.values(value).every((v) => typeof v === 'string')) {
    return pickLanguage(value, languages);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // Extensions are opaque: a "name" inside them is not a language map.
    out[k] = k === 'extensions' ? v : canonical(v, languages, k);
  }
  return out;
}

export function formatStatement(statement: Json, format: StatementFormat, languages: string[]): Json {
  switch (format) {
    case 'exact':
      return statement;
    case 'ids':
      return statementIds(statement);
    case 'canonical':
      return canonical(statement, languages) as Json;
  }
}
