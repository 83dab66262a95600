import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { identityConfig, resolvePseudonymKey } from './settings.js';
import { thrownBy } from '../../test/support/thrown.js';

const configError = (env: Record<string, string>) => thrownBy(ConfigError, () => loadConfig(env));

describe('identity configuration (HRIS_ACCOUNT_HOMEPAGE, EMAIL_DOMAIN_ALIASES, PSEUDONYM_KEY, HRIS_WEBHOOK_SECRET)', () => {
  it('defaults: no HRIS home page, no aliases, no pseudonym key (kept in the store), events disabled', () => {
    const config = loadConfig({});
    expect(config.hrisAccountHomePage).toBeUndefined();
    expect(config.emailDomainAliases).toEqual(new Map());
    expect(config.pseudonymKey).toBeUndefined();
    expect(config.hrisWebhookSecret).toBeUndefined();
  });

  it('parses the values', () => {
    const config = loadConfig({
      HRIS_ACCOUNT_HOMEPAGE: 'https://hris.acme.example',
      EMAIL_DOMAIN_ALIASES: ' Old.Acme.Example=acme.example , acme-corp.example=acme.example,',
      PSEUDONYM_KEY: 'p'.repeat(32),
      HRIS_WEBHOOK_SECRET: 's'.repeat(16),
    });
    expect(identityConfig(config)).toEqual({
      hrisAccountHomePage: 'https://hris.acme.example',
      emailDomainAliases: new Map([
        ['old.acme.example', 'acme.example'],
        ['acme-corp.example', 'acme.example'],
      ]),
    });
    expect(loadConfig({ HRIS_ACCOUNT_HOMEPAGE: 'urn:acme:hris' }).hrisAccountHomePage).toBe('urn:acme:hris');
  });

  it('names the variable of a bad value', () => {
    expect(configError({ HRIS_ACCOUNT_HOMEPAGE: 'hris.acme.example' }).variable).toBe('HRIS_ACCOUNT_HOMEPAGE');
    for (const bad of ['old.acme.example', 'old.acme.example=', 'a=b=c', 'x.example=x.example', 'a.example=b.example,a.example=c.example', 'a.example=b.example,b.example=c.example', 'not a domain=acme.example']) {
      expect(configError({ EMAIL_DOMAIN_ALIASES: bad }).variable, bad).toBe('EMAIL_DOMAIN_ALIASES');
    }
    expect(configError({ PSEUDONYM_KEY: 'short' }).message).toBe('PSEUDONYM_KEY: must be at least 16 characters long');
    expect(configError({ HRIS_WEBHOOK_SECRET: 'short' }).variable).toBe('HRIS_WEBHOOK_SECRET');
  });
});

describe('resolvePseudonymKey', () => {
  const memoryStore = () => {
    let kept: string | undefined;
    return { async pseudonymKey(generated: string) { kept ??= generated; return kept; } };
  };

  it('uses PSEUDONYM_KEY when set, without touching the store', async () => {
    const store = { pseudonymKey: async () => { throw new Error('not expected'); } };
    expect(await resolvePseudonymKey({ pseudonymKey: 'configured-key-0123' }, store)).toBe('configured-key-0123');
  });

  it('otherwise generates a random key once and keeps using the stored one', async () => {
    const store = memoryStore();
    const first = await resolvePseudonymKey({ pseudonymKey: undefined }, store);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await resolvePseudonymKey({ pseudonymKey: undefined }, store)).toBe(first);
  });
});
