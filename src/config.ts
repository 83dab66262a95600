/**
 * Configuration from the environment (ARCHITECTURE.md §4), validated once at start-up:
 * a bad value stops the process with a message naming the variable.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

export type StoreKind = 'sqlite' | 'mongodb';
const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'mongodb'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  store: StoreKind;
  sqlitePath: string;
  mongodbUrl: string | undefined;
  mongodbDb: string;
  apiKey: string | undefined;
  apiSecret: string | undefined;
  marketplaceUrl: string | undefined;
  marketplaceSecret: string | undefined;
  /** Marketplace push (projections/delivery/): attempts before the dead-letter queue, members in flight, per-request timeout. */
  delivery: { maxAttempts: number; concurrency: number; timeoutMs: number };
  /** The OAuth2 authorisation server (src/auth/oauth/): access-token issuer and lifetimes, key rotation age, key sealing secret. */
  oauth: { issuer: string; accessTokenTtlSeconds: number; refreshTokenTtlSeconds: number; keyMaxAgeSeconds: number; keySecret: string | undefined };
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
  /** Largest number of statements returned by one GET page. */
  maxPageSize: number;
  /** `account.homePage` of actors identified by HRIS employee id; undefined: actors never resolve by account. */
  hrisAccountHomePage: string | undefined;
  /** Lower-case alias domain → canonical domain, folded when emails are compared. */
  emailDomainAliases: ReadonlyMap<string, string>;
  /** HMAC key of contractors' pseudonymous member ids; undefined: one is generated once and kept in the store. */
  pseudonymKey: string | undefined;
  /** HMAC key of signed HRIS change events; undefined: POST /hris/v1/events answers 503. */
  hrisWebhookSecret: string | undefined;
  /** xAPI version stated to requests that name none (their 400, and GET /about); lrs/version.ts. */
  xapiDefaultVersion: XapiDefaultVersion;
  /** The directory of the mapping files (absolute); undefined: the project's own mappings/. */
  mappingsDir: string | undefined;
  /** Scheduled reconciliation (projections/reconcile/): seconds between runs (undefined: none), and whether a run repairs. */
  reconcile: { intervalSeconds: number | undefined; fix: boolean };
}

const XAPI_DEFAULT_VERSIONS = ['2.0.0', '1.0.3'] as const;
export type XapiDefaultVersion = (typeof XAPI_DEFAULT_VERSIONS)[number];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function absoluteIri(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env, name)?.trim();
  if (raw === undefined) return undefined;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute IRI such as https://hris.acme.example or urn:acme:hris, got "${raw}"`);
  }
  if (/\s/.test(raw)) throw new ConfigError(name, `must not contain whitespace, got "${raw}"`);
  return raw;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `alias=canonical,alias2=canonical` → a map of lower-case domains; no chains, no alias twice. */
function domainAliases(env: Env, name: string): ReadonlyMap<string, string> {
  const aliases = new Map<string, string>();
  const raw = nonEmpty(env, name);
  if (raw === undefined) return aliases;
  for (const pair of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [alias, canonical, ...rest] = pair.split('=').map((d) => d.trim().toLowerCase());
    if (alias === undefined || canonical === undefined || rest.length > 0 || !DOMAIN.test(alias) || !DOMAIN.test(canonical)) {
      throw new ConfigError(name, `each entry must be alias-domain=canonical-domain (e.g. old.acme.example=acme.example), got "${pair}"`);
    }
    if (alias === canonical) throw new ConfigError(name, `"${pair}" maps a domain to itself`);
    if (aliases.has(alias)) throw new ConfigError(name, `the alias domain ${alias} is listed twice`);
    aliases.set(alias, canonical);
  }
  for (const [alias, canonical] of aliases) {
    if (aliases.has(canonical)) throw new ConfigError(name, `${alias} maps to ${canonical}, which is itself an alias: map it to the final domain`);
  }
  return aliases;
}

/** An HMAC key: unset, or long enough not to be guessed. */
function hmacKey(env: Env, name: string, minLength = 16): string | undefined {
  const value = nonEmpty(env, name);
  if (value !== undefined && value.length < minLength) throw new ConfigError(name, `must be at least ${minLength} characters long`);
  return value;
}

/**
 * `MAPPINGS_DIR`, resolved against `cwd`: an existing directory, or undefined when unset (the
 * project's own mappings/ is used then). Exported for `lrs mapping validate`, which needs no
 * other setting.
 */
export function mappingsDirSetting(env: Env, cwd: string = process.cwd()): string | undefined {
  const raw = nonEmpty(env, 'MAPPINGS_DIR');
  if (raw === undefined) return undefined;
  const dir = path.resolve(cwd, raw);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new ConfigError('MAPPINGS_DIR', `must be an existing directory, got "${raw}"`);
  return dir;
}

/** The settings of `lrs sandbox-marketplace`, the stand-in marketplace, which needs none of the LRS's. */
export interface SandboxConfig {
  /** MARKETPLACE_SECRET: the HMAC key the sandbox checks push signatures with. */
  secret: string;
}

export function loadSandboxConfig(env: Env = process.env): SandboxConfig {
  const secret = nonEmpty(env, 'MARKETPLACE_SECRET')?.trim();
  if (secret === undefined) throw new ConfigError('MARKETPLACE_SECRET', 'is required: it is the key the sandbox checks signatures with');
  return { secret };
}

export function loadConfig(env: Env = process.env): Config {
  const store = oneOf(env, 'STORE', STORE_KINDS, 'sqlite');
  const mongodbUrl = nonEmpty(env, 'MONGODB_URL');
  if (store === 'mongodb' && mongodbUrl === undefined) {
    throw new ConfigError('MONGODB_URL', 'is required when STORE=mongodb');
  }
  if (mongodbUrl !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUrl)) {
    throw new ConfigError('MONGODB_URL', 'must start with mongodb:// or mongodb+srv://');
  }
  const apiKey = nonEmpty(env, 'LRS_API_KEY');
  const apiSecret = nonEmpty(env, 'LRS_API_SECRET');
  if ((apiKey === undefined) !== (apiSecret === undefined)) {
    throw new ConfigError(apiKey === undefined ? 'LRS_API_KEY' : 'LRS_API_SECRET', 'LRS_API_KEY and LRS_API_SECRET must be set together');
  }
  if (apiKey !== undefined && apiKey.includes(':')) {
    throw new ConfigError('LRS_API_KEY', 'must not contain ":" (it is the Basic-auth user name)');
  }
  const marketplaceUrl = httpUrl(env, 'MARKETPLACE_URL');
  const marketplaceSecret = nonEmpty(env, 'MARKETPLACE_SECRET');
  if (marketplaceUrl !== undefined && marketplaceSecret === undefined) {
    throw new ConfigError('MARKETPLACE_SECRET', 'is required when MARKETPLACE_URL is set');
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    store,
    sqlitePath: path.resolve(nonEmpty(env, 'SQLITE_PATH') ?? './data/lrs.db'),
    mongodbUrl,
    mongodbDb: nonEmpty(env, 'MONGODB_DB') ?? 'lrs',
    apiKey,
    apiSecret,
    marketplaceUrl,
    marketplaceSecret,
    delivery: {
      maxAttempts: integer(env, 'DELIVERY_MAX_ATTEMPTS', 8, 1, 100),
      concurrency: integer(env, 'DELIVERY_CONCURRENCY', 4, 1, 64),
      timeoutMs: integer(env, 'DELIVERY_TIMEOUT_MS', 10_000, 100, 300_000),
    },
    oauth: {
      issuer: nonEmpty(env, 'OAUTH_ISSUER')?.trim() ?? 'urn:lrs',
      accessTokenTtlSeconds: integer(env, 'OAUTH_ACCESS_TOKEN_TTL', 900, 60, 86_400),
      refreshTokenTtlSeconds: integer(env, 'OAUTH_REFRESH_TOKEN_TTL', 14 * 86_400, 300, 365 * 86_400),
      keyMaxAgeSeconds: integer(env, 'OAUTH_KEY_MAX_AGE', 30 * 86_400, 3600, 365 * 86_400),
      keySecret: hmacKey(env, 'OAUTH_KEY_SECRET'),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 500, 1, 10_000),
    hrisAccountHomePage: absoluteIri(env, 'HRIS_ACCOUNT_HOMEPAGE'),
    emailDomainAliases: domainAliases(env, 'EMAIL_DOMAIN_ALIASES'),
    pseudonymKey: hmacKey(env, 'PSEUDONYM_KEY'),
    hrisWebhookSecret: hmacKey(env, 'HRIS_WEBHOOK_SECRET'),
    xapiDefaultVersion: oneOf(env, 'XAPI_DEFAULT_VERSION', XAPI_DEFAULT_VERSIONS, '2.0.0'),
    mappingsDir: mappingsDirSetting(env),
    reconcile: {
      intervalSeconds: nonEmpty(env, 'RECONCILE_INTERVAL_S') === undefined ? undefined : integer(env, 'RECONCILE_INTERVAL_S', 0, 1, 30 * 86_400),
      fix: oneOf(env, 'RECONCILE_FIX', ['true', 'false'], 'true') === 'true',
    },
  };
}
