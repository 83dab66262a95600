/**
 * The `agent` query parameter of the Agents, State and Agent Profile resources (xAPI 1.0.3
 * Communication 2.3, 2.4, 2.6): the JSON of one Agent with exactly one inverse functional
 * identifier. A Group is refused: the spec asks for an Agent Object, and a client that keeps
 * data for an identified Group puts the Group's identifier in an Agent Object instead.
 */
import { invalidParameter } from '../../src/http/errors.js';
import { validateAgent } from '../statements/validation/index.js';
import { actorIdentity } from '../statements/keys.js';

export interface AgentParam {
  /** The Agent as sent. */
  agent: Record<string, unknown>;
  /** Its identity (lrs/statements/keys.ts), the key documents and statements are found by. */
  identity: string;
}

export function parseAgentParam(raw: string, name = 'agent'): AgentParam {
  let agent: unknown;
  try {
    agent = JSON.parse(raw);
  } catch {
    throw invalidParameter(name, 'json', `${name} must be the JSON of an Agent object`);
  }
  const problems = validateAgent(agent, name);
  const first = problems[0];
  if (first) throw invalidParameter(first.path, first.rule, first.message);
  const object = agent as Record<string, unknown>;
  if (object.objectType === 'Group') throw invalidParameter(`${name}.objectType`, 'agent-not-group', `${name} must be an Agent, not a Group`);
  const identity = actorIdentity(object);
  if (identity === null) throw invalidParameter(name, 'exactly-one-ifi', `${name} must carry an inverse functional identifier`);
  return { agent: object, identity };
}
