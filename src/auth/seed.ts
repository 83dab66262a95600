/**
 * The credential seeded at start. With LRS_API_KEY / LRS_API_SECRET unset on the embedded
 * store, a random credential is generated once and kept beside the database (mode 0600), so
 * `npm start` gives a usable LRS without publishing a default password. Its path is logged,
 * never the secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';

export interface SeedCredential {
  key: string;
  secret: string;
}

export function seedCredential(config: Config, logger: Logger): SeedCredential | null {
  if (config.apiKey !== undefined && config.apiSecret !== undefined) return { key: config.apiKey, secret: config.apiSecret };
  if (config.store !== 'sqlite') {
    logger.warn('LRS_API_KEY / LRS_API_SECRET unset: no credential exists and every xAPI request will get 401');
    return null;
  }
  const file = path.join(path.dirname(config.sqlitePath), 'credentials.json');
  if (!fs.existsSync(file)) {
    const generated: SeedCredential = { key: randomBytes(8).toString('hex'), secret: randomBytes(24).toString('base64url') };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  }
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as SeedCredential;
  logger.warn({ file }, 'LRS_API_KEY / LRS_API_SECRET unset: using the generated Basic-auth credential in this file');
  return stored;
}
