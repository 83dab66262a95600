/**
 * Identity keys (ARCHITECTURE.md §6): the pure shaping that lets an xAPI actor find its member. An
 * employee is indexed under every key it can be found by; an actor yields the keys to look up,
 * in resolution order; the first key some employee holds decides. No I/O here: both storage
 * adapters store these strings as given, and the fold resolves with `IdentityStore.holders`.
 *
 * Key forms:
 * - `account:<employee id>` — an actor whose `account.homePage` is the HRIS home page
 *   (HRIS_ACCOUNT_HOMEPAGE) and whose `account.name` is the employee id;
 * - `email:<normalised address>` — `mbox`, and an employee's primary and secondary emails;
 * - `sha1:<hex>` — `mbox_sha1sum`, and the SHA-1 of the `mailto:` IRIs an employee's emails
 *   may have been hashed from (as given, lower-cased, normalised, and at each alias domain).
 */
import { createHash, createHmac } from 'node:crypto';
import type { Employee } from '../../src/storage/identity-port.js';

export interface IdentityConfig {
  /**
   * `account.homePage` of actors identified by their HRIS employee id (compared without
   * trailing slashes). Undefined: accounts never resolve (only emails do).
   */
  hrisAccountHomePage: string | undefined;
  /** Lower-case alias domain → lower-case canonical domain, e.g. `old.acme.example` → `acme.example`. */
  emailDomainAliases: ReadonlyMap<string, string>;
}

export const NO_IDENTITY_CONFIG: IdentityConfig = { hrisAccountHomePage: undefined, emailDomainAliases: new Map() };

export const identityKey = {
  account: (employeeId: string) => `account:${employeeId}`,
  email: (normalised: string) => `email:${normalised}`,
  sha1: (hex: string) => `sha1:${hex.toLowerCase()}`,
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');

function splitAddress(email: string): { local: string; domain: string } | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  return { local: email.slice(0, at), domain: email.slice(at + 1) };
}

/**
 * The comparable form of an email address: trimmed, lower-cased, `+alias` stripped from the
 * local part, the domain folded through the configured aliases. A string without a usable
 * `local@domain` shape is only trimmed and lower-cased.
 */
export function normalizeEmail(email: string, cfg: Pick<IdentityConfig, 'emailDomainAliases'>): string {
  const lower = email.trim().toLowerCase();
  const parts = splitAddress(lower);
  if (parts === null) return lower;
  const plus = parts.local.indexOf('+');
  // "+tag" only: a local part that starts with "+" has no base address to strip down to.
  const local = plus > 0 ? parts.local.slice(0, plus) : parts.local;
  const domain = cfg.emailDomainAliases.get(parts.domain) ?? parts.domain;
  return `${local}@${domain}`;
}

/** The address of a `mailto:` IRI (scheme case-insensitive, `?query` dropped, percent-decoded); null otherwise. */
export function mailtoAddress(mbox: string): string | null {
  if (!/^mailto:/i.test(mbox)) return null;
  let address = mbox.slice('mailto:'.length);
  const query = address.indexOf('?');
  if (query >= 0) address = address.slice(0, query);
  try {
    address = decodeURIComponent(address);
  } catch {
    // Not percent-encoded after all: keep it as sent.
  }
  return address === '' ? null : address;
}

/** Trailing slashes do not make another home page (`https://hris.acme.example/` = `https://hris.acme.example`). */
function sameHomePage(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** The keys of one email address of an employee: its normalised form, then the SHA-1s of its mailto IRIs. */
export function emailIdentityKeys(email: string, cfg: Pick<IdentityConfig, 'emailDomainAliases'>): string[] {
  const given = email.trim();
  const lower = given.toLowerCase();
  const normalised = normalizeEmail(given, cfg);
  const spellings = new Set([given, lower, normalised]);
  // A client may have hashed the address at an alias domain of the canonical one.
  const parts = splitAddress(normalised);
  if (parts !== null) {
    for (const [alias, canonical] of cfg.emailDomainAliases) {
      if (canonical === parts.domain) spellings.add(`${parts.local}@${alias}`);
    }
  }
  return unique([identityKey.email(normalised), ...[...spellings].map((s) => identityKey.sha1(sha1(`mailto:${s}`)))]);
}

/**
 * Every key an employee can be found by, in resolution order: the account key, then the keys
 * of the primary email, then those of each secondary email. No duplicates.
 */
export function employeeIdentityKeys(e: Pick<Employee, 'employeeId' | 'email' | 'secondaryEmails'>, cfg: IdentityConfig): string[] {
  const keys = [identityKey.account(e.employeeId), ...emailIdentityKeys(e.email, cfg)];
  for (const email of e.secondaryEmails) keys.push(...emailIdentityKeys(email, cfg));
  return unique(keys);
}

/**
 * The keys to look an xAPI actor up by, in resolution order (ARCHITECTURE.md §6): account (only at
 * the HRIS home page), mbox, mbox_sha1sum. A Group is not a person and yields none, nor does
 * an actor identified only by openid or an account elsewhere.
 */
export function actorIdentityKeys(actor: unknown, cfg: IdentityConfig): string[] {
  if (!isObject(actor) || actor.objectType === 'Group') return [];
  const keys: string[] = [];
  const account = actor.account;
  if (
    cfg.hrisAccountHomePage !== undefined &&
    isObject(account) &&
    typeof account.homePage === 'string' &&
    typeof account.name === 'string' &&
    account.name !== '' &&
    sameHomePage(account.homePage, cfg.hrisAccountHomePage)
  ) {
    keys.push(identityKey.account(account.name));
  }
  if (typeof actor.mbox === 'string') {
    const address = mailtoAddress(actor.mbox);
    if (address !== null) keys.push(identityKey.email(normalizeEmail(address, cfg)));
  }
  if (typeof actor.mbox_sha1sum === 'string' && /^[0-9a-fA-F]{40}$/.test(actor.mbox_sha1sum)) {
    keys.push(identityKey.sha1(actor.mbox_sha1sum));
  }
  return unique(keys);
}

/** Prefix of pseudonymous member ids, so they can never be mistaken for an HRIS employee id. */
export const PSEUDONYM_PREFIX = 'p_';
/** Hex digits kept of the HMAC: 128 bits, far from any collision among a company's workers. */
const PSEUDONYM_HEX_LENGTH = 32;

/**
 * The member id a contractor is published under (ARCHITECTURE.md §6): `p_` + the first 32 hex digits
 * of HMAC-SHA256(key, employee id). Stable for a key; not reversible without it.
 */
export function pseudonymousMemberId(employeeId: string, key: string | Uint8Array): string {
  const mac = createHmac('sha256', key).update(employeeId, 'utf8').digest('hex');
  return `${PSEUDONYM_PREFIX}${mac.slice(0, PSEUDONYM_HEX_LENGTH)}`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
