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
import { parseOptions, printJson, processIo, usageError, wholeNumberIn, type CliIo } from './io.js';

export const CLIENTS_USAGE = `usage:
  lrs clients create --name <name> --scopes "<scope> …"
  lrs clients rotate <client_id>
  lrs clients list
  lrs keys rotate | list
  lrs oauth audit [--client <client_id>] [--limit N]

scopes: ${SCOPES.join(' ')}
The client secret is printed once, by create and rotate; only its hash is stored.
`;

function usage(io: CliIo, command: string, message: string): number {
  return usageError(io, `lrs ${command}`, message, CLIENTS_USAGE);
}

async function withStore<T>(io: CliIo, run: (store: Store, now: () => string) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(io.env));
  try {
    return await run(store, monotonicClock());
  } finally {
    await store.close();
  }
}

export async function runClients(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseOptions(rest, { name: 'string', scopes: 'string' });
  if ('problem' in args) return usage(io, 'clients', args.problem);
  switch (sub) {
    case 'create': {
      const name = args.values.name;
      const scopesText = args.values.scopes;
      if (name === undefined || scopesText === undefined || args.positionals.length > 0) return usage(io, 'clients', 'create needs --name and --scopes');
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
          printJson(io, { client_id: client.id, client_secret: secret, name: client.name, scopes: client.scopes, created_at: client.createdAt });
          io.stderr('lrs clients: keep the client_secret now: it is not stored and cannot be shown again (rotate to get a new one).\n');
          return 0;
        } catch (error) {
          if (error instanceof ClientRegistryError) return usage(io, 'clients', error.message);
          throw error;
        }
      });
    }
    case 'rotate': {
      const [id, ...extra] = args.positionals;
      if (id === undefined || extra.length > 0 || Object.keys(args.values).length > 0) return usage(io, 'clients', 'rotate needs exactly one client id');
      return withStore(io, async (store, now) => {
        const rotated = await rotateClientSecret({ clients: store.clients, oauth: store.oauth, now }, id);
        if (!rotated) {
          io.stderr(`lrs clients: no client ${id}\n`);
          return 1;
        }
        printJson(io, { client_id: rotated.client.id, client_secret: rotated.secret, rotated_at: rotated.client.rotatedAt });
        return 0;
      });
    }
    case 'list':
      if (args.positionals.length > 0 || Object.keys(args.values).length > 0) return usage(io, 'clients', 'list takes no arguments');
      return withStore(io, async (store) => {
        printJson(io, (await store.clients.list()).map(viewOf).map((c) => ({ client_id: c.id, name: c.name, scopes: c.scopes, created_at: c.createdAt, rotated_at: c.rotatedAt })));
        return 0;
      });
    default:
      return usage(io, 'clients', sub === undefined ? 'the subcommand is missing' : `unknown subcommand "${sub}"`);
  }
}

export async function runKeys(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseOptions(rest, {});
  if ('problem' in args) return usage(io, 'keys', args.problem);
  if (args.positionals.length > 0 || (sub !== 'rotate' && sub !== 'list')) return usage(io, 'keys', 'use: lrs keys rotate | list');
  const config = loadConfig(io.env);
  return withStore(io, async (store, now) => {
    const keys = new SigningKeys(store.oauth, now, config.oauth);
    if (sub === 'rotate') printJson(io, await keys.rotate());
    else printJson(io, await keys.describe());
    return 0;
  });
}

export async function runOAuth(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'audit') return usage(io, 'oauth', 'use: lrs oauth audit [--client <client_id>] [--limit N]');
  const args = parseOptions(rest, { client: 'string', limit: 'string' });
  if ('problem' in args) return usage(io, 'oauth', args.problem);
  const limit = wholeNumberIn(args.values.limit ?? '100', 1, 10_000);
  if (limit === undefined) return usage(io, 'oauth', '--limit must be a whole number from 1 to 10000');
  const clientId = args.values.client;
  return withStore(io, async (store) => {
    printJson(io, await store.oauth.audit({ ...(clientId === undefined ? {} : { clientId }), limit }));
    return 0;
  });
}
