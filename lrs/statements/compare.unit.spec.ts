import { describe, it, expect } from 'vitest';
import { statementsEquivalent } from './compare.js';

type Json = Record<string, any>;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function statement(): Json {
  return {
    id: '6fbd600f-d17c-4c74-801a-2ec2e53231ac',
    actor: {
      objectType: 'Group',
      name: 'Team',
      member: [
        { mbox: 'mailto:ann@example.com' },
        { mbox_sha1sum: 'cd9b00a5611f94eaa7b1661edab976068e364975' },
        { account: { homePage: 'http://lms.example.com', name: 'bob' } },
      ],
    },
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered' } },
    object: {
      objectType: 'Activity',
      id: 'http://example.com/q/1',
      definition: { name: { 'en-US': 'Question 1' }, interactionType: 'true-false', correctResponsesPattern: ['true'] },
    },
    result: { score: { scaled: 0.5 }, success: true, duration: 'PT1M2.5S', extensions: { 'http://example.com/x': { a: 1, b: [1, 2] } } },
    context: {
      registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
      instructor: { mbox: 'mailto:teacher@example.com' },
      contextActivities: { parent: [{ id: 'http://example.com/quiz', definition: { name: { en: 'Quiz' } } }] },
      language: 'en-US',
      statement: { objectType: 'StatementRef', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' },
    },
    timestamp: '2024-03-01T12:00:00.123Z',
    stored: '2024-03-01T12:00:01.000Z',
    authority: { mbox: 'mailto:lrs@example.com' },
    version: '1.0.0',
  };
}

function variant(change: (s: Json) => void, base: Json = statement()): Json {
  const s = clone(base);
  change(s);
  return s;
}

const same = (a: unknown, b: unknown) => expect(statementsEquivalent(a, b)).toBe(true);
const different = (a: unknown, b: unknown) => expect(statementsEquivalent(a, b)).toBe(false);

describe('statementsEquivalent', () => {
  it('is true for equal statements, whatever the key order', () => {
    const s = statement();
    same(s, clone(s));
    const reordered = Object.fromEntries(Object.entries(clone(s)).reverse());
    same(s, reordered);
  });

  it('detects any other difference', () => {
    const s = statement();
    different(s, variant((x) => (x.verb.id = 'http://adlnet.gov/expapi/verbs/attempted')));
    different(s, variant((x) => (x.object.id = 'http://example.com/q/2')));
    different(s, variant((x) => (x.actor.name = 'Other team')));
    different(s, variant((x) => (x.result.success = false)));
    different(s, variant((x) => (x.result.score.scaled = 0.6)));
    different(s, variant((x) => (x.result.extensions['http://example.com/x'].b = [2, 1])));
    different(s, variant((x) => (x.context.instructor.mbox = 'mailto:other@example.com')));
    different(s, variant((x) => delete x.result));
    different(s, variant((x) => (x.context.platform = 'web')));
  });

  describe('2.3.1.b1: properties the LRS may assign', () => {
    it('ignores stored and authority', () => {
      same(statement(), variant((x) => ((x.stored = '2030-01-01T00:00:00Z'), (x.authority = { mbox: 'mailto:other@example.com' }))));
      same(statement(), variant((x) => (delete x.stored, delete x.authority)));
    });

    it('ignores a missing id, and compares ids case-insensitively', () => {
      same(statement(), variant((x) => delete x.id));
      same(statement(), variant((x) => (x.id = x.id.toUpperCase())));
      different(statement(), variant((x) => (x.id = '7fbd600f-d17c-4c74-801a-2ec2e53231ac')));
    });

    it('ignores a missing timestamp, or one that equals the statement\'s own stored (assigned by the LRS)', () => {
      same(statement(), variant((x) => delete x.timestamp));
      same(statement(), variant((x) => ((x.stored = '2024-03-02T00:00:00Z'), (x.timestamp = '2024-03-02T00:00:00.000Z'))));
      different(statement(), variant((x) => (x.timestamp = '2024-03-01T12:00:00.124Z')));
    });

    it('ignores a missing version or the default 1.0.0, but not two different explicit versions', () => {
      same(statement(), variant((x) => delete x.version));
      same(statement(), variant((x) => (x.version = '1.0.3')));
      different(variant((x) => (x.version = '1.0.1')), variant((x) => (x.version = '1.0.2')));
    });

    it('treats a re-sent statement as the same although the LRS shaped both (timestamp := stored, version := 1.0.0)', () => {
      const sent = variant((x) => (delete x.timestamp, delete x.stored, delete x.authority, delete x.version));
      const shape = (s: Json, stored: string) => ({ ...clone(s), timestamp: stored, stored, authority: { mbox: 'mailto:lrs@example.com' }, version: '1.0.0' });
      same(shape(sent, '2024-03-01T12:00:00.000Z'), shape(sent, '2024-03-05T08:00:00.000Z'));
      different(shape(sent, '2024-03-01T12:00:00.000Z'), shape(variant((x) => (x.verb.id = 'http://example.com/other'), sent), '2024-03-05T08:00:00.000Z'));
    });
  });

  describe('2.3.1.b4: timestamps are points in time', () => {
    it('compares the instant, not the time zone used', () => {
      same(statement(), variant((x) => (x.timestamp = '2024-03-01T13:00:00.123+01:00')));
      same(statement(), variant((x) => (x.timestamp = '2024-03-01T06:30:00.123-0530')));
      same(statement(), variant((x) => (x.timestamp = '2024-03-01T12:00:00.1230000Z')));
      same(statement(), variant((x) => (x.timestamp = '20240301T120000,123Z')));
    });

    it('allows truncation or rounding to milliseconds (4.5.s1.b7), but not other differences', () => {
      const at = (t: string) => variant((x) => (x.timestamp = t));
      same(at('2024-03-01T12:00:00.123456Z'), at('2024-03-01T12:00:00.123Z')); // truncated
      same(at('2024-03-01T12:00:00.1236Z'), at('2024-03-01T12:00:00.124Z')); // rounded
      same(at('2024-03-01T12:00:00.9996Z'), at('2024-03-01T12:00:01.000Z')); // rounded across the second
      same(at('2024-03-01T12:00:00.100Z'), at('2024-03-01T12:00:00.1Z')); // trailing zeros
      different(at('2024-03-01T12:00:00.1231Z'), at('2024-03-01T12:00:00.1232Z'));
      different(at('2024-03-01T12:00:00.1234Z'), at('2024-03-01T12:00:00.12Z')); // fewer than 3 digits
      different(at('2024-03-01T12:00:00.1234Z'), at('2024-03-01T12:00:00.125Z'));
    });

    it('compares SubStatement timestamps as instants, and their presence', () => {
      const sub = (timestamp?: string) =>
        variant((x) => {
          x.object = { objectType: 'SubStatement', actor: { mbox: 'mailto:a@example.com' }, verb: { id: 'http://example.com/v' }, object: { id: 'http://example.com/a' } };
          if (timestamp !== undefined) x.object.timestamp = timestamp;
        });
      same(sub('2031-01-01T00:00:00Z'), sub('2031-01-01T01:00:00+01:00'));
      different(sub('2031-01-01T00:00:00Z'), sub());
      different(sub('2031-01-01T00:00:00Z'), sub('2031-01-01T00:00:01Z'));
    });
  });

  describe('2.3.1.b2/b3/b6: parts that are not part of the statement', () => {
    it('ignores activity definitions (object and context activities)', () => {
      same(statement(), variant((x) => (x.object.definition = { name: { fr: 'Question un' } })));
      same(statement(), variant((x) => delete x.object.definition));
      same(statement(), variant((x) => delete x.context.contextActivities.parent[0].definition));
    });

    it('ignores the verb display', () => {
      same(statement(), variant((x) => (x.verb.display = { 'EN-us': 'Answered', de: 'beantwortet' })));
      same(statement(), variant((x) => delete x.verb.display));
    });

    it('ignores attachments', () => {
      const attachments = [{ usageType: 'http://adlnet.gov/expapi/attachments/signature', display: { 'en-US': 'sig' }, contentType: 'application/octet-stream', length: 10, sha2: 'ab' }];
      same(statement(), variant((x) => (x.attachments = attachments)));
    });
  });

  describe('2.3.1.b5/b7: unordered members and case-insensitive values', () => {
    it('ignores the order of Group members', () => {
      same(statement(), variant((x) => x.actor.member.reverse()));
      different(statement(), variant((x) => x.actor.member.pop()));
      different(statement(), variant((x) => x.actor.member.push({ mbox: 'mailto:zed@example.com' })));
    });

    it('compares the mbox scheme and domain and the sha1 hex case-insensitively, not the local part', () => {
      same(statement(), variant((x) => (x.context.instructor.mbox = 'MAILTO:teacher@EXAMPLE.com')));
      same(statement(), variant((x) => (x.actor.member[1].mbox_sha1sum = 'CD9B00A5611F94EAA7B1661EDAB976068E364975')));
      different(statement(), variant((x) => (x.context.instructor.mbox = 'mailto:Teacher@example.com')));
    });

    it('compares UUIDs and the context language case-insensitively', () => {
      same(statement(), variant((x) => (x.context.registration = x.context.registration.toUpperCase())));
      same(statement(), variant((x) => (x.context.statement.id = x.context.statement.id.toUpperCase())));
      same(statement(), variant((x) => (x.context.language = 'EN-us')));
      same(
        variant((x) => (x.object = { objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' })),
        variant((x) => (x.object = { objectType: 'StatementRef', id: '8F87CCDE-BB56-4C2E-AB83-44982EF22DF0' })),
      );
    });

    it('compares IRIs as strings', () => {
      different(statement(), variant((x) => (x.object.id = 'HTTP://example.com/q/1')));
      different(statement(), variant((x) => (x.verb.id = 'http://adlnet.gov/expapi/verbs/Answered')));
    });
  });

  describe('other serialization rules', () => {
    it('treats a single context activity like an array holding it (2.4.6.2.s4.b3), but keeps array order', () => {
      same(statement(), variant((x) => (x.context.contextActivities.parent = x.context.contextActivities.parent[0])));
      const two = variant((x) => x.context.contextActivities.parent.push({ id: 'http://example.com/course' }));
      different(two, variant((x) => x.context.contextActivities.parent.reverse(), two));
    });

    it('compares result duration as a string, ignoring digits beyond hundredths (2.3.1.b8, 4.6.s1.b5)', () => {
      different(statement(), variant((x) => (x.result.duration = 'PT62.5S')));
      same(variant((x) => (x.result.duration = 'PT1.2345S')), variant((x) => (x.result.duration = 'PT1.23S')));
      different(variant((x) => (x.result.duration = 'PT1.2S')), variant((x) => (x.result.duration = 'PT1.21S')));
    });

    it('does not treat an omitted objectType as equal to the explicit default', () => {
      different(statement(), variant((x) => delete x.object.objectType));
    });

    it('compares SubStatements with the same rules', () => {
      const sub = statement();
      delete sub.id;
      delete sub.stored;
      delete sub.authority;
      delete sub.version;
      delete sub.timestamp;
      const withSub = (change: (s: Json) => void = () => {}) =>
        variant((x) => {
          x.object = { objectType: 'SubStatement', ...clone(sub) };
          change(x.object);
        });
      same(withSub(), withSub((o) => ((o.verb.display = { fr: 'x' }), o.actor.member.reverse())));
      different(withSub(), withSub((o) => (o.result.success = false)));
    });

    it('handles non-object input', () => {
      same(null, null);
      different(null, statement());
      different('a', 'b');
      same([1, { a: 1 }], [1, { a: 1 }]);
    });
  });
});

describe('statementsEquivalent: xAPI 2.0', () => {
  const withContextAgents = (mbox: string, members: string[] = ['mailto:p1@example.com', 'mailto:p2@example.com']) =>
    variant((s) => {
      s.context.contextAgents = [{ objectType: 'contextAgent', agent: { mbox }, relevantTypes: ['https://example.com/types/coach'] }];
      s.context.contextGroups = [{ objectType: 'contextGroup', group: { objectType: 'Group', member: members.map((m) => ({ mbox: m })) } }];
    });

  it('compares context agents and groups like other Agents and Groups: IFI case, member order', () => {
    same(withContextAgents('mailto:coach@example.com'), withContextAgents('MAILTO:coach@EXAMPLE.com', ['mailto:p2@example.com', 'mailto:p1@example.com']));
    different(withContextAgents('mailto:coach@example.com'), withContextAgents('mailto:other@example.com'));
    different(withContextAgents('mailto:coach@example.com'), withContextAgents('mailto:coach@example.com', ['mailto:p1@example.com']));
    different(withContextAgents('mailto:coach@example.com'), variant((s) => (s.context.contextAgents = [])));
  });

  it('takes the 2.0.0 the LRS gives a statement without version as assignable', () => {
    same(variant((s) => (s.version = '2.0.0')), variant((s) => delete s.version));
    same(variant((s) => (s.version = '2.0.0')), variant((s) => (s.version = '1.0.3')));
  });
});
