/**
 * End-to-end: a multipart/mixed statement with an attachment that exceeds the LRS's body limit
 * (`maxBodyBytes`), sent by the real client libraries, is refused with a 413 JSON error and
 * stores nothing; a small one on the same server goes through (so the limit is the cause).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import XAPIModule from '@xapi/xapi';
import type { Statement } from '@xapi/xapi';
import type TinCanNS from 'tincanjs';
import { startTestServer, TEST_KEY, TEST_SECRET, type TestServer } from '../support/server.js';
import { ACTIVITIES, mbox, VERBS } from './support.js';
import { TinCan } from './clients.js';

const XAPI = XAPIModule.default;

const LIMIT = 4096;
const big = 'x'.repeat(2 * LIMIT);
const small = 'a small certificate';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ maxBodyBytes: LIMIT });
});
afterEach(async () => server.close());


describe('TinCanJS: oversized multipart statement', () => {
  const lrs = () => new TinCan.LRS({ endpoint: `${server.endpoint}/`, username: TEST_KEY, password: TEST_SECRET, allowFail: false, version: '1.0.2' });
  const withAttachment = (content: string) =>
    new TinCan.Statement({
      actor: { objectType: 'Agent', mbox: mbox('ana') },
      verb: { id: VERBS.completed },
      object: { objectType: 'Activity', id: ACTIVITIES.safety },
      attachments: [{ usageType: 'http://id.tincanapi.com/attachment/certificate-of-completion', display: { 'en-US': 'Certificate' }, contentType: 'text/plain', content }],
    });
  const save = (client: TinCanNS.LRS, s: TinCanNS.Statement) =>
    new Promise<{ err: TinCanNS.RequestError | null; xhr: TinCanNS.XHR | null }>((resolve) =>
      client.saveStatement(s, { callback: (err, xhr) => resolve({ err, xhr: xhr as TinCanNS.XHR | null }) }),
    );
  const query = (client: TinCanNS.LRS) =>
    new Promise<TinCanNS.StatementsResult>((resolve, reject) =>
      client.queryStatements({ params: {}, callback: (err, result) => (err === null ? resolve(result as TinCanNS.StatementsResult) : reject(new Error(String(err)))) }),
    );

  it('gets a 413 JSON error and nothing is stored; a small attachment on the same server is stored', async () => {
    const client = lrs();
    const oversized = withAttachment(big);
    const { err, xhr } = await save(client, oversized);
    expect(err).toBe(413);
    expect(xhr!.getResponseHeader('Content-Type')).toMatch(/^application\/json/);
    expect(JSON.parse(xhr!.responseText)).toMatchObject({ error: { status: 413, code: 'body-too-large' } });
    expect((await query(client)).statements).toEqual([]);

    const ok = withAttachment(small);
    const sent = await save(client, ok);
    expect(sent.err).toBeNull();
    expect((await query(client)).statements.map((s) => s.id)).toEqual([ok.id]);
  });
});

describe('@xapi/xapi (fetch adapter, the one that can send attachments): oversized multipart statement', () => {
  const bytesOf = (text: string) => new TextEncoder().encode(text);
  const statement = (content: Uint8Array): Statement => ({
    actor: { objectType: 'Agent', mbox: mbox('bob') },
    verb: { id: VERBS.completed },
    object: { objectType: 'Activity', id: ACTIVITIES.onboarding },
    attachments: [
      {
        usageType: XAPI.AttachmentUsages.CERTIFICATE_OF_COMPLETION,
        display: { 'en-US': 'Certificate' },
        contentType: 'text/plain',
        length: content.byteLength,
        sha2: createHash('sha256').update(content).digest('hex'),
      },
    ],
  });

  it('gets a 413 JSON error and nothing is stored; a small attachment on the same server is stored', async () => {
    const xapi = new XAPI({ endpoint: server.endpoint, auth: XAPI.toBasicAuth(TEST_KEY, TEST_SECRET), version: '1.0.3', adapter: 'fetch' });
    const content = bytesOf(big);
    const error = await xapi.sendStatement({ statement: statement(content), attachments: [content.buffer] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'the oversized statement should be refused').toBeInstanceOf(Error);
    // the fetch adapter throws the response body as the message
    expect(JSON.parse((error as Error).message)).toMatchObject({ error: { status: 413, code: 'body-too-large' } });
    expect((await xapi.getStatements({})).data.statements).toEqual([]);

    const smallContent = bytesOf(small);
    const { data: ids } = await xapi.sendStatement({ statement: statement(smallContent), attachments: [smallContent.buffer] });
    expect(ids).toHaveLength(1);
    expect((await xapi.getStatements({})).data.statements.map((s) => s.id)).toEqual(ids);
  });
});
