import { describe, expect, it } from 'vitest';
import { filterProfile, parseScopeList, readsOnlyOwnStatements, xapiScopesFor } from './scopes.js';
import { hashSecret, seal, unseal, verifySecret } from './secrets.js';

describe('scopes', () => {
  it('parses a scope list into known scopes and unknown words', () => {
    expect(parseScopeList(' statements/read  read:profile root statements/read ')).toEqual({ scopes: ['statements/read', 'read:profile'], unknown: ['root'] });
  });

  it('maps xAPI resources and methods to the scopes that allow them', () => {
    expect(xapiScopesFor('HEAD', '/statements')).toEqual(['statements/read', 'statements/read/mine', 'all/read']);
    expect(xapiScopesFor('PUT', '/statements')).toEqual(['statements/write']);
    expect(xapiScopesFor('DELETE', '/activities/state')).toEqual(['state']);
    expect(xapiScopesFor('POST', '/agents/profile')).toEqual(['profile']);
    expect(xapiScopesFor('GET', '/agents')).toEqual(['all/read', 'statements/read', 'define']);
  });

  it('read/mine restricts only when no wider read scope is held', () => {
    expect(readsOnlyOwnStatements(['statements/read/mine'])).toBe(true);
    expect(readsOnlyOwnStatements(['statements/read/mine', 'statements/read'])).toBe(false);
    expect(readsOnlyOwnStatements(['statements/read/mine', 'all/read'])).toBe(false);
    expect(readsOnlyOwnStatements(['all'])).toBe(false);
  });

  it('filters a profile to the sections the scopes allow', () => {
    const profile = { member_id: 'E1', email: 'e@x', status: 'active', version: 1, mapping_version: 'm@1', updated_at: 't', completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [] };
    expect(Object.keys(filterProfile(profile, ['read:scores']))).toEqual(['member_id', 'version', 'mapping_version', 'updated_at', 'scores']);
    expect(filterProfile(profile, ['all'])).toEqual(profile);
    expect(Object.keys(filterProfile(profile, ['read:profile']))).toEqual(['member_id', 'email', 'status', 'version', 'mapping_version', 'updated_at', 'enrollments', 'certificates', 'skills']);
  });
});

describe('secrets', () => {
  it('hashes with scrypt and verifies in constant time', async () => {
    const hash = await hashSecret('s3cret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifySecret('s3cret', hash)).toBe(true);
    expect(await verifySecret('s3cret!', hash)).toBe(false);
    expect(await verifySecret('s3cret', 'plain')).toBe(false);
    expect(await hashSecret('s3cret')).not.toBe(hash);
  });

  it('seals and unseals; a wrong secret or altered text fails', () => {
    const sealed = seal('{"d":"x"}', 'k'.repeat(16));
    expect(unseal(sealed, 'k'.repeat(16))).toBe('{"d":"x"}');
    expect(() => unseal(sealed, 'j'.repeat(16))).toThrow();
    expect(() => unseal(`${sealed.slice(0, -2)}AA`, 'k'.repeat(16))).toThrow();
  });
});
