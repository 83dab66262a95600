/**
 * The Activities and Agents resources over real HTTP on loopback with a real SQLite file
 * (xAPI 1.0.3 Communication 2.4, 2.5).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serveEachTest } from '../support/serve-each-test.js';
import { qs } from '../support/query.js';

const lrs = serveEachTest();
const { xapi } = lrs;

async function post(statements: unknown): Promise<void> {
  const res = await xapi('/statements', { method: 'POST', json: statements });
  expect(res.status, await res.clone().text()).toBe(200);
}

function statement(object: Record<string, unknown>, actor: Record<string, unknown> = { mbox: 'mailto:ana@acme.example', name: 'Ana' }, more: Record<string, unknown> = {}) {
  return { actor, verb: { id: 'http://adlnet.gov/expapi/verbs/attended' }, object, ...more };
}

async function problemOf(res: Response): Promise<{ path: string; rule: string } | undefined> {
  return ((await res.json()) as { error: { problems: { path: string; rule: string }[] } }).error.problems[0];
}

describe('GET /activities', () => {
  it('an Activity no statement defined is answered with its id only', async () => {
    const id = `https://acme.example/${randomUUID()}`;
    const res = await xapi(`/activities?${qs({ activityId: id })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(await res.json()).toEqual({ objectType: 'Activity', id });
  });

  it('answers the complete Activity as a statement gave it', async () => {
    const object = {
      objectType: 'Activity',
      id: `https://acme.example/${randomUUID()}`,
      definition: {
        type: 'http://adlnet.gov/expapi/activities/meeting',
        name: { 'en-US': 'example meeting' },
        moreInfo: 'https://acme.example/more',
        extensions: { 'http://example.com/ext/location': 'X:\\minutes.one' },
      },
    };
    await post(statement(object));
    expect(await (await xapi(`/activities?${qs({ activityId: object.id })}`)).json()).toEqual(object);
  });

  it('combines what every statement said: languages add up, the latest type wins, context Activities count', async () => {
    const id = `https://acme.example/${randomUUID()}`;
    const parent = `https://acme.example/${randomUUID()}`;
    await post([
      statement({ id, definition: { type: 'http://t/1', name: { 'en-US': 'meeting' } } }),
      statement({ id, definition: { name: { 'fr-FR': 'réunion' } } }),
    ]);
    await post(
      statement({ id: `https://acme.example/${randomUUID()}` }, undefined, {
        context: { contextActivities: { parent: { id: parent, definition: { name: { 'en-US': 'course' } } } } },
      }),
    );
    await post(statement({ id, definition: { type: 'http://t/2' } }));
    expect(await (await xapi(`/activities?${qs({ activityId: id })}`)).json()).toEqual({
      objectType: 'Activity',
      id,
      definition: { type: 'http://t/2', name: { 'en-US': 'meeting', 'fr-FR': 'réunion' } },
    });
    expect(await (await xapi(`/activities?${qs({ activityId: parent })}`)).json()).toMatchObject({ definition: { name: { 'en-US': 'course' } } });
  });

  it('a rejected batch defines nothing', async () => {
    const id = `https://acme.example/${randomUUID()}`;
    const res = await xapi('/statements', { method: 'POST', json: [statement({ id, definition: { name: { 'en-US': 'x' } } }), { verb: 'bad' }] });
    expect(res.status).toBe(400);
    expect(await (await xapi(`/activities?${qs({ activityId: id })}`)).json()).toEqual({ objectType: 'Activity', id });
  });

  it('HEAD answers the headers only', async () => {
    const res = await xapi(`/activities?${qs({ activityId: 'https://acme.example/x' })}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toMatch(/^"/);
    expect(await res.text()).toBe('');
  });

  it.each([
    [{}, 'activityId', 'required'],
    [{ activityId: 'not an iri' }, 'activityId', 'iri'],
    [{ activityId: 'https://acme.example/x', agent: '{}' }, 'agent', 'unknown-parameter'],
  ])('%o is a 400 naming %s', async (params, path, rule) => {
    const res = await xapi(`/activities?${qs(params)}`);
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ path, rule });
  });
});

describe('GET /agents', () => {
  it('an unknown Agent gets a Person with what the request said, every property an array', async () => {
    const agent = { objectType: 'Agent', name: 'Zoe', account: { homePage: 'https://hr.acme.example', name: 'E42' } };
    const res = await xapi(`/agents?${qs({ agent })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(await res.json()).toEqual({ objectType: 'Person', name: ['Zoe'], account: [{ homePage: 'https://hr.acme.example', name: 'E42' }] });
  });

  it('adds the names the Agent was given in its statements', async () => {
    const mbox = `mailto:${randomUUID()}@acme.example`;
    await post(statement({ id: 'https://acme.example/a' }, { mbox, name: 'Ana López' }));
    await post(statement({ id: 'https://acme.example/b' }, { mbox, name: 'Ana' }));
    expect(await (await xapi(`/agents?${qs({ agent: { mbox } })}`)).json()).toEqual({ objectType: 'Person', name: ['Ana', 'Ana López'], mbox: [mbox] });
  });

  it('mbox_sha1sum and openid identities come back as arrays', async () => {
    const sha = 'cd9b00a5611f94eaa7b1661edab976068e364975';
    expect(await (await xapi(`/agents?${qs({ agent: { mbox_sha1sum: sha } })}`)).json()).toEqual({ objectType: 'Person', mbox_sha1sum: [sha] });
    expect(await (await xapi(`/agents?${qs({ agent: { openid: 'https://openid.example/ana' } })}`)).json()).toEqual({ objectType: 'Person', openid: ['https://openid.example/ana'] });
  });

  it.each([
    [{}, 'agent', 'required'],
    [{ agent: { objectType: 'Agent', name: 'no identifier' } }, 'agent', undefined],
    [{ agent: { objectType: 'Group', mbox: 'mailto:team@acme.example' } }, 'agent.objectType', 'agent-not-group'],
    [{ agent: { mbox: 'mailto:a@acme.example' }, profileId: 'x' }, 'profileId', 'unknown-parameter'],
  ])('%o is a 400 naming %s', async (params, path, rule) => {
    const res = await xapi(`/agents?${qs(params)}`);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem?.path).toContain(path);
    if (rule !== undefined) expect(problem?.rule).toBe(rule);
  });
});
