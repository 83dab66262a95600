/** The contract suites' fixture: every test of the enclosing describe gets a fresh, empty store, closed after it. */
import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../src/storage/port.js';

export function freshStoreEachTest(open: () => Promise<Store>, use: (store: Store) => void): void {
  let store: Store;
  beforeEach(async () => use((store = await open())));
  afterEach(async () => store.close());
}
