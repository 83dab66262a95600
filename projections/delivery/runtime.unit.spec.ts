import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import type { Store } from '../../src/storage/port.js';
import { startDeliveryFromConfig } from './runtime.js';

describe('delivery configuration', () => {
  it('defaults: 8 attempts, 4 in flight, 10 s per request', () => {
    expect(loadConfig({}).delivery).toEqual({ maxAttempts: 8, concurrency: 4, timeoutMs: 10_000 });
    expect(loadConfig({ DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_CONCURRENCY: '16', DELIVERY_TIMEOUT_MS: '2500' }).delivery).toEqual({ maxAttempts: 3, concurrency: 16, timeoutMs: 2500 });
  });

  it('refuses bad values, naming the variable', () => {
    for (const [name, value] of [['DELIVERY_MAX_ATTEMPTS', '0'], ['DELIVERY_MAX_ATTEMPTS', 'many'], ['DELIVERY_CONCURRENCY', '0'], ['DELIVERY_TIMEOUT_MS', '10']] as const) {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
    }
    expect(() => loadConfig({ MARKETPLACE_URL: 'http://mp.example' })).toThrow(/MARKETPLACE_SECRET/);
  });

  it('push is off without MARKETPLACE_URL', () => {
    expect(startDeliveryFromConfig(loadConfig({}), {} as Store, createLogger('silent'))).toBeUndefined();
  });
});
