import { describe, it, expect } from 'vitest';
import { isUuid, validateAgent, validateStatement, type ValidationProblem } from './index.js';
import { isDuration, isIri, isLanguageTag, isRfc3339Timestamp, isStatementVersion2, isTimestamp, parseTimestamp, toUtcTimestamp } from './formats.js';

type Json = Record<string, any>;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The smallest valid statement. */
function minimal(): Json {
  return {
    actor: { mbox: 'mailto:learner@example.com' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
    object: { id: 'http://example.com/activities/meeting-1' },
  };
}

/** A valid statement using every statement property. */
function full(): Json {
  return {
    id: '6fbd600f-d17c-4c74-801a-2ec2e53231ac',
    actor: {
      objectType: 'Group',
      name: 'Team A',
      account: { homePage: 'https://lms.example.com', name: 'team-a' },
      member: [
        { objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@example.com' },
        { mbox_sha1sum: 'cd9b00a5611f94eaa7b1661edab976068e364975' },
        { openid: 'http://openid.example.org/12345' },
      ],
    },
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered', de: 'beantwortet' } },
    object: {
      objectType: 'Activity',
      id: 'http://example.com/quiz/1/question/2',
      definition: {
        name: { en: 'Question 2' },
        description: { en: 'Which of these are available?' },
        type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
        moreInfo: 'https://example.com/quiz/1/question/2/info',
        interactionType: 'choice',
        correctResponsesPattern: ['golf[,]tetris'],
        choices: [
          { id: 'golf', description: { 'en-US': 'Golf' } },
          { id: 'tetris', description: { 'en-US': 'Tetris', 'sr-Latn-RS': 'Tetris' } },
        ],
        extensions: { 'http://example.com/ext/difficulty': { level: 3 } },
      },
    },
    result: {
      score: { scaled: 0.95, raw: 95, min: 0, max: 100 },
      success: true,
      completion: true,
      response: 'golf[,]tetris',
      duration: 'PT1M30.25S',
      extensions: { 'http://example.com/ext/attempt': 2 },
    },
    context: {
      registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
      instructor: { name: 'Teacher', mbox: 'mailto:teacher@example.com' },
      team: { objectType: 'Group', mbox: 'mailto:team@example.com' },
      contextActivities: {
        parent: [{ id: 'http://example.com/quiz/1' }],
        grouping: [{ objectType: 'Activity', id: 'http://example.com/course/algebra' }],
        category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }],
        other: { id: 'http://example.com/textbook' },
      },
      revision: 'rev 1',
      platform: 'Example LMS',
      language: 'en-US',
      statement: { objectType: 'StatementRef', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' },
      extensions: { 'http://example.com/ext/altitude': 1200 },
    },
    timestamp: '2024-03-01T12:34:56.789+05:00',
    stored: '2024-03-01T07:34:57.001Z',
    authority: {
      objectType: 'Group',
      member: [
        { account: { homePage: 'http://example.com/xAPI/OAuth/Token', name: 'oauth_consumer_x75db' } },
        { mbox: 'mailto:bob@example.com' },
      ],
    },
    version: '1.0.0',
    attachments: [
      {
        usageType: 'http://adlnet.gov/expapi/attachments/signature',
        display: { 'en-US': 'Signature' },
        description: { 'en-US': 'A JWS signature' },
        contentType: 'application/octet-stream',
        length: 4235,
        sha2: '672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634',
        fileUrl: 'https://example.com/files/sig.jws',
      },
    ],
  };
}

/** A valid statement whose object is a SubStatement. */
function withSubStatement(): Json {
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:test@example.com' },
    verb: { id: 'http://example.com/planned', display: { 'en-US': 'planned' } },
    object: {
      objectType: 'SubStatement',
      actor: { objectType: 'Agent', mbox: 'mailto:test@example.com' },
      verb: { id: 'http://example.com/visited', display: { 'en-US': 'will visit' } },
      object: { objectType: 'Activity', id: 'http://example.com/website', definition: { name: { 'en-US': 'Some Awesome Website' } } },
      result: { completion: true, duration: 'PT2H' },
      context: { platform: 'web', contextActivities: { parent: [{ id: 'http://example.com/site' }] } },
      timestamp: '2031-01-01T00:00:00Z',
    },
  };
}

function problemsOf(statement: unknown, path?: string): ValidationProblem[] {
  return path === undefined ? validateStatement(statement) : validateStatement(statement, path);
}

function expectValid(statement: unknown): void {
  expect(problemsOf(statement)).toEqual([]);
}

function expectProblem(statement: unknown, path: string, rule: string): void {
  const problems = problemsOf(statement);
  expect(problems, JSON.stringify(problems)).toContainEqual(expect.objectContaining({ path, rule }));
}

/** Returns a modified copy of `base`. */
function edit(base: Json, change: (s: Json) => void): Json {
  const s = clone(base);
  change(s);
  return s;
}

describe('validateStatement: valid statements', () => {
  it('accepts the minimal statement', () => expectValid(minimal()));
  it('accepts a full statement using every property', () => expectValid(full()));
  it('accepts a statement with a SubStatement object', () => expectValid(withSubStatement()));

  it('accepts every object type', () => {
    expectValid(edit(minimal(), (s) => (s.object = { objectType: 'Agent', account: { homePage: 'http://example.com', name: 'x' } })));
    expectValid(edit(minimal(), (s) => (s.object = { objectType: 'Group', openid: 'https://openid.example.org/g' })));
    expectValid(edit(minimal(), (s) => (s.object = { objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' })));
  });

  it('accepts a voiding statement', () => {
    expectValid(
      edit(minimal(), (s) => {
        s.verb = { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } };
        s.object = { objectType: 'StatementRef', id: 'e05aa883-acaf-40ad-bf54-02c8ce485fb0' };
      }),
    );
  });

  it.each([
    '2024-03-01T12:34:56+05:00',
    '2024-03-01T12:34:56.123+0530',
    '2024-03-01T12:34:56-08',
    '2024-03-01T12:34:56.123456789Z',
    '2024-03-01T12:34:56+00:00',
    '2024-03-01T12:34:56,5Z',
    '2024-03-01T12:34Z',
    '2024-03-01T12:34:56', // the time zone is only a SHOULD (Data 4.5.s1.b4)
    '20240301T123456Z',
    '2024-02-29T23:59:60Z',
    '2024-03-01T24:00:00Z',
  ])('accepts timestamp %s', (timestamp) => {
    expectValid(edit(minimal(), (s) => (s.timestamp = timestamp)));
  });

  it.each(['PT1.5S', 'PT4H35M59.14S', 'PT16559.14S', 'P3Y1M29DT4H35M59.14S', 'P3Y', 'P4W', 'PT0S', 'P1D', 'PT1H0M0.1S', 'P0.5Y', 'PT1,5S'])(
    'accepts duration %s',
    (duration) => {
      expectValid(edit(minimal(), (s) => (s.result = { duration })));
    },
  );

  it.each(['de', 'en-US', 'zh-Hant', 'sr-Latn-RS', 'zh-Hans-CN', 'cmn', 'tlh', 'ase', 'es-419', 'de-CH-1901', 'sl-rozaj-biske', 'en-a-bbb-x-a-ccc', 'x-whatever', 'i-klingon', 'en-GB-oed', 'qaa-Qaaa-QM-x-southern', 'EN-us'])(
    'accepts language tag %s (no registry lookup)',
    (tag) => {
      expectValid(edit(minimal(), (s) => (s.verb.display = { [tag]: 'attended' })));
      expectValid(edit(minimal(), (s) => (s.context = { language: tag })));
    },
  );

  it('accepts empty extensions, and any JSON (including null) as extension values', () => {
    expectValid(edit(minimal(), (s) => (s.result = { extensions: {} })));
    expectValid(
      edit(minimal(), (s) => {
        s.context = { extensions: { 'http://example.com/a': null, 'http://example.com/b': '', 'http://example.com/c': {}, 'http://example.com/d': [1, 'x'] } };
        s.object.definition = { extensions: { 'urn:x-example:ext': false } };
      }),
    );
  });

  it('accepts an empty activity definition and an interaction without component lists', () => {
    expectValid(edit(minimal(), (s) => (s.object.definition = {})));
    expectValid(edit(minimal(), (s) => (s.object.definition = { interactionType: 'numeric', correctResponsesPattern: ['4[:]'] })));
    expectValid(edit(minimal(), (s) => (s.object.definition = { interactionType: 'other', correctResponsesPattern: [] })));
  });

  it('accepts the supported component lists for each interaction type', () => {
    const c = [{ id: 'a' }, { id: 'b' }];
    const ok: Array<[string, string[]]> = [
      ['choice', ['choices']],
      ['sequencing', ['choices']],
      ['likert', ['scale']],
      ['matching', ['source', 'target']],
      ['performance', ['steps']],
    ];
    for (const [interactionType, lists] of ok) {
      const definition: Json = { interactionType };
      for (const l of lists) definition[l] = c;
      expectValid(edit(minimal(), (s) => (s.object.definition = definition)));
    }
  });

  it('accepts version 1.0, 1.0.0 and 1.0.9', () => {
    for (const version of ['1.0', '1.0.0', '1.0.9']) expectValid(edit(minimal(), (s) => (s.version = version)));
  });

  it('accepts UUIDs in upper case and mbox_sha1sum in upper case hex', () => {
    expectValid(edit(minimal(), (s) => (s.id = 'AA97B177-9383-4934-8543-0F91A7A02836')));
    expectValid(edit(minimal(), (s) => (s.actor = { mbox_sha1sum: 'CD9B00A5611F94EAA7B1661EDAB976068E364975' })));
  });

  it('accepts identified Groups without members, and any IRI scheme or non-ASCII IRI', () => {
    expectValid(edit(minimal(), (s) => (s.actor = { objectType: 'Group', mbox: 'mailto:group@example.com' })));
    expectValid(edit(minimal(), (s) => (s.object.id = 'urn:uuid:6fbd600f-d17c-4c74-801a-2ec2e53231ac')));
    expectValid(edit(minimal(), (s) => (s.verb.id = 'http://example.com/فعل/خواندن')));
    expectValid(edit(minimal(), (s) => (s.object.id = 'http://example.com/a%20b?q=1#frag')));
  });

  it('accepts revision and platform when the object is an Activity without objectType', () => {
    expectValid(edit(minimal(), (s) => (s.context = { revision: 'r1', platform: 'p' })));
  });
});

describe('validateStatement: structure (schema)', () => {
  it('requires actor, verb and object', () => {
    for (const key of ['actor', 'verb', 'object']) {
      expectProblem(edit(minimal(), (s) => delete s[key]), `statement.${key}`, 'required');
    }
  });

  it('rejects unknown properties and wrongly cased keys', () => {
    expectProblem(edit(minimal(), (s) => (s.Actor = s.actor)), 'statement.Actor', 'additional-property');
    expectProblem(edit(minimal(), (s) => (s.object.name = 'x')), 'statement.object.name', 'additional-property');
    expectProblem(
      edit(minimal(), (s) => (s.context = { contextActivities: { consequences: [{ id: 'http://example.com/a' }] } })),
      'statement.context.contextActivities.consequences',
      'additional-property',
    );
  });

  it('rejects wrong types, including strings holding numbers or booleans, and null', () => {
    expectProblem(edit(minimal(), (s) => (s.result = { success: 'true' })), 'statement.result.success', 'type');
    expectProblem(edit(minimal(), (s) => (s.result = { score: { max: '100' } })), 'statement.result.score.max', 'type');
    expectProblem(edit(minimal(), (s) => (s.actor.name = null)), 'statement.actor.name', 'type');
    expectProblem(edit(minimal(), (s) => (s.verb.display = { 'en-US': null })), 'statement.verb.display["en-US"]', 'type');
    expectProblem(edit(minimal(), (s) => (s.verb.display = 'attended')), 'statement.verb.display', 'type');
    expectProblem(edit(minimal(), (s) => (s.id = 12345)), 'statement.id', 'type');
    expectProblem(null, 'statement', 'type');
    expectProblem([minimal()], 'statement', 'type');
  });

  it('rejects objectType values that are not in the specification (case-sensitive)', () => {
    expectProblem(edit(minimal(), (s) => (s.actor.objectType = 'agent')), 'statement.actor.objectType', 'object-type');
    expectProblem(edit(minimal(), (s) => (s.object.objectType = 'activity')), 'statement.object.objectType', 'object-type');
    expectProblem(
      edit(minimal(), (s) => (s.context = { statement: { objectType: 'statementref', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' } })),
      'statement.context.statement.objectType',
      'object-type',
    );
    // Group members are Agents only; a team is a Group.
    expectProblem(
      edit(minimal(), (s) => (s.actor = { objectType: 'Group', member: [{ objectType: 'Group', mbox: 'mailto:g@example.com' }] })),
      'statement.actor.member[0].objectType',
      'object-type',
    );
    expectProblem(
      edit(minimal(), (s) => (s.context = { team: { objectType: 'Agent', mbox: 'mailto:a@example.com' } })),
      'statement.context.team.objectType',
      'object-type',
    );
  });

  it('rejects an Agent or Group object without objectType (it is read as an Activity)', () => {
    expectProblem(edit(minimal(), (s) => (s.object = { mbox: 'mailto:a@example.com' })), 'statement.object.id', 'required');
  });

  it('rejects interactionType values that are not in the specification (case-sensitive)', () => {
    expectProblem(
      edit(minimal(), (s) => (s.object.definition = { interactionType: 'choiCe' })),
      'statement.object.definition.interactionType',
      'interaction-type',
    );
  });

  it('rejects id, stored, version and authority in a SubStatement', () => {
    const values: Json = {
      id: '6fbd600f-d17c-4c74-801a-2ec2e53231ac',
      stored: '2024-01-01T00:00:00Z',
      version: '1.0.0',
      authority: { mbox: 'mailto:a@example.com' },
    };
    for (const [key, value] of Object.entries(values)) {
      expectProblem(edit(withSubStatement(), (s) => (s.object[key] = value)), `statement.object.${key}`, 'substatement-property');
    }
  });

  it('rejects a SubStatement inside a SubStatement', () => {
    const nested = edit(withSubStatement(), (s) => (s.object.object = withSubStatement().object));
    expectProblem(nested, 'statement.object.object', 'substatement-nesting');
  });

  it('rejects a negative or fractional attachment length', () => {
    expectProblem(edit(full(), (s) => (s.attachments[0].length = -1)), 'statement.attachments[0].length', 'minimum');
    expectProblem(edit(full(), (s) => (s.attachments[0].length = 1.5)), 'statement.attachments[0].length', 'type');
  });

  it('uses the given path prefix and array indexes in paths', () => {
    const s = edit(full(), (x) => (x.context.contextActivities.parent[0].id = 'not-an-iri'));
    expect(problemsOf(s, 'statements[3]')).toEqual([
      expect.objectContaining({ path: 'statements[3].context.contextActivities.parent[0].id', rule: 'iri' }),
    ]);
  });
});

describe('validateStatement: Agents and Groups', () => {
  it('requires exactly one inverse functional identifier on an Agent', () => {
    expectProblem(edit(minimal(), (s) => (s.actor = { objectType: 'Agent', name: 'x' })), 'statement.actor', 'exactly-one-ifi');
    expectProblem(
      edit(minimal(), (s) => (s.actor = { mbox: 'mailto:a@example.com', openid: 'http://openid.example.org/1' })),
      'statement.actor',
      'exactly-one-ifi',
    );
    expectProblem(
      edit(minimal(), (s) => (s.context = { instructor: { mbox: 'mailto:a@example.com', account: { homePage: 'http://a.com', name: 'a' } } })),
      'statement.context.instructor',
      'exactly-one-ifi',
    );
    expectProblem(
      edit(minimal(), (s) => (s.actor = { objectType: 'Group', member: [{ name: 'no ifi' }] })),
      'statement.actor.member[0]',
      'exactly-one-ifi',
    );
  });

  it('allows at most one inverse functional identifier on an identified Group', () => {
    expectProblem(
      edit(minimal(), (s) => (s.actor = { objectType: 'Group', mbox: 'mailto:g@example.com', mbox_sha1sum: 'cd9b00a5611f94eaa7b1661edab976068e364975' })),
      'statement.actor',
      'exactly-one-ifi',
    );
  });

  it('requires an anonymous Group to list its members', () => {
    expectProblem(edit(minimal(), (s) => (s.actor = { objectType: 'Group', name: 'g' })), 'statement.actor.member', 'anonymous-group-member');
    expectProblem(edit(minimal(), (s) => (s.actor = { objectType: 'Group', member: [] })), 'statement.actor.member', 'anonymous-group-member');
  });

  it('requires mbox to be a mailto IRI with an email address', () => {
    expectProblem(edit(minimal(), (s) => (s.actor.mbox = 'http://should.fail.com')), 'statement.actor.mbox', 'mailto-iri');
    expectProblem(edit(minimal(), (s) => (s.actor.mbox = 'mailto:should.fail.com')), 'statement.actor.mbox', 'mailto-iri');
    expectProblem(edit(minimal(), (s) => (s.actor.mbox = 'learner@example.com')), 'statement.actor.mbox', 'mailto-iri');
  });

  it('requires mbox_sha1sum to be 40 hex digits', () => {
    expectProblem(edit(minimal(), (s) => (s.actor = { mbox_sha1sum: 'not-a-hash' })), 'statement.actor.mbox_sha1sum', 'sha1sum');
  });

  it('requires openid and account.homePage to be IRIs', () => {
    expectProblem(edit(minimal(), (s) => (s.actor = { openid: 'open.id.com/testUser' })), 'statement.actor.openid', 'iri');
    expectProblem(
      edit(minimal(), (s) => (s.actor = { account: { homePage: 'ab=c://should.fail.com', name: 'x' } })),
      'statement.actor.account.homePage',
      'iri',
    );
    expectProblem(edit(minimal(), (s) => (s.actor = { account: { name: 'x' } })), 'statement.actor.account.homePage', 'required');
  });

  it('accepts as authority an Agent or an anonymous Group of two Agents only', () => {
    expectValid(edit(minimal(), (s) => (s.authority = { mbox: 'mailto:lrs@example.com' })));
    expectProblem(
      edit(full(), (s) => (s.authority.mbox = 'mailto:group@example.com')),
      'statement.authority',
      'authority-group',
    );
    expectProblem(
      edit(full(), (s) => s.authority.member.push({ mbox: 'mailto:third@example.com' })),
      'statement.authority.member',
      'authority-group',
    );
  });
});

describe('validateStatement: IRIs, UUIDs, language maps', () => {
  it.each([
    ['verb id', (s: Json) => (s.verb.id = 'adlnet.gov/expapi/verbs/attended'), 'statement.verb.id'],
    ['activity id', (s: Json) => (s.object.id = 'www.example.com/meetings/1'), 'statement.object.id'],
    ['activity type', (s: Json) => (s.object.definition = { type: 'should fail' }), 'statement.object.definition.type'],
    ['moreInfo', (s: Json) => (s.object.definition = { moreInfo: 'virtualmeeting.example.com/1' }), 'statement.object.definition.moreInfo'],
    ['IRI with a space', (s: Json) => (s.object.id = 'http://example.com/a b'), 'statement.object.id'],
    ['IRI with a bad percent-encoding', (s: Json) => (s.object.id = 'http://example.com/100%'), 'statement.object.id'],
    ['context activity id', (s: Json) => (s.context = { contextActivities: { other: { id: 'x' } } }), 'statement.context.contextActivities.other.id'],
  ])('rejects a %s that is not an absolute IRI', (_name, change, path) => {
    expectProblem(edit(minimal(), change), path, 'iri');
  });

  it('rejects extension keys that are not IRIs', () => {
    expectProblem(edit(minimal(), (s) => (s.result = { extensions: { 'example.com/extension/wrong': 1 } })), 'statement.result.extensions["example.com/extension/wrong"]', 'iri');
    expectProblem(edit(minimal(), (s) => (s.context = { extensions: { 'should fail': true } })), 'statement.context.extensions["should fail"]', 'iri');
    expectProblem(edit(minimal(), (s) => (s.object.definition = { extensions: { key: 1 } })), 'statement.object.definition.extensions.key', 'iri');
  });

  it('rejects UUIDs that are not in standard form', () => {
    expectProblem(edit(minimal(), (s) => (s.id = 'AA97B177-9383-4934-8543-0F91A7A028368')), 'statement.id', 'uuid');
    expectProblem(edit(minimal(), (s) => (s.id = 'MA97B177-9383-4934-8543-0F91A7A02836')), 'statement.id', 'uuid');
    expectProblem(edit(minimal(), (s) => (s.id = '{6fbd600f-d17c-4c74-801a-2ec2e53231ac}')), 'statement.id', 'uuid');
    expectProblem(edit(minimal(), (s) => (s.context = { registration: 'wrong' })), 'statement.context.registration', 'uuid');
    expectProblem(edit(minimal(), (s) => (s.object = { objectType: 'StatementRef', id: 'should fail' })), 'statement.object.id', 'uuid');
    expectProblem(edit(minimal(), (s) => (s.context = { statement: { objectType: 'StatementRef', id: '' } })), 'statement.context.statement.id', 'uuid');
  });

  it.each([
    ['something', 'statement.verb.display.something'], // subtag longer than 8
    ['a12345', 'statement.verb.display.a12345'], // digits in the language subtag
    ['a12345678', 'statement.verb.display.a12345678'],
    ['s-something', 'statement.verb.display["s-something"]'],
    ['en-something-AU', 'statement.verb.display["en-something-AU"]'],
    ['zh-z-aaa-z-bbb-c-ccc', 'statement.verb.display["zh-z-aaa-z-bbb-c-ccc"]'], // repeated singleton
    ['de-1901-1901', 'statement.verb.display["de-1901-1901"]'], // repeated variant
    ['en-', 'statement.verb.display["en-"]'],
    ['en--US', 'statement.verb.display["en--US"]'],
    ['x', 'statement.verb.display.x'],
    ['i-foo', 'statement.verb.display["i-foo"]'],
    ['', 'statement.verb.display[""]'],
  ])('rejects language map key %j', (tag, path) => {
    expectProblem(edit(minimal(), (s) => (s.verb.display = { 'en-US': 'attended', [tag]: 'x' })), path, 'language-map');
  });

  it('checks language maps everywhere they occur', () => {
    const bad = { something: 'x' };
    expectProblem(edit(minimal(), (s) => (s.object.definition = { name: bad })), 'statement.object.definition.name.something', 'language-map');
    expectProblem(edit(minimal(), (s) => (s.object.definition = { description: bad })), 'statement.object.definition.description.something', 'language-map');
    expectProblem(edit(full(), (s) => (s.object.definition.choices[0].description = bad)), 'statement.object.definition.choices[0].description.something', 'language-map');
    expectProblem(edit(full(), (s) => (s.attachments[0].display = bad)), 'statement.attachments[0].display.something', 'language-map');
    expectProblem(edit(full(), (s) => (s.attachments[0].description = bad)), 'statement.attachments[0].description.something', 'language-map');
    expectProblem(edit(withSubStatement(), (s) => (s.object.verb.display = bad)), 'statement.object.verb.display.something', 'language-map');
  });

  it('rejects a context language that is not a language tag', () => {
    expectProblem(edit(minimal(), (s) => (s.context = { language: 'something' })), 'statement.context.language', 'language-tag');
  });
});

describe('validateStatement: timestamps, durations, version', () => {
  it.each([
    '2008-09-15T15:53:00.601-00:00',
    '2008-09-15T15:53:00.601-0000',
    '2008-09-15T15:53:00.601-00',
    '01/011/2015',
    'should fail',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T25:00:00Z',
    '2024-01-01T24:00:01Z',
    '2024-01-01T12:60:00Z',
    '2024-01-01',
    '2024-01-01 12:00:00Z',
    '2024-01-01T12:00:00+24:00',
    '',
  ])('rejects timestamp %j', (timestamp) => {
    expectProblem(edit(minimal(), (s) => (s.timestamp = timestamp)), 'statement.timestamp', 'iso8601-timestamp');
  });

  it('checks stored and SubStatement timestamps too', () => {
    expectProblem(edit(minimal(), (s) => (s.stored = '2024-01-01T00:00:00-00:00')), 'statement.stored', 'iso8601-timestamp');
    expectProblem(edit(withSubStatement(), (s) => (s.object.timestamp = 'tomorrow')), 'statement.object.timestamp', 'iso8601-timestamp');
  });

  it.each(['PA1H0M0S', 'P4W1D', 'P', 'PT', 'P1DT', 'P1.5DT1H', 'PT1.5H30M', 'P16559.14S', '-P1D', 'P0003-01-02T00:00:00', 'pt1s', 'should fail'])(
    'rejects duration %j',
    (duration) => {
      expectProblem(edit(minimal(), (s) => (s.result = { duration })), 'statement.result.duration', 'iso8601-duration');
    },
  );

  it.each(['0.9.9', '1.1.0', '1', '2.0.0', 'should fail', '1.0.', '1.0.0.0'])('rejects version %j', (version) => {
    expectProblem(edit(minimal(), (s) => (s.version = version)), 'statement.version', 'version');
  });
});

describe('validateStatement: activities, results, context, attachments, voiding', () => {
  it('requires interactionType when interaction properties are used', () => {
    expectProblem(
      edit(minimal(), (s) => (s.object.definition = { correctResponsesPattern: ['true'] })),
      'statement.object.definition.correctResponsesPattern',
      'interaction-type-required',
    );
    expectProblem(
      edit(minimal(), (s) => (s.object.definition = { scale: [{ id: 'likert_0' }] })),
      'statement.object.definition.scale',
      'interaction-type-required',
    );
  });

  it('only allows the component lists of the interactionType', () => {
    expectProblem(edit(full(), (s) => (s.object.definition.scale = [{ id: 'x' }])), 'statement.object.definition.scale', 'interaction-components');
    expectProblem(
      edit(minimal(), (s) => (s.object.definition = { interactionType: 'true-false', steps: [{ id: 'x' }] })),
      'statement.object.definition.steps',
      'interaction-components',
    );
    expectProblem(
      edit(minimal(), (s) => (s.object.definition = { interactionType: 'matching', choices: [{ id: 'x' }] })),
      'statement.object.definition.choices',
      'interaction-components',
    );
  });

  it('requires distinct ids within one interaction component list', () => {
    expectProblem(
      edit(full(), (s) => s.object.definition.choices.push({ id: 'golf' })),
      'statement.object.definition.choices[2].id',
      'interaction-components',
    );
    // the same id in two different lists is fine
    expectValid(
      edit(minimal(), (s) => (s.object.definition = { interactionType: 'matching', source: [{ id: '1' }], target: [{ id: '1' }] })),
    );
  });

  it('checks score ranges', () => {
    const score = (v: Json) => edit(minimal(), (s) => (s.result = { score: v }));
    expectValid(score({ scaled: 1 }));
    expectValid(score({ scaled: -1, raw: 0, min: 0, max: 0.5 }));
    expectProblem(score({ scaled: 1.01 }), 'statement.result.score.scaled', 'score-range');
    expectProblem(score({ scaled: -1.00001 }), 'statement.result.score.scaled', 'score-range');
    expectProblem(score({ min: 10, max: 5 }), 'statement.result.score.min', 'score-range');
    expectProblem(score({ min: 5, max: 5 }), 'statement.result.score.min', 'score-range');
    expectProblem(score({ raw: 101, max: 100 }), 'statement.result.score.raw', 'score-range');
    expectProblem(score({ raw: -1, min: 0 }), 'statement.result.score.raw', 'score-range');
  });

  it('allows context revision and platform only when the object is an Activity', () => {
    const objects: Json[] = [
      { objectType: 'Agent', mbox: 'mailto:a@example.com' },
      { objectType: 'Group', mbox: 'mailto:g@example.com' },
      { objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' },
      withSubStatement().object,
    ];
    for (const object of objects) {
      expectProblem(edit(minimal(), (s) => ((s.object = object), (s.context = { revision: 'r' }))), 'statement.context.revision', 'context-activity-only');
      expectProblem(edit(minimal(), (s) => ((s.object = object), (s.context = { platform: 'p' }))), 'statement.context.platform', 'context-activity-only');
    }
    expectProblem(
      edit(withSubStatement(), (s) => (s.object.object = { objectType: 'Group', mbox: 'mailto:g@example.com' })),
      'statement.object.context.platform',
      'context-activity-only',
    );
  });

  it('checks attachment usageType, fileUrl and contentType', () => {
    expectProblem(edit(full(), (s) => (s.attachments[0].usageType = 'should fail')), 'statement.attachments[0].usageType', 'iri');
    expectProblem(edit(full(), (s) => (s.attachments[0].fileUrl = 'over.there.com/file.txt')), 'statement.attachments[0].fileUrl', 'iri');
    expectProblem(edit(full(), (s) => (s.attachments[0].contentType = 'text')), 'statement.attachments[0].contentType', 'media-type');
    expectProblem(edit(full(), (s) => (s.attachments[0].sha2 = 12345)), 'statement.attachments[0].sha2', 'type');
    expectProblem(edit(full(), (s) => delete s.attachments[0].display), 'statement.attachments[0].display', 'required');
    expectValid(edit(full(), (s) => (s.attachments[0].contentType = 'text/plain; charset=ascii')));
  });

  it('requires a StatementRef as the object of a voiding statement', () => {
    expectProblem(
      edit(minimal(), (s) => (s.verb = { id: 'http://adlnet.gov/expapi/verbs/voided' })),
      'statement.object',
      'voiding-object',
    );
  });
});

describe('validateAgent', () => {
  it('accepts Agents and Groups', () => {
    expect(validateAgent({ mbox: 'mailto:a@example.com' }, 'agent')).toEqual([]);
    expect(validateAgent({ objectType: 'Agent', account: { homePage: 'http://www.example.com/agentId/1', name: 'Rick James' } }, 'agent')).toEqual([]);
    expect(validateAgent({ objectType: 'Group', openid: 'http://openid.example.org/g' }, 'agent')).toEqual([]);
    expect(validateAgent({ objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] }, 'agent')).toEqual([]);
  });

  it('reports problems with the given path', () => {
    expect(validateAgent('wrong', 'agent')).toEqual([expect.objectContaining({ path: 'agent', rule: 'type' })]);
    expect(validateAgent({ mbox: 'mailto:a@example.com', openid: 'http://o.example.org/1' }, 'agent')).toEqual([
      expect.objectContaining({ path: 'agent', rule: 'exactly-one-ifi' }),
    ]);
    expect(validateAgent({ objectType: 'group', mbox: 'mailto:a@example.com' }, 'agent')).toEqual([
      expect.objectContaining({ path: 'agent.objectType', rule: 'object-type' }),
    ]);
    expect(validateAgent({ mbox: 'xapi@adlnet.gov' }, 'params.agent')).toEqual([
      expect.objectContaining({ path: 'params.agent.mbox', rule: 'mailto-iri' }),
    ]);
    expect(validateAgent({ mbox: 'mailto:a@example.com', member: [] }, 'agent')).toEqual([
      expect.objectContaining({ path: 'agent.member', rule: 'additional-property' }),
    ]);
  });
});

describe('format helpers', () => {
  it('isUuid', () => {
    expect(isUuid('6fbd600f-d17c-4c74-801a-2ec2e53231ac')).toBe(true);
    expect(isUuid('6FBD600F-D17C-4C74-801A-2EC2E53231AC')).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('6fbd600fd17c4c74801a2ec2e53231ac')).toBe(false);
    expect(isUuid('urn:uuid:6fbd600f-d17c-4c74-801a-2ec2e53231ac')).toBe(false);
    expect(isUuid(' 6fbd600f-d17c-4c74-801a-2ec2e53231ac')).toBe(false);
  });

  it('isIri / isLanguageTag / isDuration / isTimestamp agree with the statement rules', () => {
    expect(isIri('mailto:a@example.com')).toBe(true);
    expect(isIri('not.a.valid.iri.com/verb')).toBe(false);
    expect(isLanguageTag('zh-Hant-TW')).toBe(true);
    expect(isLanguageTag('zh-Hant-TW-')).toBe(false);
    expect(isDuration('PT0.01S')).toBe(true);
    expect(isTimestamp('2024-01-01T00:00:00.000Z')).toBe(true);
  });

  it('parseTimestamp gives the instant in UTC', () => {
    const a = parseTimestamp('2024-03-01T12:34:56.789+05:00');
    const b = parseTimestamp('2024-03-01T07:34:56.789Z');
    expect(a).toEqual({ epochSeconds: Date.UTC(2024, 2, 1, 7, 34, 56) / 1000, fraction: '789', hasTimeZone: true });
    expect(b?.epochSeconds).toBe(a?.epochSeconds);
    const year99 = new Date(0);
    year99.setUTCFullYear(99, 11, 31);
    year99.setUTCHours(23, 59, 59, 0);
    expect(parseTimestamp('0099-12-31T23:59:59Z')?.epochSeconds).toBe(year99.getTime() / 1000);
    expect(parseTimestamp('2024-03-01T24:00:00Z')?.epochSeconds).toBe(Date.UTC(2024, 2, 2) / 1000);
    expect(parseTimestamp('2024-03-01T12:00:00')?.hasTimeZone).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// xAPI 2.0 (IEEE 9274.1.1): the same validator with version '2.0.0'.

const v2 = (statement: unknown) => validateStatement(statement, 'statement', '2.0.0');

function expectValid2(statement: unknown): void {
  expect(v2(statement)).toEqual([]);
}

function expectProblem2(statement: unknown, path: string, rule: string): void {
  const problems = v2(statement);
  expect(problems, JSON.stringify(problems)).toContainEqual(expect.objectContaining({ path, rule }));
}

const CONTEXT_AGENT = {
  objectType: 'contextAgent',
  agent: { objectType: 'Agent', mbox: 'mailto:coach@example.com' },
  relevantTypes: ['https://example.com/xapi/activity-types/coach'],
};
const CONTEXT_GROUP = {
  objectType: 'contextGroup',
  group: { objectType: 'Group', member: [{ mbox: 'mailto:p1@example.com' }, { mbox: 'mailto:p2@example.com' }] },
  relevantTypes: ['https://example.com/xapi/activity-types/team'],
};
const withContext = (context: Json) => edit(minimal(), (s) => (s.context = context));

describe('validateStatement, xAPI 2.0: context agents and context groups (4.2.2.5)', () => {
  it('accepts them in a statement and in a SubStatement, with or without relevantTypes, identified or anonymous Groups', () => {
    expectValid2(withContext({ contextAgents: [CONTEXT_AGENT, { objectType: 'contextAgent', agent: { account: { homePage: 'https://lms.example.com', name: 'x' } } }], contextGroups: [CONTEXT_GROUP] }));
    expectValid2(withContext({ contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', mbox: 'mailto:team@example.com' } }], contextAgents: [] }));
    expectValid2(edit(withSubStatement(), (s) => (s.object.context = { contextAgents: [CONTEXT_AGENT], contextGroups: [CONTEXT_GROUP] })));
  });

  it('refuses them in xAPI 1.0.3, where context has no such properties', () => {
    expectProblem(withContext({ contextAgents: [CONTEXT_AGENT] }), 'statement.context.contextAgents', 'additional-property');
    expectProblem(edit(withSubStatement(), (s) => (s.object.context = { contextGroups: [CONTEXT_GROUP] })), 'statement.object.context.contextGroups', 'additional-property');
  });

  it('requires objectType contextAgent / contextGroup and a valid Agent / Group', () => {
    expectProblem2(withContext({ contextAgents: [{ ...CONTEXT_AGENT, objectType: 'Should fail' }] }), 'statement.context.contextAgents[0].objectType', 'object-type');
    expectProblem2(withContext({ contextAgents: [{ objectType: 'contextAgent' }] }), 'statement.context.contextAgents[0].agent', 'required');
    expectProblem2(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: { key: 'Should fail' } }] }), 'statement.context.contextAgents[0].agent.key', 'additional-property');
    expectProblem2(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:a@example.com', openid: 'http://id.example.com/a' } }] }), 'statement.context.contextAgents[0].agent', 'exactly-one-ifi');
    expectProblem2(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: { objectType: 'Group', mbox: 'mailto:g@example.com' } }] }), 'statement.context.contextAgents[0].agent.objectType', 'object-type');
    expectProblem2(withContext({ contextGroups: [{ objectType: 'contextGroup', group: { key: 'Should fail' } }] }), 'statement.context.contextGroups[0].group.objectType', 'required');
    expectProblem2(withContext({ contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group' } }] }), 'statement.context.contextGroups[0].group.member', 'anonymous-group-member');
    expectProblem2(withContext({ contextGroups: [{ ...CONTEXT_GROUP, member: [] }] }), 'statement.context.contextGroups[0].member', 'additional-property');
    expectProblem2(withContext({ contextAgents: CONTEXT_AGENT }), 'statement.context.contextAgents', 'type');
  });

  it('requires relevantTypes to be a non-empty array of IRIs', () => {
    expectProblem2(withContext({ contextAgents: [{ ...CONTEXT_AGENT, relevantTypes: [] }] }), 'statement.context.contextAgents[0].relevantTypes', 'min-items');
    expectProblem2(withContext({ contextAgents: [{ ...CONTEXT_AGENT, relevantTypes: ['abc'] }] }), 'statement.context.contextAgents[0].relevantTypes[0]', 'iri');
    expectProblem2(withContext({ contextGroups: [{ ...CONTEXT_GROUP, relevantTypes: ['https://ok.example.com', 'not an iri'] }] }), 'statement.context.contextGroups[0].relevantTypes[1]', 'iri');
  });
});

describe('validateStatement, xAPI 2.0: timestamps and version', () => {
  it('requires RFC 3339 date-times for timestamp and stored, in a SubStatement too', () => {
    for (const timestamp of ['2008-09-15T15:53:00.601+00:00', '2023-05-04T12:00:00-05:00', '2024-03-01t12:00:00z', '2024-03-01T12:00:00.123456789Z']) {
      expectValid2(edit(minimal(), (s) => (s.timestamp = timestamp)));
    }
    for (const timestamp of ['2024-03-01T12:00Z', '20240301T120000Z', '2024-03-01T12:00:00', '2024-03-01T12:00:00+0100', '2024-03-01T12:00:00+01', '2024-03-01T12:00:00,5Z', '2024-03-01T24:00:00Z', '2008-09-15T15:53:00.601-00:00']) {
      expectProblem2(edit(minimal(), (s) => (s.timestamp = timestamp)), 'statement.timestamp', 'rfc3339-timestamp');
    }
    expectProblem2(edit(minimal(), (s) => (s.stored = '2024-03-01T12:00')), 'statement.stored', 'rfc3339-timestamp');
    expectProblem2(edit(withSubStatement(), (s) => (s.object.timestamp = '20240301T120000Z')), 'statement.object.timestamp', 'rfc3339-timestamp');
    // The same timestamps stay valid ISO 8601 for xAPI 1.0.3.
    expectValid(edit(minimal(), (s) => (s.timestamp = '20240301T120000Z')));
  });

  it('accepts versions 1.0.x and 2.0.x, refuses others; 1.0.3 still refuses 2.0.0', () => {
    for (const version of ['1.0', '1.0.9', '2.0', '2.0.0', '2.0.3']) expectValid2(edit(minimal(), (s) => (s.version = version)));
    for (const version of ['1.1.0', '0.9.9', 'should fail', '2.1.0', '3.0.0']) expectProblem2(edit(minimal(), (s) => (s.version = version)), 'statement.version', 'version');
    expectProblem(edit(minimal(), (s) => (s.version = '2.0.0')), 'statement.version', 'version');
  });
});

describe('format helpers, xAPI 2.0', () => {
  it('isRfc3339Timestamp / isStatementVersion2', () => {
    expect(isRfc3339Timestamp('2024-02-29T23:59:60Z')).toBe(true);
    expect(isRfc3339Timestamp('2023-02-29T12:00:00Z')).toBe(false);
    expect(isRfc3339Timestamp('2024-01-01 12:00:00Z')).toBe(false);
    expect(isStatementVersion2('2.0.0')).toBe(true);
    expect(isStatementVersion2('1.0.3')).toBe(true);
    expect(isStatementVersion2('2.1')).toBe(false);
  });

  it('toUtcTimestamp keeps the instant and the precision as written', () => {
    expect(toUtcTimestamp('2023-05-04T12:00:00-05:00')).toBe('2023-05-04T17:00:00Z');
    expect(toUtcTimestamp('2024-03-01T00:30:00.123456+01:00')).toBe('2024-02-29T23:30:00.123456Z');
    expect(toUtcTimestamp('2024-03-01T12:00:00.5Z')).toBe('2024-03-01T12:00:00.5Z');
    expect(toUtcTimestamp('0001-01-01T00:30:00+01:00')).toBe('0000-12-31T23:30:00Z');
    expect(toUtcTimestamp('0000-01-01T00:30:00+01:00')).toBeNull(); // year -1 has no RFC 3339 form
    expect(toUtcTimestamp('not a time')).toBeNull();
  });
});
