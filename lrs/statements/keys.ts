/**
 * Query keys: the pure extraction of what GET /statements can filter on (xAPI 1.0.3
 * Communication 2.1.3; xAPI 2.0 adds context agents and groups to related_agents). Both storage adapters index these strings; a query is the set of
 * keys a statement must all carry. Keys of a StatementRef's target are inherited by the
 * referring statement in the store, which gives the spec's "filter conditions for
 * StatementRefs" without any query-time recursion.
 */

type Json = Record<string, unknown>;

const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The inverse functional identifier of an Agent or identified Group, as one string; null when it has none. */
export function actorIdentity(actor: unknown): string | null {
  if (!isObject(actor)) return null;
  if (typeof actor.mbox === 'string') return `mbox:${actor.mbox}`;
  if (typeof actor.mbox_sha1sum === 'string') return `mbox_sha1sum:${actor.mbox_sha1sum.toLowerCase()}`;
  if (typeof actor.openid === 'string') return `openid:${actor.openid}`;
  const account = actor.account;
  if (isObject(account) && typeof account.homePage === 'string' && typeof account.name === 'string') {
    // A space cannot occur in an IRL, so it separates homePage from name unambiguously.
    return `account:${account.homePage} ${account.name}`;
  }
  return null;
}

export const key = {
  agent: (identity: string) => `agent:${identity}`,
  relatedAgent: (identity: string) => `ragent:${identity}`,
  verb: (id: string) => `verb:${id}`,
  activity: (id: string) => `activity:${id}`,
  relatedActivity: (id: string) => `ractivity:${id}`,
  registration: (uuid: string) => `registration:${uuid.toLowerCase()}`,
  /** The statement's authority: what scope statements/read/mine filters on (lrs/statements/mine.ts). */
  authority: (identity: string) => `authority:${identity}`,
};

function isActor(value: unknown): value is Json {
  return isObject(value) && (value.objectType === 'Agent' || value.objectType === 'Group' || value.objectType === undefined && actorIdentity(value) !== null);
}

/** Identities of an actor and, for a Group, of its members. */
function identitiesWithMembers(actor: unknown): string[] {
  if (!isObject(actor)) return [];
  const own = actorIdentity(actor);
  const members = Array.isArray(actor.member) ? actor.member.map(actorIdentity) : [];
  return [own, ...members].filter((id): id is string => id !== null);
}

/** The Agents of context.contextAgents and the Groups of context.contextGroups (xAPI 2.0). */
function contextAgentsAndGroups(context: Json): unknown[] {
  const actors: unknown[] = [];
  for (const [list, property] of [
    [context.contextAgents, 'agent'],
    [context.contextGroups, 'group'],
  ] as const) {
    if (Array.isArray(list)) for (const item of list) if (isObject(item)) actors.push(item[property]);
  }
  return actors;
}

function contextActivityIds(context: unknown): string[] {
  if (!isObject(context) || !isObject(context.contextActivities)) return [];
  const ids: string[] = [];
  for (const list of Object.values(context.contextActivities)) {
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) if (isObject(item) && typeof item.id === 'string') ids.push(item.id);
  }
  return ids;
}

function activityId(object: unknown): string | null {
  if (!isObject(object)) return null;
  const type = object.objectType ?? 'Activity';
  return type === 'Activity' && typeof object.id === 'string' ? object.id : null;
}

/** Keys of one statement (or of a SubStatement's parts, which count only as "related"). */
export function statementKeys(statement: Json): string[] {
  const keys = new Set<string>();
  const add = (k: string) => keys.add(k);

  const actor = statement.actor;
  const object = statement.object;
  const direct = actorIdentity(actor);
  if (direct) add(key.agent(direct));
  if (isActor(object)) {
    const id = actorIdentity(object);
    if (id) add(key.agent(id));
  }
  if (isObject(statement.verb) && typeof statement.verb.id === 'string') add(key.verb(statement.verb.id));
  const objectActivity = activityId(object);
  if (objectActivity) add(key.activity(objectActivity));
  const context = statement.context;
  if (isObject(context) && typeof context.registration === 'string') add(key.registration(context.registration));
  const authority = actorIdentity(statement.authority);
  if (authority) add(key.authority(authority));

  // related_agents: actor, object, authority, instructor, team, the xAPI 2.0 context agents and
  // context groups (9274.1.1 4.1.6.1), and the same inside a SubStatement.
  const relatedActors: unknown[] = [actor, isActor(object) ? object : null, statement.authority];
  const relatedActivities: string[] = objectActivity ? [objectActivity] : [];
  const parts: Json[] = [statement];
  if (isObject(object) && object.objectType === 'SubStatement') {
    parts.push(object);
    relatedActors.push(object.actor, isActor(object.object) ? object.object : null);
    const subActivity = activityId(object.object);
    if (subActivity) relatedActivities.push(subActivity);
  }
  for (const part of parts) {
    if (isObject(part.context)) relatedActors.push(part.context.instructor, part.context.team, ...contextAgentsAndGroups(part.context));
    relatedActivities.push(...contextActivityIds(part.context));
  }
  for (const a of relatedActors) for (const id of identitiesWithMembers(a)) add(key.relatedAgent(id));
  for (const id of relatedActivities) add(key.relatedActivity(id));
  return [...keys];
}

/** The id of the statement a StatementRef object points to (lower case), or null. */
export function statementRefTarget(statement: Json): string | null {
  const object = statement.object;
  if (isObject(object) && object.objectType === 'StatementRef' && typeof object.id === 'string') {
    return object.id.toLowerCase();
  }
  return null;
}

export function isVoiding(statement: Json): boolean {
  return isObject(statement.verb) && statement.verb.id === VOIDED_VERB && statementRefTarget(statement) !== null;
}
