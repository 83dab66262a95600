import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  actorIdentityKeys,
  emailIdentityKeys,
  employeeIdentityKeys,
  identityKey,
  mailtoAddress,
  normalizeEmail,
  pseudonymousMemberId,
  type IdentityConfig,
} from './keys.js';

const cfg: IdentityConfig = {
  hrisAccountHomePage: 'https://hris.acme.example',
  emailDomainAliases: new Map([
    ['old.acme.example', 'acme.example'],
    ['acme-corp.example', 'acme.example'],
  ]),
};
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

const ana = { employeeId: 'E1001', email: 'Ana.Lopez@acme.example', secondaryEmails: ['ana@old.acme.example'] };

describe('normalizeEmail', () => {
  it('lower-cases, strips a +tag from the local part and folds alias domains', () => {
    expect(normalizeEmail('  Ana.Lopez+LMS@Old.Acme.Example ', cfg)).toBe('ana.lopez@acme.example');
    expect(normalizeEmail('ana@acme-corp.example', cfg)).toBe('ana@acme.example');
    expect(normalizeEmail('ana@other.example', cfg)).toBe('ana@other.example');
  });

  it('keeps what it cannot split: a leading +, no @, a subdomain that is not an alias', () => {
    expect(normalizeEmail('+tag@acme.example', cfg)).toBe('+tag@acme.example');
    expect(normalizeEmail('Not-An-Address', cfg)).toBe('not-an-address');
    expect(normalizeEmail('ana@x.old.acme.example', cfg)).toBe('ana@x.old.acme.example');
  });
});

describe('mailtoAddress', () => {
  it('takes the address of a mailto IRI: any scheme case, query dropped, percent-decoded', () => {
    expect(mailtoAddress('mailto:ana@acme.example')).toBe('ana@acme.example');
    expect(mailtoAddress('MAILTO:ana%2Blms@acme.example?subject=hi')).toBe('ana+lms@acme.example');
    expect(mailtoAddress('https://acme.example')).toBeNull();
    expect(mailtoAddress('mailto:')).toBeNull();
  });
});

describe('employeeIdentityKeys', () => {
  it('lists account, then the primary email keys, then the secondary ones, without repeats', () => {
    const keys = employeeIdentityKeys(ana, cfg);
    expect(keys[0]).toBe('account:E1001');
    expect(keys[1]).toBe('email:ana.lopez@acme.example');
    expect(keys).toContain('email:ana@acme.example');
    expect(keys.indexOf('email:ana@acme.example')).toBeGreaterThan(keys.indexOf(identityKey.sha1(sha1('mailto:ana.lopez@acme.example'))));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('hashes mailto: + the address as given, lower-cased, normalised and at each alias domain', () => {
    const keys = emailIdentityKeys('Ana.Lopez+x@acme.example', cfg);
    for (const spelling of [
      'Ana.Lopez+x@acme.example',
      'ana.lopez+x@acme.example',
      'ana.lopez@acme.example',
      'ana.lopez@old.acme.example',
      'ana.lopez@acme-corp.example',
    ]) {
      expect(keys).toContain(`sha1:${sha1(`mailto:${spelling}`)}`);
    }
    expect(keys).toHaveLength(6);
  });
});

describe('actorIdentityKeys', () => {
  const held = new Set(employeeIdentityKeys(ana, cfg));
  const resolves = (actor: unknown) => actorIdentityKeys(actor, cfg).some((k) => held.has(k));

  it('resolves an account at the HRIS home page (trailing slash or not) by employee id', () => {
    expect(actorIdentityKeys({ account: { homePage: 'https://hris.acme.example/', name: 'E1001' } }, cfg)).toEqual(['account:E1001']);
    expect(resolves({ objectType: 'Agent', account: { homePage: 'https://hris.acme.example', name: 'E1001' } })).toBe(true);
  });

  it('ignores accounts elsewhere, and every account when no HRIS home page is configured', () => {
    expect(actorIdentityKeys({ account: { homePage: 'https://lms.acme.example', name: 'E1001' } }, cfg)).toEqual([]);
    expect(actorIdentityKeys({ account: { homePage: 'https://hris.acme.example', name: 'E1001' } }, { ...cfg, hrisAccountHomePage: undefined })).toEqual([]);
  });

  it('resolves mbox after normalisation: case, +tag, alias domain, secondary emails', () => {
    expect(actorIdentityKeys({ mbox: 'mailto:ANA.LOPEZ+course@old.acme.example' }, cfg)).toEqual(['email:ana.lopez@acme.example']);
    expect(resolves({ mbox: 'mailto:ANA.LOPEZ+course@old.acme.example' })).toBe(true);
    expect(resolves({ mbox: 'mailto:ana+x@acme-corp.example' })).toBe(true); // the secondary, at another alias
    expect(resolves({ mbox: 'mailto:someone.else@acme.example' })).toBe(false);
  });

  it('resolves mbox_sha1sum made from any usual spelling of a known address (hex case-insensitive)', () => {
    expect(resolves({ mbox_sha1sum: sha1('mailto:Ana.Lopez@acme.example').toUpperCase() })).toBe(true);
    expect(resolves({ mbox_sha1sum: sha1('mailto:ana.lopez@acme.example') })).toBe(true);
    expect(resolves({ mbox_sha1sum: sha1('mailto:ana.lopez@old.acme.example') })).toBe(true);
    expect(resolves({ mbox_sha1sum: sha1('mailto:ana@old.acme.example') })).toBe(true);
    expect(resolves({ mbox_sha1sum: sha1('mailto:bob@acme.example') })).toBe(false);
    expect(actorIdentityKeys({ mbox_sha1sum: 'not-a-hash' }, cfg)).toEqual([]);
  });

  it('gives keys in resolution order: account, mbox, mbox_sha1sum', () => {
    const actor = { account: { homePage: 'https://hris.acme.example', name: 'E7' }, mbox: 'mailto:x@acme.example', mbox_sha1sum: 'a'.repeat(40) };
    expect(actorIdentityKeys(actor, cfg)).toEqual(['account:E7', 'email:x@acme.example', `sha1:${'a'.repeat(40)}`]);
  });

  it('yields nothing for a Group, an openid, or what is not an actor', () => {
    expect(actorIdentityKeys({ objectType: 'Group', mbox: 'mailto:ana.lopez@acme.example', member: [] }, cfg)).toEqual([]);
    expect(actorIdentityKeys({ openid: 'https://id.acme.example/ana' }, cfg)).toEqual([]);
    expect(actorIdentityKeys(null, cfg)).toEqual([]);
    expect(actorIdentityKeys('mailto:ana.lopez@acme.example', cfg)).toEqual([]);
  });
});

describe('pseudonymousMemberId', () => {
  it('is p_ + 32 hex digits of HMAC-SHA256(key, employee id): stable per key, different across keys and ids', () => {
    const id = pseudonymousMemberId('E2001', 'k'.repeat(32));
    expect(id).toMatch(/^p_[0-9a-f]{32}$/);
    expect(pseudonymousMemberId('E2001', 'k'.repeat(32))).toBe(id);
    expect(pseudonymousMemberId('E2001', 'j'.repeat(32))).not.toBe(id);
    expect(pseudonymousMemberId('E2002', 'k'.repeat(32))).not.toBe(id);
  });

  it('matches a known HMAC-SHA256 value', () => {
    // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") = f7bc83f4…
    expect(pseudonymousMemberId('The quick brown fox jumps over the lazy dog', 'key')).toBe('p_f7bc83f430538424b13298e6aa6fb143');
  });
});
