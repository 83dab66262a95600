/**
 * End-to-end: the document resources (State, Activity Profile, Agent Profile; xAPI 1.0.3
 * Communication 2.3–2.7 and 3.1 concurrency) driven by the real client libraries, TinCanJS 0.50
 * (xAPI 1.0.2) and @xapi/xapi 3 (xAPI 1.0.3, with each of its HTTP adapters), against the real
 * LRS on loopback with a fresh SQLite file.
 *
 * What each library can express:
 * - TinCanJS sends `If-Match: <lastSHA1>` when given one; without it a *profile* save always
 *   sends `If-None-Match: *` (state sends no precondition). So it cannot send a bare profile PUT
 *   (the 409 case), nor `If-None-Match: *` for state, nor If-Match on a delete (except through raw
 *   requestHeaders). Those cases are covered with @xapi/xapi.
 * - @xapi/xapi cannot send a bare profile PUT through its typings (setActivityProfile /
 *   setAgentProfile require etag and matchHeader); the 409 test passes `etag: undefined` past the
 *   typings, which makes the library send no precondition header (see `barePut`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import XAPIModule from '@xapi/xapi';
import type { Agent } from '@xapi/xapi';
import type TinCanNS from 'tincanjs';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '../support/server.js';
import { ACTIVITIES, mbox } from './support.js';
import { TinCan, TinCanRequestError, call, failureStatus } from './clients.js';

const XAPI = XAPIModule.default;
type XAPIClient = InstanceType<typeof XAPI>;

/** The ETag the LRS must send for a body: the quoted SHA-1 of its bytes. */
const etagOf = (body: string | Uint8Array) => `"${createHash('sha1').update(body).digest('hex')}"`;
const STALE = etagOf('a version that never existed');

let server: TestServer;
afterEach(async () => server.close());

// ---------------------------------------------------------------------------------------------
// TinCanJS
// ---------------------------------------------------------------------------------------------



async function expectTinCanStatus(promise: Promise<unknown>, status: number, code?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should fail').toBeInstanceOf(TinCanRequestError);
  const failure = error as TinCanRequestError;
  expect(failure.status, failure.xhr?.responseText).toBe(status);
  if (code) expect((JSON.parse(failure.xhr!.responseText) as { error: { code: string } }).error.code).toBe(code);
}

describe('TinCanJS: document resources', () => {
  let lrs: TinCanNS.LRS;
  let tincan: TinCanNS;
  const activity = new TinCan.Activity({ id: ACTIVITIES.safety });
  const agent = new TinCan.Agent({ mbox: mbox('ana') });

  beforeEach(async () => {
    server = await startTestServer();
    lrs = new TinCan.LRS({ endpoint: `${server.endpoint}/`, username: TEST_KEY, password: TEST_SECRET, allowFail: false, version: '1.0.2' });
    tincan = new TinCan({ recordStores: [lrs] });
  });

  describe('state', () => {
    const ctx = () => ({ activity, agent });
    const saveState = (key: string, val: unknown, cfg: Partial<TinCanNS.SaveDocumentCfg> & { registration?: string } = {}) =>
      call<TinCanNS.XHR>((callback) => lrs.saveState(key, val, { ...ctx(), contentType: 'application/json', ...cfg, callback }));
    const retrieveState = (key: string, registration?: string) =>
      call<TinCanNS.State | null>((callback) => lrs.retrieveState(key, { ...ctx(), ...(registration ? { registration } : {}), callback }));
    const stateIds = (registration?: string) =>
      call<string[]>((callback) => lrs.retrieveStateIds({ ...ctx(), ...(registration ? { registration } : {}), callback }));

    it('saveState PUTs a JSON document; retrieveState returns it parsed with the quoted SHA-1 ETag of the bytes', async () => {
      const doc = { progress: 0.5, page: 3, bookmark: 'ch2' };
      const xhr = await saveState('progress', doc);
      expect(xhr.status).toBe(204);
      const got = await retrieveState('progress');
      expect(got).toBeInstanceOf(TinCan.State);
      expect(got!.id).toBe('progress');
      expect(got!.contents).toEqual(doc);
      expect(got!.contentType).toBe('application/json');
      // TinCanJS sends JSON.stringify(doc) and keeps the ETag header (it only hashes the body itself when there is none)
      expect(got!.etag).toBe(etagOf(JSON.stringify(doc)));
    });

    it('a text document is kept byte-exact with its Content-Type', async () => {
      const text = 'résumé: line 1\r\nline 2  ';
      await saveState('notes', text, { contentType: 'text/plain' });
      const got = await retrieveState('notes');
      expect(got!.contents).toBe(text);
      expect(got!.contentType).toBe('text/plain');
      expect(got!.etag).toBe(etagOf(Buffer.from(text, 'utf8')));
    });

    it('saveState with method POST merges top-level properties (and the facade setState with overwriteJSON: false too)', async () => {
      await saveState('merge', { x: 'foo', y: 'bar', o: { a: 1 } });
      expect((await saveState('merge', { x: 'bash', z: 'faz', o: { b: 2 } }, { method: 'POST' })).status).toBe(204);
      expect((await retrieveState('merge'))!.contents).toEqual({ x: 'bash', y: 'bar', z: 'faz', o: { b: 2 } });
      await call<TinCanNS.XHR>((callback) =>
        tincan.setState('merge', { w: true }, { ...ctx(), contentType: 'application/json', overwriteJSON: false, callback }),
      );
      const merged = await retrieveState('merge');
      expect(merged!.contents).toEqual({ x: 'bash', y: 'bar', z: 'faz', o: { b: 2 }, w: true });
      // the ETag follows the stored (merged) bytes, which are JSON of the merged object
      expect(merged!.etag).toMatch(/^"[0-9a-f]{40}"$/);
    });

    it('saveState with lastSHA1 = the current ETag replaces; a stale lastSHA1 is a 412 and changes nothing', async () => {
      await saveState('guarded', { v: 1 });
      const first = await retrieveState('guarded');
      expect((await saveState('guarded', { v: 2 }, { lastSHA1: first!.etag })).status).toBe(204);
      const second = await retrieveState('guarded');
      expect(second!.contents).toEqual({ v: 2 });
      expect(second!.etag).toBe(etagOf(JSON.stringify({ v: 2 })));
      await expectTinCanStatus(saveState('guarded', { v: 3 }, { lastSHA1: first!.etag }), 412);
      await expectTinCanStatus(saveState('guarded', { v: 3 }, { lastSHA1: first!.etag, method: 'POST' }), 412);
      expect((await retrieveState('guarded'))!.contents).toEqual({ v: 2 });
    });

    it('a state save needs no precondition in 1.0.x: a second plain saveState replaces', async () => {
      await saveState('plain', { v: 1 });
      expect((await saveState('plain', { v: 2 })).status).toBe(204);
      expect((await retrieveState('plain'))!.contents).toEqual({ v: 2 });
    });

    it('retrieveStateIds lists the ids of the context; a registration is a context of its own', async () => {
      const registration = randomUUID();
      await saveState('a', { n: 1 });
      await saveState('b', { n: 2 });
      await saveState('r', { n: 3 }, { registration });
      // without a registration, listing covers every registration of the Activity and Agent
      expect((await stateIds()).sort()).toEqual(['a', 'b', 'r']);
      expect(await stateIds(registration)).toEqual(['r']);
      expect((await retrieveState('r', registration))!.contents).toEqual({ n: 3 });
      expect(await retrieveState('r')).toBeNull();
    });

    it('the facade deleteState deletes one document; dropState(null) deletes the context', async () => {
      await saveState('a', { n: 1 });
      await saveState('b', { n: 2 });
      const xhr = await call<TinCanNS.XHR>((callback) => tincan.deleteState('a', { ...ctx(), callback }));
      expect(xhr.status).toBe(204);
      expect(await retrieveState('a')).toBeNull();
      expect(await stateIds()).toEqual(['b']);
      await call<TinCanNS.XHR>((callback) => lrs.dropState(null, { ...ctx(), callback }));
      expect(await stateIds()).toEqual([]);
    });

    it('dropState with a stale If-Match (raw requestHeaders: TinCanJS has no option for it) is a 412', async () => {
      await saveState('keep', { v: 1 });
      await expectTinCanStatus(
        call<TinCanNS.XHR>((callback) => lrs.dropState('keep', { ...ctx(), requestHeaders: { 'If-Match': STALE }, callback })),
        412,
      );
      expect((await retrieveState('keep'))!.contents).toEqual({ v: 1 });
    });
  });

  /** The two profile resources, through the same shape of TinCanJS calls. */
  interface TinCanProfiles {
    save(key: string, val: unknown, cfg?: Partial<TinCanNS.SaveDocumentCfg>): Promise<TinCanNS.XHR>;
    retrieve(key: string): Promise<TinCanNS.DocumentBase | null>;
    ids(since?: string): Promise<string[]>;
    remove(key: string): Promise<TinCanNS.XHR>;
    type: typeof TinCan.ActivityProfile | typeof TinCan.AgentProfile;
  }

  const profiles: [string, () => TinCanProfiles][] = [
    [
      'activity profile',
      () => ({
        save: (key, val, cfg = {}) =>
          call<TinCanNS.XHR>((callback) => lrs.saveActivityProfile(key, val, { activity, contentType: 'application/json', ...cfg, callback })),
        retrieve: (key) => call<TinCanNS.ActivityProfile | null>((callback) => lrs.retrieveActivityProfile(key, { activity, callback })),
        ids: (since) => call<string[]>((callback) => lrs.retrieveActivityProfileIds({ activity, ...(since ? { since } : {}), callback })),
        remove: (key) => call<TinCanNS.XHR>((callback) => tincan.deleteActivityProfile(key, { activity, callback })),
        type: TinCan.ActivityProfile,
      }),
    ],
    [
      'agent profile',
      () => ({
        save: (key, val, cfg = {}) =>
          call<TinCanNS.XHR>((callback) => lrs.saveAgentProfile(key, val, { agent, contentType: 'application/json', ...cfg, callback })),
        retrieve: (key) => call<TinCanNS.AgentProfile | null>((callback) => lrs.retrieveAgentProfile(key, { agent, callback })),
        ids: (since) => call<string[]>((callback) => lrs.retrieveAgentProfileIds({ agent, ...(since ? { since } : {}), callback })),
        remove: (key) => call<TinCanNS.XHR>((callback) => tincan.deleteAgentProfile(key, { agent, callback })),
        type: TinCan.AgentProfile,
      }),
    ],
  ];

  describe.each(profiles)('%s', (_name, make) => {
    let p: TinCanProfiles;
    beforeEach(() => {
      p = make();
    });

    it('a save without lastSHA1 (sent with If-None-Match: *) creates; the document reads back with the quoted SHA-1 ETag', async () => {
      const doc = { theme: 'dark', fontSize: 14 };
      expect((await p.save('prefs', doc)).status).toBe(204);
      const got = await p.retrieve('prefs');
      expect(got).toBeInstanceOf(p.type);
      expect(got!.id).toBe('prefs');
      expect(got!.contents).toEqual(doc);
      expect(got!.contentType).toBe('application/json');
      expect(got!.etag).toBe(etagOf(JSON.stringify(doc)));
    });

    it('a second save without lastSHA1 is refused with 412 (If-None-Match: * on an existing document)', async () => {
      await p.save('prefs', { v: 1 });
      await expectTinCanStatus(p.save('prefs', { v: 2 }), 412);
      expect((await p.retrieve('prefs'))!.contents).toEqual({ v: 1 });
    });

    it('save with lastSHA1 = the current ETag replaces; a stale lastSHA1 is a 412 and changes nothing', async () => {
      await p.save('prefs', { v: 1 });
      const first = await p.retrieve('prefs');
      expect((await p.save('prefs', { v: 2 }, { lastSHA1: first!.etag })).status).toBe(204);
      const second = await p.retrieve('prefs');
      expect(second!.contents).toEqual({ v: 2 });
      expect(second!.etag).toBe(etagOf(JSON.stringify({ v: 2 })));
      expect(second!.etag).not.toBe(first!.etag);
      await expectTinCanStatus(p.save('prefs', { v: 3 }, { lastSHA1: first!.etag }), 412, undefined);
      expect((await p.retrieve('prefs'))!.contents).toEqual({ v: 2 });
    });

    it('save with method POST and the current lastSHA1 merges JSON; a stale one is a 412', async () => {
      await p.save('prefs', { x: 'foo', y: 'bar' });
      const first = await p.retrieve('prefs');
      expect((await p.save('prefs', { x: 'bash', z: 'faz' }, { method: 'POST', lastSHA1: first!.etag })).status).toBe(204);
      const merged = await p.retrieve('prefs');
      expect(merged!.contents).toEqual({ x: 'bash', y: 'bar', z: 'faz' });
      await expectTinCanStatus(p.save('prefs', { q: 1 }, { method: 'POST', lastSHA1: first!.etag }), 412);
      // without lastSHA1 TinCanJS sends If-None-Match: *, so a merge into an existing document is refused too
      await expectTinCanStatus(p.save('prefs', { q: 1 }, { method: 'POST' }), 412);
      expect((await p.retrieve('prefs'))!.contents).toEqual({ x: 'bash', y: 'bar', z: 'faz' });
    });

    it('lists profile ids (with since) and deletes', async () => {
      const before = new Date(Date.now() - 60_000).toISOString();
      await p.save('one', { n: 1 });
      await p.save('two', { n: 2 });
      expect((await p.ids()).sort()).toEqual(['one', 'two']);
      expect((await p.ids(before)).sort()).toEqual(['one', 'two']);
      expect(await p.ids(new Date(Date.now() + 60_000).toISOString())).toEqual([]);
      expect((await p.remove('one')).status).toBe(204);
      expect(await p.retrieve('one')).toBeNull();
      expect(await p.ids()).toEqual(['two']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// @xapi/xapi
// ---------------------------------------------------------------------------------------------


/** The LRS's JSON error body of a failed call. */
function failureBody(error: unknown): { error: { status: number; code: string; message: string } } | undefined {
  const response = (error as { response?: { data?: unknown } }).response;
  if (response?.data !== undefined) return response.data as { error: { status: number; code: string; message: string } };
  try {
    return JSON.parse((error as Error).message) as { error: { status: number; code: string; message: string } };
  } catch {
    return undefined;
  }
}

async function expectXapiFailure(promise: Promise<unknown>, status: number): Promise<{ error: { status: number; code: string; message: string } } | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should fail').toBeDefined();
  expect(failureStatus(error), String(error)).toBe(status);
  return failureBody(error);
}

const etagHeader = (headers: Record<string, unknown>) => String(headers['etag']);

describe.each(['axios', 'fetch'] as const)('@xapi/xapi (%s adapter): document resources', (adapter) => {
  let xapi: XAPIClient;
  const activityId = ACTIVITIES.onboarding;
  const agent: Agent = { objectType: 'Agent', mbox: mbox('bob') };

  beforeEach(async () => {
    server = await startTestServer();
    xapi = new XAPI({ endpoint: server.endpoint, auth: XAPI.toBasicAuth(TEST_KEY, TEST_SECRET), version: '1.0.3', adapter });
  });

  describe('state', () => {
    const ctx = { activityId, agent };

    it('createState POSTs a new document; getState returns it with the quoted SHA-1 ETag; a second createState merges', async () => {
      const doc = { x: 'foo', y: 'bar', o: { a: 1 } };
      expect((await xapi.createState({ ...ctx, stateId: 's', state: doc })).status).toBe(204);
      const got = await xapi.getState({ ...ctx, stateId: 's' });
      expect(got.status).toBe(200);
      expect(got.data).toEqual(doc);
      expect(String(got.headers['content-type'])).toBe('application/json');
      expect(etagHeader(got.headers)).toBe(etagOf(JSON.stringify(doc)));

      expect((await xapi.createState({ ...ctx, stateId: 's', state: { x: 'bash', z: 'faz', o: { b: 2 } } })).status).toBe(204);
      expect((await xapi.getState({ ...ctx, stateId: 's' })).data).toEqual({ x: 'bash', y: 'bar', z: 'faz', o: { b: 2 } });
    });

    it('setState with a text Content-Type stores the bytes as sent', async () => {
      const text = 'plain text, not JSON: {';
      expect((await xapi.setState({ ...ctx, stateId: 'txt', state: text, contentType: 'text/plain' })).status).toBe(204);
      const got = await xapi.getState({ ...ctx, stateId: 'txt' });
      expect(got.data).toBe(text);
      expect(String(got.headers['content-type'])).toBe('text/plain');
      expect(etagHeader(got.headers)).toBe(etagOf(text));
    });

    it('setState: If-None-Match * creates only; If-Match with the current ETag replaces; a stale one is a 412', async () => {
      expect((await xapi.setState({ ...ctx, stateId: 'g', state: { v: 1 }, etag: '*', matchHeader: 'If-None-Match' })).status).toBe(204);
      await expectXapiFailure(xapi.setState({ ...ctx, stateId: 'g', state: { v: 9 }, etag: '*', matchHeader: 'If-None-Match' }), 412);
      const first = etagHeader((await xapi.getState({ ...ctx, stateId: 'g' })).headers);
      expect(first).toBe(etagOf(JSON.stringify({ v: 1 })));

      expect((await xapi.setState({ ...ctx, stateId: 'g', state: { v: 2 }, etag: first, matchHeader: 'If-Match' })).status).toBe(204);
      const body = await expectXapiFailure(xapi.setState({ ...ctx, stateId: 'g', state: { v: 3 }, etag: first, matchHeader: 'If-Match' }), 412);
      expect(body?.error.status).toBe(412);
      // POST honours If-Match too
      await expectXapiFailure(xapi.createState({ ...ctx, stateId: 'g', state: { w: 1 }, etag: first, matchHeader: 'If-Match' }), 412);
      const got = await xapi.getState({ ...ctx, stateId: 'g' });
      expect(got.data).toEqual({ v: 2 });
      expect(etagHeader(got.headers)).toBe(etagOf(JSON.stringify({ v: 2 })));
    });

    it('a state PUT without a precondition replaces in 1.0.3', async () => {
      await xapi.setState({ ...ctx, stateId: 'p', state: { v: 1 } });
      expect((await xapi.setState({ ...ctx, stateId: 'p', state: { v: 2 } })).status).toBe(204);
      expect((await xapi.getState({ ...ctx, stateId: 'p' })).data).toEqual({ v: 2 });
    });

    it('getStates lists ids (per registration and since); deleteState honours If-Match; deleteStates clears the context', async () => {
      const registration = randomUUID();
      await xapi.setState({ ...ctx, stateId: 'a', state: { n: 1 } });
      await xapi.setState({ ...ctx, stateId: 'b', state: { n: 2 } });
      await xapi.setState({ ...ctx, stateId: 'r', state: { n: 3 }, registration });
      expect((await xapi.getStates(ctx)).data.sort()).toEqual(['a', 'b', 'r']);
      expect((await xapi.getStates({ ...ctx, registration })).data).toEqual(['r']);
      expect((await xapi.getStates({ ...ctx, since: new Date(Date.now() + 60_000).toISOString() })).data).toEqual([]);

      await expectXapiFailure(xapi.deleteState({ ...ctx, stateId: 'a', etag: STALE }), 412);
      expect((await xapi.getState({ ...ctx, stateId: 'a' })).data).toEqual({ n: 1 });
      const current = etagHeader((await xapi.getState({ ...ctx, stateId: 'a' })).headers);
      expect((await xapi.deleteState({ ...ctx, stateId: 'a', etag: current })).status).toBe(204);
      await expectXapiFailure(xapi.getState({ ...ctx, stateId: 'a' }), 404);
      expect((await xapi.deleteState({ ...ctx, stateId: 'b' })).status).toBe(204);
      expect((await xapi.getStates(ctx)).data).toEqual(['r']);
      expect((await xapi.deleteStates({ ...ctx, registration })).status).toBe(204);
      expect((await xapi.getStates(ctx)).data).toEqual([]);
    });
  });

  /** The two profile resources through the same shape of @xapi/xapi calls. */
  interface XapiProfiles {
    create(id: string, doc: Record<string, unknown>, pre?: { etag: string; matchHeader: 'If-Match' | 'If-None-Match' }): Promise<{ status: number }>;
    set(id: string, doc: unknown, pre: { etag: string; matchHeader: 'If-Match' | 'If-None-Match' }, contentType?: string): Promise<{ status: number }>;
    /** A PUT with no precondition header: the typings require one, so etag/matchHeader are left undefined past them. */
    barePut(id: string, doc: unknown): Promise<{ status: number }>;
    get(id: string): Promise<{ data: unknown; headers: Record<string, unknown> }>;
    list(since?: string): Promise<string[]>;
    remove(id: string, etag?: string): Promise<{ status: number }>;
  }

  const noPrecondition = { etag: undefined, matchHeader: undefined } as unknown as { etag: string; matchHeader: 'If-Match' };

  const profiles: [string, () => XapiProfiles][] = [
    [
      'activity profile',
      () => ({
        create: (profileId, profile, pre) => xapi.createActivityProfile({ activityId, profileId, profile, ...pre }),
        set: (profileId, profile, pre, contentType) => xapi.setActivityProfile({ activityId, profileId, profile, ...pre, ...(contentType ? { contentType } : {}) }),
        barePut: (profileId, profile) => xapi.setActivityProfile({ activityId, profileId, profile, ...noPrecondition }),
        get: (profileId) => xapi.getActivityProfile({ activityId, profileId }),
        list: async (since) => (await xapi.getActivityProfiles({ activityId, ...(since ? { since } : {}) })).data,
        remove: (profileId, etag) => xapi.deleteActivityProfile({ activityId, profileId, ...(etag ? { etag } : {}) }),
      }),
    ],
    [
      'agent profile',
      () => ({
        create: (profileId, profile, pre) => xapi.createAgentProfile({ agent, profileId, profile, ...pre }),
        set: (profileId, profile, pre, contentType) => xapi.setAgentProfile({ agent, profileId, profile, ...pre, ...(contentType ? { contentType } : {}) }),
        barePut: (profileId, profile) => xapi.setAgentProfile({ agent, profileId, profile, ...noPrecondition }),
        get: (profileId) => xapi.getAgentProfile({ agent, profileId }),
        list: async (since) => (await xapi.getAgentProfiles({ agent, ...(since ? { since } : {}) })).data,
        remove: (profileId, etag) => xapi.deleteAgentProfile({ agent, profileId, ...(etag ? { etag } : {}) }),
      }),
    ],
  ];

  describe.each(profiles)('%s', (_name, make) => {
    let p: XapiProfiles;
    beforeEach(() => {
      p = make();
    });

    it('set with If-None-Match * creates; get returns the document and the quoted SHA-1 ETag; a second If-None-Match * is a 412', async () => {
      const doc = { theme: 'dark', fontSize: 14 };
      expect((await p.set('prefs', doc, { etag: '*', matchHeader: 'If-None-Match' })).status).toBe(204);
      const got = await p.get('prefs');
      expect(got.data).toEqual(doc);
      expect(String(got.headers['content-type'])).toBe('application/json');
      expect(etagHeader(got.headers)).toBe(etagOf(JSON.stringify(doc)));
      await expectXapiFailure(p.set('prefs', { theme: 'light' }, { etag: '*', matchHeader: 'If-None-Match' }), 412);
      expect((await p.get('prefs')).data).toEqual(doc);
    });

    it('set with If-Match = the current ETag replaces; a stale ETag is a 412 and changes nothing', async () => {
      await p.set('prefs', { v: 1 }, { etag: '*', matchHeader: 'If-None-Match' });
      const first = etagHeader((await p.get('prefs')).headers);
      expect((await p.set('prefs', { v: 2 }, { etag: first, matchHeader: 'If-Match' })).status).toBe(204);
      const second = await p.get('prefs');
      expect(second.data).toEqual({ v: 2 });
      expect(etagHeader(second.headers)).toBe(etagOf(JSON.stringify({ v: 2 })));
      const body = await expectXapiFailure(p.set('prefs', { v: 3 }, { etag: first, matchHeader: 'If-Match' }), 412);
      expect(body?.error.status).toBe(412);
      expect((await p.get('prefs')).data).toEqual({ v: 2 });
    });

    it('a text profile is stored byte-exact with its Content-Type', async () => {
      const text = 'not json }';
      await p.set('txt', text, { etag: '*', matchHeader: 'If-None-Match' }, 'text/plain');
      const got = await p.get('txt');
      expect(got.data).toBe(text);
      expect(String(got.headers['content-type'])).toBe('text/plain');
      expect(etagHeader(got.headers)).toBe(etagOf(text));
    });

    it('a PUT without If-Match/If-None-Match is a 409 on an existing document (400 on a missing one) and changes nothing', async () => {
      const missing = await expectXapiFailure(p.barePut('bare', { v: 0 }), 400);
      expect(missing?.error.status).toBe(400);
      await expectXapiFailure(p.get('bare'), 404);
      await p.create('bare', { v: 1 });
      const conflict = await expectXapiFailure(p.barePut('bare', { v: 2 }), 409);
      expect(conflict?.error.message).toMatch(/If-Match/);
      expect((await p.get('bare')).data).toEqual({ v: 1 });
    });

    it('create POSTs and merges JSON; with a stale If-Match it is a 412; with the current one it merges', async () => {
      expect((await p.create('m', { x: 'foo', y: 'bar' })).status).toBe(204);
      expect((await p.get('m')).data).toEqual({ x: 'foo', y: 'bar' });
      expect((await p.create('m', { x: 'bash', z: 'faz' })).status).toBe(204);
      const merged = await p.get('m');
      expect(merged.data).toEqual({ x: 'bash', y: 'bar', z: 'faz' });
      await expectXapiFailure(p.create('m', { q: 1 }, { etag: STALE, matchHeader: 'If-Match' }), 412);
      await expectXapiFailure(p.create('m', { q: 1 }, { etag: '*', matchHeader: 'If-None-Match' }), 412);
      expect((await p.create('m', { q: 1 }, { etag: etagHeader(merged.headers), matchHeader: 'If-Match' })).status).toBe(204);
      expect((await p.get('m')).data).toEqual({ x: 'bash', y: 'bar', z: 'faz', q: 1 });
    });

    it('lists profile ids (with since); delete honours If-Match and removes the document', async () => {
      await p.create('one', { n: 1 });
      await p.create('two', { n: 2 });
      expect((await p.list()).sort()).toEqual(['one', 'two']);
      expect((await p.list(new Date(Date.now() - 60_000).toISOString())).sort()).toEqual(['one', 'two']);
      expect(await p.list(new Date(Date.now() + 60_000).toISOString())).toEqual([]);

      await expectXapiFailure(p.remove('one', STALE), 412);
      expect((await p.get('one')).data).toEqual({ n: 1 });
      const current = etagHeader((await p.get('one')).headers);
      expect((await p.remove('one', current)).status).toBe(204);
      await expectXapiFailure(p.get('one'), 404);
      expect((await p.remove('two')).status).toBe(204);
      expect(await p.list()).toEqual([]);
    });
  });
});
