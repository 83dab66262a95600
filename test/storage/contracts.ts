/** Every storage contract (one per aggregate of src/storage/port.ts), to run on one backend at once. */
import type { Store } from '../../src/storage/port.js';
import { describeStatementStoreContract } from './statements.contract.js';
import { describeAttachmentStoreContract } from './attachments.contract.js';
import { describeDocumentStoreContract } from './documents.contract.js';
import { describeIdentityStoreContract } from './identity.contract.js';
import { describeProjectionStoreContract } from './projections.contract.js';
import { describeDeliveryStoreContract } from './delivery.contract.js';
import { describeAuthStoreContract } from './auth.contract.js';
import { describeOperationsStoreContract } from './operations.contract.js';
import { describeErasureContract } from './erasure.contract.js';

const CONTRACTS = [
  describeStatementStoreContract,
  describeAttachmentStoreContract,
  describeDocumentStoreContract,
  describeIdentityStoreContract,
  describeProjectionStoreContract,
  describeDeliveryStoreContract,
  describeAuthStoreContract,
  describeOperationsStoreContract,
  describeErasureContract,
];

export function describeStoreContracts(name: string, open: () => Promise<Store>): void {
  for (const describeContract of CONTRACTS) describeContract(name, open);
}
