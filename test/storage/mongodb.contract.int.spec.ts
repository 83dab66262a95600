/** Every storage contract on a real MongoDB server, when MONGODB_URL is set; each test gets its own database. */
import { describe, it } from 'vitest';
import { describeStoreContracts } from './contracts.js';
import { MONGODB_URL, NEEDS_MONGODB, REAL_MONGODB, openTempMongoStore } from './backends.js';

const url = MONGODB_URL;
if (url) {
  describeStoreContracts(REAL_MONGODB, () => openTempMongoStore(url));
} else {
  describe.skip(`storage contracts: ${REAL_MONGODB} — ${NEEDS_MONGODB}`, () => {
    it(NEEDS_MONGODB, () => {});
  });
}
