/**
 * End-to-end: the Rustici TinCanJS library (npm `tincanjs`, its Node environment over xhr2)
 * against the real LRS on loopback with a fresh SQLite file. TinCanJS 0.50 speaks xAPI 1.0.2
 * at most, so it sends `X-Experience-API-Version: 1.0.2`.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type TinCanNS from 'tincanjs';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '../support/server.js';
import { ACTIVITIES, isNonIncreasing, mbox, UUID, VERBS } from './support.js';
import { TinCan, TinCanRequestError, call } from './clients.js';
import { sleep } from '../support/wait.js';




let server: TestServer;
let lrs: TinCanNS.LRS;

beforeEach(async () => {
  server = await startTestServer();
  lrs = new TinCan.LRS({
    endpoint: `${server.endpoint}/`,
    username: TEST_KEY,
    password: TEST_SECRET,
    allowFail: false,
    version: '1.0.2',
  });
});
afterEach(async () => server.close());

function statement(
  who: string,
  options: { verb?: string; activity?: string; doStamp?: boolean; extra?: TinCanNS.StatementCfg } = {},
): TinCanNS.Statement {
  return new TinCan.Statement(
    {
      actor: { objectType: 'Agent', mbox: mbox(who), name: who },
      verb: { id: options.verb ?? VERBS.completed, display: { 'en-US': 'did' } },
      object: { objectType: 'Activity', id: options.activity ?? ACTIVITIES.safety, definition: { name: { 'en-US': 'Safety' } } },
      ...options.extra,
    },
    { doStamp: options.doStamp ?? true },
  );
}

const agent = (who: string) => new TinCan.Agent({ mbox: mbox(who) });

const save = (s: TinCanNS.Statement) => call<TinCanNS.XHR>((callback) => lrs.saveStatement(s, { callback }));
const saveAll = (list: TinCanNS.Statement[]) => call<TinCanNS.XHR>((callback) => lrs.saveStatements(list, { callback }));
const retrieve = (id: string, attachments = false) =>
  call<TinCanNS.Statement>((callback) => lrs.retrieveStatement(id, { params: { attachments }, callback }));
const retrieveVoided = (id: string) => call<TinCanNS.Statement>((callback) => lrs.retrieveVoidedStatement(id, { callback }));
const query = (params: TinCanNS.QueryParams) => call<TinCanNS.StatementsResult>((callback) => lrs.queryStatements({ params, callback }));
const more = (url: string) => call<TinCanNS.StatementsResult>((callback) => lrs.moreStatements({ url, callback }));

const ids = (result: TinCanNS.StatementsResult) => result.statements.map((s) => s.id);

async function expectStatus(promise: Promise<unknown>, status: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TinCanRequestError);
  expect((error as TinCanRequestError).status).toBe(status);
}

describe('TinCanJS: about', () => {
  it('reads the supported versions', async () => {
    const about = await call<TinCanNS.About>((callback) => lrs.about({ callback }));
    expect(about.version).toContain('1.0.3');
    expect(about.version).toContain('1.0.2');
  });
});

describe('TinCanJS: writing and reading one statement', () => {
  it('saveStatement of a stamped statement PUTs it under its id; retrieveStatement returns it with stored and authority', async () => {
    const s = statement('ana');
    expect(s.id).toMatch(UUID);
    const xhr = await save(s);
    expect(xhr.status).toBe(204);

    const got = await retrieve(s.id!);
    expect(got).toBeInstanceOf(TinCan.Statement);
    expect(got.id).toBe(s.id);
    expect(got.actor).toBeInstanceOf(TinCan.Agent);
    expect((got.actor as TinCanNS.Agent).mbox).toBe(mbox('ana'));
    expect((got.actor as TinCanNS.Agent).name).toBe('ana');
    expect(got.verb?.id).toBe(VERBS.completed);
    expect(got.verb?.display).toEqual({ 'en-US': 'did' });
    expect(got.target).toBeInstanceOf(TinCan.Activity);
    expect((got.target as TinCanNS.Activity).id).toBe(ACTIVITIES.safety);
    // the client's timestamp is kept as sent; stored and authority are the LRS's
    expect(got.timestamp).toBe(s.timestamp);
    expect(got.stored).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(got.authority).toBeInstanceOf(TinCan.Agent);
    expect((got.authority as TinCanNS.Agent).account).toMatchObject({ name: TEST_KEY });
  });

  it('saveStatement of an unstamped statement POSTs it and gets the LRS-assigned id back', async () => {
    const s = statement('bob', { doStamp: false });
    expect(s.id).toBeNull();
    const xhr = await save(s);
    expect(xhr.status).toBe(200);
    const returned = JSON.parse(xhr.responseText) as string[];
    expect(returned).toHaveLength(1);
    expect(returned[0]).toMatch(UUID);

    const got = await retrieve(returned[0]!);
    expect(got.id).toBe(returned[0]);
    expect((got.actor as TinCanNS.Agent).mbox).toBe(mbox('bob'));
    expect(got.timestamp).toBe(got.stored);
  });

  it('saving the same statement twice is accepted and stores it once', async () => {
    const s = statement('ana');
    await save(s);
    await save(s);
    const all = await query({});
    expect(ids(all)).toEqual([s.id]);
  });

  it('retrieveStatement of an unknown id fails with 404', async () => {
    await expectStatus(retrieve(randomUUID()), 404);
  });
});

describe('TinCanJS: batches and queries', () => {
  it('saveStatements POSTs a batch; the ids come back in order and are stored in that order', async () => {
    const batch = [statement('ana'), statement('bob'), statement('cy', { doStamp: false })];
    const xhr = await saveAll(batch);
    expect(xhr.status).toBe(200);
    const returned = JSON.parse(xhr.responseText) as string[];
    expect(returned).toHaveLength(3);
    expect(returned.slice(0, 2)).toEqual([batch[0]!.id, batch[1]!.id]);
    expect(returned[2]).toMatch(UUID);

    expect(ids(await query({ ascending: true }))).toEqual(returned);
    expect(ids(await query({}))).toEqual([...returned].reverse());
    for (const id of returned) expect((await retrieve(id)).id).toBe(id);
  });

  it('queryStatements filters by agent, verb and activity', async () => {
    const anaCompleted = statement('ana');
    const anaAttempted = statement('ana', { verb: VERBS.attempted, activity: ACTIVITIES.onboarding });
    const bobCompleted = statement('bob', { activity: ACTIVITIES.onboarding });
    const bobExperienced = statement('bob', { verb: VERBS.experienced });
    await saveAll([anaCompleted, anaAttempted, bobCompleted, bobExperienced]);

    expect(ids(await query({ agent: agent('ana') }))).toEqual([anaAttempted.id, anaCompleted.id]);
    expect(ids(await query({ agent: agent('bob') }))).toEqual([bobExperienced.id, bobCompleted.id]);
    expect(ids(await query({ agent: agent('nobody') }))).toEqual([]);
    expect(ids(await query({ verb: new TinCan.Verb({ id: VERBS.completed }) }))).toEqual([bobCompleted.id, anaCompleted.id]);
    expect(ids(await query({ verb: VERBS.attempted }))).toEqual([anaAttempted.id]);
    expect(ids(await query({ activity: ACTIVITIES.onboarding }))).toEqual([bobCompleted.id, anaAttempted.id]);
    expect(ids(await query({ agent: agent('bob'), verb: VERBS.completed, activity: new TinCan.Activity({ id: ACTIVITIES.onboarding }) }))).toEqual([
      bobCompleted.id,
    ]);
    const result = await query({ agent: agent('ana'), ascending: true });
    expect(ids(result)).toEqual([anaCompleted.id, anaAttempted.id]);
    expect(result.statements.every((s) => s instanceof TinCan.Statement)).toBe(true);
  });

  it('queryStatements filters by registration, related_agents, related_activities, since and until', async () => {
    const registration = randomUUID();
    const first = statement('ana', {
      extra: {
        context: {
          registration,
          instructor: { objectType: 'Agent', mbox: mbox('teacher') },
          contextActivities: { parent: [{ objectType: 'Activity', id: ACTIVITIES.onboarding }] },
        },
      },
    });
    await save(first);
    const stored = (await retrieve(first.id!)).stored!;
    await sleep(5);
    const second = statement('bob');
    await save(second);

    expect(ids(await query({ registration }))).toEqual([first.id]);
    expect(ids(await query({ agent: agent('teacher') }))).toEqual([]);
    expect(ids(await query({ agent: agent('teacher'), related_agents: true }))).toEqual([first.id]);
    expect(ids(await query({ activity: ACTIVITIES.onboarding }))).toEqual([]);
    expect(ids(await query({ activity: ACTIVITIES.onboarding, related_activities: true }))).toEqual([first.id]);
    expect(ids(await query({ since: stored }))).toEqual([second.id]);
    expect(ids(await query({ until: stored }))).toEqual([first.id]);
  });

  it('queryStatements with format=ids returns the actor by IFI only', async () => {
    const s = statement('ana');
    await save(s);
    const result = await query({ format: 'ids' });
    expect(ids(result)).toEqual([s.id]);
    const actor = result.statements[0]!.actor as TinCanNS.Agent;
    expect(actor.mbox).toBe(mbox('ana'));
    expect(actor.name).toBeNull();
  });
});

describe('TinCanJS: paging with more', () => {
  it('limit 2 over 5 statements: moreStatements follows more until it is empty; each id once, newest first', async () => {
    const batch = ['a1', 'a2', 'a3', 'a4', 'a5'].map((who) => statement(who));
    await saveAll(batch);
    const posted = batch.map((s) => s.id);

    const pages: TinCanNS.StatementsResult[] = [await query({ limit: 2 })];
    // a statement arriving mid-paging is not in the pinned result set
    const late = statement('late');
    await save(late);
    while (pages.at(-1)!.more) {
      expect(pages.length).toBeLessThan(10);
      expect(pages.at(-1)!.more).toMatch(/^\/xapi\/statements\?more=/);
      pages.push(await more(pages.at(-1)!.more!));
    }
    expect(pages.map((p) => p.statements.length)).toEqual([2, 2, 1]);
    const seen = pages.flatMap(ids);
    expect(seen).toEqual([...posted].reverse());
    expect(new Set(seen).size).toBe(5);
    expect(isNonIncreasing(pages.flatMap((p) => p.statements.map((s) => s.stored!)))).toBe(true);
    expect(seen).not.toContain(late.id);
  });

  it('ascending paging with a filter, one statement at a time, in stored order', async () => {
    const saved: string[] = [];
    for (const who of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      const s = statement(who, { verb: VERBS.experienced });
      await save(s);
      saved.push(s.id!);
      await save(statement(who)); // other verb: filtered out
    }
    let page = await query({ verb: VERBS.experienced, ascending: true, limit: 2 });
    const seen = ids(page);
    let requests = 1;
    while (page.more) {
      page = await more(page.more);
      seen.push(...ids(page));
      requests += 1;
    }
    expect(requests).toBe(3);
    expect(seen).toEqual(saved);
  });
});

describe('TinCanJS: voiding', () => {
  it('a voided statement is only retrievable by voidedStatementId; the voiding statement is found by the voided statement’s agent', async () => {
    const target = statement('vera');
    const kept = statement('vera', { verb: VERBS.attempted });
    await saveAll([target, kept]);

    const voiding = new TinCan.Statement({
      actor: { mbox: mbox('admin'), name: 'admin' },
      verb: { id: VERBS.voided, display: { 'en-US': 'voided' } },
      object: new TinCan.StatementRef({ objectType: 'StatementRef', id: target.id! }),
    });
    await save(voiding);

    await expectStatus(retrieve(target.id!), 404);
    const voided = await retrieveVoided(target.id!);
    expect(voided.id).toBe(target.id);
    expect((voided.actor as TinCanNS.Agent).mbox).toBe(mbox('vera'));
    expect(voided.verb?.id).toBe(VERBS.completed);

    const voidingBack = await retrieve(voiding.id!);
    expect(voidingBack.target).toBeInstanceOf(TinCan.StatementRef);
    expect((voidingBack.target as TinCanNS.StatementRef).id).toBe(target.id);
    await expectStatus(retrieveVoided(voiding.id!), 404);
    await expectStatus(retrieveVoided(kept.id!), 404);

    // queries never return the voided statement, but the voiding one matches its agent and activity
    expect(ids(await query({}))).toEqual([voiding.id, kept.id]);
    expect(ids(await query({ agent: agent('vera') }))).toEqual([voiding.id, kept.id]);
    expect(ids(await query({ agent: agent('admin') }))).toEqual([voiding.id]);
    expect(ids(await query({ activity: ACTIVITIES.safety }))).toEqual([voiding.id, kept.id]);
    expect(ids(await query({ verb: VERBS.voided }))).toEqual([voiding.id]);
    expect(ids(await query({ verb: VERBS.completed }))).toEqual([voiding.id]);
  });

  it('the TinCan facade’s voidStatement sends a voiding statement the LRS accepts', async () => {
    const target = statement('walt');
    await save(target);
    const tincan = new TinCan({ recordStores: [lrs] });
    const { results, voidingStatement } = await new Promise<{ results: TinCanNS.RecordStoreResult[]; voidingStatement: TinCanNS.Statement }>((resolve) =>
      tincan.voidStatement(target, (r, v) => resolve({ results: r, voidingStatement: v }), { actor: agent('admin') }),
    );
    expect(results.map((r) => r.err)).toEqual([null]);
    expect(voidingStatement.verb?.id).toBe(VERBS.voided);

    await expectStatus(retrieve(target.id!), 404);
    expect((await retrieveVoided(target.id!)).id).toBe(target.id);
    expect(ids(await query({ agent: agent('walt') }))).toEqual([voidingStatement.id]);
  });
});

describe('TinCanJS: attachments', () => {
  it('a statement with an attachment is sent as multipart/mixed and read back with attachments=true', async () => {
    const text = 'certificate of completion: ana, safety';
    const s = statement('ana', {
      extra: {
        attachments: [
          {
            usageType: 'http://id.tincanapi.com/attachment/certificate-of-completion',
            display: { 'en-US': 'Certificate' },
            contentType: 'text/plain',
            content: text,
          },
        ],
      },
    });
    const sha2 = s.attachments![0]!.sha2!;
    expect(sha2).toMatch(/^[0-9a-f]{64}$/);
    await save(s);

    const plain = await retrieve(s.id!);
    expect(plain.attachments).toHaveLength(1);
    expect(plain.attachments![0]!.sha2).toBe(sha2);
    expect(plain.attachments![0]!.length).toBe(Buffer.byteLength(text));
    expect(plain.attachments![0]!.content).toBeNull();

    const withBodies = await retrieve(s.id!, true);
    expect(withBodies.id).toBe(s.id);
    expect(withBodies.attachments![0]!.sha2).toBe(sha2);
    expect(withBodies.attachments![0]!.getContentAsString()).toBe(text);

    const page = await query({ attachments: true });
    expect(ids(page)).toEqual([s.id]);
    expect(page.statements[0]!.attachments![0]!.getContentAsString()).toBe(text);
  });
});
