/**
 * Identity settings from configuration: the rules of keys.ts, and the pseudonym key.
 *
 * PSEUDONYM_KEY unset: a random key is generated once and kept in the store
 * (`IdentityStore.pseudonymKey`, first writer wins), not in a file beside it, so every
 * process sharing the store (server, worker, CLI; SQLite or MongoDB) derives the same
 * pseudonymous member ids, and a restored backup keeps them. Setting PSEUDONYM_KEY later
 * changes every contractor's published member id.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logging.js';
import type { IdentityStore } from '../../src/storage/identity-port.js';
import type { IdentityConfig } from './keys.js';

export function identityConfig(config: Pick<Config, 'hrisAccountHomePage' | 'emailDomainAliases'>): IdentityConfig {
  return { hrisAccountHomePage: config.hrisAccountHomePage, emailDomainAliases: config.emailDomainAliases };
}

/** The HMAC key of pseudonymous member ids: PSEUDONYM_KEY, or the one kept in the store. */
export async function resolvePseudonymKey(
  config: Pick<Config, 'pseudonymKey'>,
  identity: Pick<IdentityStore, 'pseudonymKey'>,
  logger?: Pick<Logger, 'info'>,
): Promise<string> {
  if (config.pseudonymKey !== undefined) return config.pseudonymKey;
  const key = await identity.pseudonymKey(randomBytes(32).toString('base64url'));
  logger?.info('PSEUDONYM_KEY unset: contractors are published under ids keyed by the key generated once and kept in the store');
  return key;
}
