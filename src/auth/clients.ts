/**
 * The client registry: registering a client (its secret is returned once, stored as an scrypt
 * hash), rotating its secret, listing clients. Used by `lrs clients …` (src/cli/clients.ts).
 */
import { randomBytes } from 'node:crypto';
import type { ClientRecord, ClientStore, OAuthStore } from '../storage/auth-port.js';
import { hashSecret, randomToken } from './secrets.js';
import { parseScopeList, type Scope } from './scopes.js';

export class ClientRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientRegistryError';
  }
}

export interface RegistryDeps {
  clients: ClientStore;
  oauth: OAuthStore;
  now: () => string;
}

/** What a client looks like outside the store: no secret hash. */
export type ClientView = Omit<ClientRecord, 'secretHash'>;

export const viewOf = ({ secretHash: _hash, ...client }: ClientRecord): ClientView => client;

const newSecret = () => randomToken(32, 'lrs_cs_');

export function parseClientScopes(text: string): Scope[] {
  const { scopes, unknown } = parseScopeList(text);
  if (unknown.length > 0) throw new ClientRegistryError(`unknown scope: ${unknown.join(' ')}`);
  if (scopes.length === 0) throw new ClientRegistryError('a client needs at least one scope');
  return scopes;
}

/** Registers a client; the secret is in the answer and nowhere else. */
export async function createClient(deps: RegistryDeps, input: { name: string; scopes: Scope[] }): Promise<{ client: ClientView; secret: string }> {
  const name = input.name.trim();
  if (name === '') throw new ClientRegistryError('a client needs a name');
  const secret = newSecret();
  const at = deps.now();
  const record: ClientRecord = { id: `c_${randomBytes(9).toString('base64url')}`, name, scopes: input.scopes, secretHash: await hashSecret(secret), createdAt: at, rotatedAt: null };
  if (!(await deps.clients.create(record))) throw new Error(`client id ${record.id} is taken; try again`);
  await deps.oauth.appendAudit({ at, event: 'client.created', clientId: record.id, familyId: null, details: { name, scopes: input.scopes } });
  return { client: viewOf(record), secret };
}

/** Gives a client a new secret (the old one stops working at once); null for an unknown client. */
export async function rotateClientSecret(deps: RegistryDeps, id: string): Promise<{ client: ClientView; secret: string } | null> {
  const secret = newSecret();
  const at = deps.now();
  if (!(await deps.clients.setSecret(id, await hashSecret(secret), at))) return null;
  await deps.oauth.appendAudit({ at, event: 'client.secret-rotated', clientId: id, familyId: null, details: {} });
  const client = await deps.clients.get(id);
  return client ? { client: viewOf(client), secret } : null;
}
