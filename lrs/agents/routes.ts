/**
 * The Agents resource (xAPI 1.0.3 Communication 2.4): GET /agents?agent= answers a Person
 * Object, each property an array. This LRS links no personas, so the Person holds the Agent's
 * own identifier plus the names it was given, in the request and in its most recent statements
 * (2.4.s3.b3: an Agent the LRS knows nothing about still gets a Person from the request alone).
 * HEAD is served by the GET handler.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { jsonWithEtag } from '../../src/http/etag.js';
import type { StatementStore } from '../../src/storage/port.js';
import { actorIdentity, key } from '../statements/keys.js';
import { checkParamNames, requiredParam } from '../params.js';
import { parseAgentParam } from './agent-param.js';

type Json = Record<string, unknown>;

/** How many of the Agent's latest statements are searched for names. */
const NAME_SOURCES = 10;

export interface Person {
  objectType: 'Person';
  name?: string[];
  mbox?: string[];
  mbox_sha1sum?: string[];
  openid?: string[];
  account?: { homePage: string; name: string }[];
}

/** The Person for an Agent (validated, with one identifier) and the names known for it, newest first. */
export function personOf(agent: Json, names: string[]): Person {
  const person: Person = { objectType: 'Person' };
  const distinct = [...new Set(names)];
  if (distinct.length > 0) person.name = distinct;
  if (typeof agent.mbox === 'string') person.mbox = [agent.mbox];
  else if (typeof agent.mbox_sha1sum === 'string') person.mbox_sha1sum = [agent.mbox_sha1sum];
  else if (typeof agent.openid === 'string') person.openid = [agent.openid];
  else if (typeof agent.account === 'object' && agent.account !== null) {
    const { homePage, name } = agent.account as { homePage: string; name: string };
    person.account = [{ homePage, name }];
  }
  return person;
}

/** Names the Agent carries in statements where it is the actor or the object. */
function namesIn(statements: Json[], identity: string): string[] {
  const names: string[] = [];
  for (const statement of statements) {
    for (const who of [statement.actor, statement.object]) {
      const agent = who as Json | undefined;
      if (agent?.objectType !== 'Group' && actorIdentity(agent) === identity && typeof agent?.name === 'string') names.push(agent.name);
    }
  }
  return names;
}

export function agentRoutes(router: Hono<AppEnv>, deps: { statements: StatementStore }): void {
  router.get('/agents', async (c) => {
    const params = new URL(c.req.url).searchParams;
    checkParamNames(params, ['agent'], 'GET /agents');
    const { agent, identity } = parseAgentParam(requiredParam(params, 'agent', 'GET /agents'));
    const recent = await deps.statements.query({ keys: [key.agent(identity)], ascending: false, limit: NAME_SOURCES });
    const names = [...(typeof agent.name === 'string' ? [agent.name] : []), ...namesIn(recent.map((r) => r.statement), identity)];
    const { body, headers } = jsonWithEtag(personOf(agent, names));
    return c.body(body, 200, headers);
  });
}
