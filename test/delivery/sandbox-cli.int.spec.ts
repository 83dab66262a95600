/** `lrs sandbox-marketplace --port N` as a real child process: a signed push is stored and can be read back. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../projections/hris/signature.js';
import { MARKETPLACE_SECRET } from './support.js';
import { waitFor } from '../support/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('lrs sandbox-marketplace (child process)', () => {
  it('listens on --port, checks signatures with MARKETPLACE_SECRET, stores and shows profiles', async () => {
    const port = await freePort();
    let out = '';
    child = spawn(process.execPath, [path.join(ROOT, 'bin/lrs.js'), 'sandbox-marketplace', '--port', String(port)], { env: { ...process.env, MARKETPLACE_SECRET } });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the sandbox to listen', () => out.includes(`localhost:${port}`));
    const url = `http://127.0.0.1:${port}`;
    const body = JSON.stringify({ member_id: 'E1', version: 1 });
    const put = (secret: string) =>
      fetch(`${url}/profiles/E1`, { method: 'PUT', body, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'E1:1', 'X-Signature': signatureHeader(secret, body, Math.floor(Date.now() / 1000)) } });
    expect((await put('not-the-secret-at-all')).status).toBe(401);
    expect((await put(MARKETPLACE_SECRET)).status).toBe(200);
    expect(await (await fetch(`${url}/_held`)).json()).toEqual({ profiles: [{ member_id: 'E1', version: 1 }], deleted: [] });
    expect((await fetch(`${url}/profiles`)).status).toBe(401);
    const signed = await fetch(`${url}/profiles`, { headers: { 'X-Signature': signatureHeader(MARKETPLACE_SECRET, '', Math.floor(Date.now() / 1000)) } });
    expect(await signed.json()).toEqual({ profiles: [{ member_id: 'E1', version: 1 }], next_cursor: null });
    child.kill('SIGTERM');
    expect(await new Promise((r) => child!.once('exit', r))).toBe(0);
  });

  it('needs MARKETPLACE_SECRET (exit 78)', async () => {
    const env = { ...process.env };
    delete env.MARKETPLACE_SECRET;
    child = spawn(process.execPath, [path.join(ROOT, 'bin/lrs.js'), 'sandbox-marketplace'], { env });
    expect(await new Promise((r) => child!.once('exit', r))).toBe(78);
  });
});
