/** `lrs dlq list | redrive <id> | redrive-all` as a real child process on a SQLite file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/storage/port.js';
import { batch, member } from '../storage/projections.contract.js';
import { runLrs } from '../support/lrs-cli.js';


let dir: string;
let sqlitePath: string;
let store: Store;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-dlq-cli-'));
  sqlitePath = path.join(dir, 'lrs.db');
  store = openSqliteStore(sqlitePath);
  await store.projections.commit(batch({ members: [member('E1', { version: 2 }), member('E2'), member('E3')] }));
  for (const id of ['E1', 'E2']) {
    await store.delivery.claim(id, { token: id, now: 0, until: 1 });
    await store.delivery.markDead(id, id, { version: id === 'E1' ? 2 : 1, attempts: 8, lastError: 'HTTP 503', payloadSample: `{"member_id":"${id}"`, at: '2026-11-27T10:00:00.000Z' });
  }
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const lrs = (...args: string[]) => runLrs(['dlq', ...args], { SQLITE_PATH: sqlitePath, LOG_LEVEL: 'silent' });

describe('lrs dlq (child process)', () => {
  it('lists the entries, redrives one, then all', async () => {
    const list = await lrs('list');
    expect(list.code).toBe(0);
    const entries = (JSON.parse(list.stdout) as { entries: Record<string, unknown>[] }).entries;
    expect(entries).toEqual([
      { id: 'E1', member_id: 'E1', published_id: 'E1', version: 2, attempts: 8, last_error: 'HTTP 503', payload_sample: '{"member_id":"E1"', dead_lettered_at: '2026-11-27T10:00:00.000Z' },
      expect.objectContaining({ id: 'E2', version: 1 }),
    ]);
    expect(await lrs('redrive', 'E1')).toMatchObject({ code: 0, stdout: '{"redriven":1,"id":"E1"}\n' });
    expect(await lrs('redrive', 'E1')).toMatchObject({ code: 1 });
    expect((await store.delivery.due(Date.now(), 10)).sort()).toEqual(['E1', 'E3']);
    expect(await lrs('redrive-all')).toMatchObject({ code: 0, stdout: '{"redriven":1}\n' });
    expect(JSON.parse((await lrs('list')).stdout)).toEqual({ entries: [] });
    expect((await lrs('bogus')).code).toBe(2);
    expect((await lrs('redrive')).code).toBe(2);
  });
});
