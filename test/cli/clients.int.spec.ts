/** `lrs clients …`, `lrs keys …`, `lrs oauth audit` on a real SQLite file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runClients, runKeys, runOAuth } from '../../src/cli/clients.js';
import type { CliIo } from '../../src/cli/io.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { verifySecret } from '../../src/auth/secrets.js';

let dir: string;
let out: string[];
let err: string[];
let io: CliIo;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-clients-cli-'));
  out = [];
  err = [];
  io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { SQLITE_PATH: path.join(dir, 'lrs.db'), LOG_LEVEL: 'silent' } };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const lastJson = <T>() => JSON.parse(out.pop() as string) as T;

describe('lrs clients', () => {
  it('creates a client showing its secret once, lists without secrets, rotates', async () => {
    expect(await runClients(['create', '--name', 'Talent marketplace', '--scopes', 'read:profile write:badge'], io)).toBe(0);
    const created = lastJson<{ client_id: string; client_secret: string; scopes: string[] }>();
    expect(created.scopes).toEqual(['read:profile', 'write:badge']);
    expect(err.join('')).toMatch(/cannot be shown again/);

    expect(await runClients(['list'], io)).toBe(0);
    const listed = lastJson<Record<string, unknown>[]>();
    expect(listed).toEqual([expect.objectContaining({ client_id: created.client_id, name: 'Talent marketplace' })]);
    expect(JSON.stringify(listed)).not.toContain(created.client_secret);

    expect(await runClients(['rotate', created.client_id], io)).toBe(0);
    const rotated = lastJson<{ client_secret: string }>();
    const store = openSqliteStore(path.join(dir, 'lrs.db'));
    const hash = (await store.clients.get(created.client_id))?.secretHash as string;
    expect(await verifySecret(rotated.client_secret, hash)).toBe(true);
    expect(await verifySecret(created.client_secret, hash)).toBe(false);
    await store.close();

    expect(await runClients(['rotate', 'c_nobody'], io)).toBe(1);
    expect(await runOAuth(['audit'], io)).toBe(0);
    expect(lastJson<{ event: string }[]>().map((e) => e.event)).toEqual(['client.secret-rotated', 'client.created']);
  });

  it('refuses unknown scopes and missing options with exit 2', async () => {
    expect(await runClients(['create', '--name', 'x', '--scopes', 'root'], io)).toBe(2);
    expect(err.join('')).toMatch(/unknown scope: root/);
    expect(await runClients(['create', '--name', 'x'], io)).toBe(2);
    expect(await runClients(['frobnicate'], io)).toBe(2);
  });
});

describe('lrs keys', () => {
  it('rotates: the new key signs, the old one is retired but still verifies', async () => {
    expect(await runKeys(['rotate'], io)).toBe(0);
    const first = lastJson<{ kid: string }>();
    expect(await runKeys(['rotate'], io)).toBe(0);
    expect(lastJson<{ retired: string[] }>().retired).toEqual([first.kid]);
    expect(await runKeys(['list'], io)).toBe(0);
    const keys = lastJson<{ kid: string; retiredAt: string | null; verifies: boolean }[]>();
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.verifies)).toBe(true);
    expect(JSON.stringify(keys)).not.toMatch(/"d"/);
  });
});
