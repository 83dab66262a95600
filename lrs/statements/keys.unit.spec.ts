/** Query keys (pure): what GET /statements can find a statement by, xAPI 2.0 context agents and groups included. */
import { describe, expect, it } from 'vitest';
import { key, statementKeys } from './keys.js';
import { NARROWER_KEYS } from '../../src/storage/port.js';

type Json = Record<string, unknown>;

const base = (): Json => ({
  actor: { mbox: 'mailto:ana@example.com' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
  object: { id: 'https://example.com/course' },
  authority: { mbox: 'mailto:lrs@example.com' },
});
const contextAgent = (mbox: string) => ({ objectType: 'contextAgent', agent: { mbox }, relevantTypes: ['https://example.com/types/coach'] });
const contextGroup = (group: Json) => ({ objectType: 'contextGroup', group });

describe('statementKeys: related agents of xAPI 2.0 context', () => {
  it('given context agents and groups, when keys are extracted, then their Agents, Groups and members are related agents only', () => {
    const statement = {
      ...base(),
      context: {
        contextAgents: [contextAgent('mailto:coach@example.com')],
        contextGroups: [
          contextGroup({ objectType: 'Group', mbox: 'mailto:team@example.com', member: [{ mbox: 'mailto:p1@example.com' }] }),
          contextGroup({ objectType: 'Group', member: [{ account: { homePage: 'https://lms.example.com', name: 'p2' } }] }),
        ],
      },
    };
    const keys = statementKeys(statement);
    for (const identity of ['mbox:mailto:coach@example.com', 'mbox:mailto:team@example.com', 'mbox:mailto:p1@example.com', 'account:https://lms.example.com p2']) {
      expect(keys).toContain(key.relatedAgent(identity));
      expect(keys).not.toContain(key.agent(identity));
    }
  });

  it('given a SubStatement with context agents, then they are related agents of the statement', () => {
    const statement = {
      ...base(),
      object: { objectType: 'SubStatement', ...base(), authority: undefined, context: { contextAgents: [contextAgent('mailto:sub-coach@example.com')] } },
    };
    expect(statementKeys(statement)).toContain(key.relatedAgent('mbox:mailto:sub-coach@example.com'));
  });

  it('ignores malformed entries (validation has refused them before)', () => {
    const statement = { ...base(), context: { contextAgents: [null, { objectType: 'contextAgent' }], contextGroups: 'x' } };
    expect(statementKeys(statement)).toEqual(statementKeys(base()));
  });
});

describe('statementKeys: narrower keys come with their broader key (the storage port relies on it)', () => {
  it('given statements of every shape, then each agent:, authority: and activity: key has its ragent: or ractivity: twin', () => {
    const statements: Json[] = [
      base(),
      { ...base(), object: { objectType: 'Agent', mbox: 'mailto:bob@example.com' } },
      { ...base(), actor: { objectType: 'Group', mbox: 'mailto:team@example.com', member: [{ mbox: 'mailto:p@example.com' }] } },
      { ...base(), authority: { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }, { account: { homePage: 'https://x.example', name: 'app' } }] } },
      { ...base(), object: { objectType: 'SubStatement', ...base(), authority: undefined, object: { objectType: 'Agent', openid: 'https://id.example/u' } } },
      { ...base(), object: { objectType: 'StatementRef', id: '9e4bba4e-7e3e-4b4e-9b8e-4a6a0b7ec0a1' } },
    ];
    for (const statement of statements) {
      const keys = new Set(statementKeys(statement));
      for (const k of keys) {
        for (const { narrow, broad } of NARROWER_KEYS) {
          if (k.startsWith(narrow)) expect(keys, `${k} without its broader key`).toContain(broad + k.slice(narrow.length));
        }
      }
    }
  });
});
