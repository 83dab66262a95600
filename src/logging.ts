/** pino logger. Log lines never carry secrets or personal data: no headers, no query strings, no bodies. */
import { destination, pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** `stream` 'stderr' for the commands whose stdout is their JSON result. */
export function createLogger(level: LogLevel, stream: 'stdout' | 'stderr' = 'stdout'): Logger {
  const options = {
    level,
    base: { service: 'lrs' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'authorization', 'secret', '*.secret'], censor: '[redacted]' },
  };
  return stream === 'stdout' ? pino(options) : pino(options, destination(2));
}
