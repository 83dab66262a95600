/** The attachment-store contract, run on every adapter. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AttachmentContent, Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';

function attachment(text: string, contentType = 'text/plain'): AttachmentContent {
  const body = new TextEncoder().encode(text);
  return { sha2: createHash('sha256').update(body).digest('hex'), contentType, body };
}

export function describeAttachmentStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: attachment store contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    it(`${name}: saves bodies byte-exact and finds them by hash`, async () => {
      const a = attachment('certificate');
      const binary: AttachmentContent = { ...attachment('x', 'application/octet-stream'), body: new Uint8Array([0, 255, 10, 13, 0]) };
      binary.sha2 = createHash('sha256').update(binary.body).digest('hex');
      await store.attachments.save([a, binary]);
      const found = await store.attachments.get([binary.sha2, a.sha2]);
      expect(found.map((f) => ({ ...f, body: [...f.body] })).sort((x, y) => x.sha2.localeCompare(y.sha2))).toEqual(
        [a, binary].map((f) => ({ ...f, body: [...f.body] })).sort((x, y) => x.sha2.localeCompare(y.sha2)),
      );
    });

    it(`${name}: stores one body per hash however often it is saved`, async () => {
      const a = attachment('same');
      await store.attachments.save([a]);
      await store.attachments.save([a, attachment('other')]);
      expect(await store.attachments.get([a.sha2])).toHaveLength(1);
    });

    it(`${name}: leaves out hashes it does not hold`, async () => {
      expect(await store.attachments.get([attachment('never saved').sha2])).toEqual([]);
      expect(await store.attachments.get([])).toEqual([]);
    });
  });
}
