/**
 * The authorisation server's command line, on the store named by the environment:
 *   lrs clients create --name <name> --scopes "<scope> <scope>…"   prints the client and its secret (shown once)
 *   lrs clients rotate <client_id>                                  prints a new secret; the old one stops working
 *   lrs clients list                                                every client (no secrets)
 *   lrs keys rotate | list                                          access-token signing keys
 *   lrs oauth audit [--client <client_id>] [--limit N]              the audit log, newest first
 * Output is JSON on stdout. Exit 0 done, 1 not found, 2 usage error.
 */
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { monotonicClock } from '../clock.js';
import type { Store } from '../storage/port.js';
import { ClientRegistryError, createClient, parseClientScopes, rotateClientSecret, viewOf } from '../auth/clients.js';
import { SCOPES } from '../auth/scopes.js';
import { SigningKeys } from '../auth/oauth/keys.js';

export const CLIENTS_USAGE = `usage:
  lrs clients create --name <name> --scopes "<scope> …"
  lrs clients rotate <client_id>
  lrs clients list
  lrs keys rotate | list
  lrs oauth audit [--client <client_id>] [--limit N]

scopes: ${SCOPES.join(' ')}
The client secret is printed once, by create and rotate; only its hash is stored.
`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  get env() {
    return process.env;
  },
};

function usage(io: CliIo, command: string, message: string): number {
  io.stderr(`lrs ${command}: ${message}\n\n${CLIENTS_USAGE}`);
  return 2;
}

/** `--name value` pairs and positional arguments; null when an option lacks its value or is unknown. */
function parseArgs(args: string[], known: string[]): { options: Map<string, string>; positional: string[] } | string {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s);
    if (!name || !known.includes(name)) return `unknown option ${arg}`;
    const value = inline ?? args[++i];
    if (value === undefined) return `option --${name} needs a value`;
    options.set(name, value);
  }
  return { options, positional };
}

async function withStore<T>(io: CliIo, run: (store: Store, now: () => string) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(io.env));
  try {
    return await run(store, monotonicClock());
  } finally {
    await store.close();
  }
}

const json = (io: CliIo, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

export async function runClients(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, ['name', 'scopes']);
  if (typeof args === 'string') return usage(io, 'clients', args);
  switch (sub) {
    case 'create': {
      const name = args.options.get('name');
      const scopesText = args.options.get('scopes');
      if (name === undefined || scopesText === undefined || args.positional.length > 0) return usage(io, 'clients', 'create needs --name and --scopes');
      let scopes;
      try {
        scopes = parseClientScopes(scopesText);
      } catch (error) {
        if (error instanceof ClientRegistryError) return usage(io, 'clients', error.message);
        throw error;
      }
      return withStore(io, async (store, now) => {
        try {
          const { client, secret } = await createClient({ clients: store.clients, oauth: store.oauth, now }, { name, scopes });
          json(io, { client_id: client.id, client_secret: secret, name: client.name, scopes: client.scopes, created_at: client.createdAt });
          io.stderr('lrs clients: keep the client_secret now: it is not stored and cannot be shown again (rotate to get a new one).\n');
          return 0;
        } catch (error) {
          if (error instanceof ClientRegistryError) return usage(io, 'clients', error.message);
          throw error;
        }
      });
    }
    case 'rotate': {
      const [id, ...extra] = args.positional;
      if (id === undefined || extra.length > 0 || args.options.size > 0) return usage(io, 'clients', 'rotate needs exactly one client id');
      return withStore(io, async (store, now) => {
        const rotated = await rotateClientSecret({ clients: store.clients, oauth: store.oauth, now }, id);
        if (!rotated) {
          io.stderr(`lrs clients: no client ${id}\n`);
          return 1;
        }
        json(io, { client_id: rotated.client.id, client_secret: rotated.secret, rotated_at: rotated.client.rotatedAt });
        return 0;
      });
    }
    case 'list':
      if (args.positional.length > 0 || args.options.size > 0) return usage(io, 'clients', 'list takes no arguments');
      return withStore(io, async (store) => {
        json(io, (await store.clients.list()).map(viewOf).map((c) => ({ client_id: c.id, name: c.name, scopes: c.scopes, created_at: c.createdAt, rotated_at: c.rotatedAt })));
        return 0;
      });
    default:
      return usage(io, 'clients', sub === undefined ? 'the subcommand is missing' : `unknown subcommand "${sub}"`);
  }
}

export async function runKeys(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (rest.length > 0 || (sub !== 'rotate' && sub !== 'list')) return usage(io, 'keys', 'use: lrs keys rotate | list');
  const config = loadConfig(io.env);
  return withStore(io, async (store, now) => {
    const keys = new SigningKeys(store.oauth, now, config.oauth);
    if (sub === 'rotate') json(io, await keys.rotate());
    else json(io, await keys.describe());
    return 0;
  });
}

export async function runOAuth(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'audit') return usage(io, 'oauth', 'use: lrs oauth audit [--client <client_id>] [--limit N]');
  const args = parseArgs(rest, ['client', 'limit']);
  if (typeof args === 'string') return usage(io, 'oauth', args);
  const limit = args.options.get('limit') ?? '100';
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 10_000) return usage(io, 'oauth', '--limit must be a whole number from 1 to 10000');
  const clientId = args.options.get('client');
  return withStore(io, async (store) => {
    json(io, await store.oauth.audit({ ...(clientId === undefined ? {} : { clientId }), limit: Number(limit) }));
    return 0;
  });
}
