/**
 * Builds the projector from configuration: the mapping files (a broken one stops start-up,
 * naming file, row and column), the identity rules and the pseudonym key.
 */
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logging.js';
import type { Store } from '../../src/storage/port.js';
import { monotonicClock } from '../../src/clock.js';
import { loadMapping } from '../mapping/index.js';
import { actorIdentityKeys, employeeIdentityKeys, pseudonymousMemberId, type IdentityConfig } from '../identity/keys.js';
import { identityConfig, resolvePseudonymKey } from '../identity/settings.js';
import { Projector, type IdentityRules } from './projector.js';
import { Tombstone } from '../erasure/tombstone.js';

export async function createProjector(config: Config, store: Store, logger: Logger): Promise<Projector> {
  const mapping = loadMapping(config.mappingsDir);
  const identity = identityConfig(config);
  const pseudonymKey = await resolvePseudonymKey(config, store.identity, logger);
  logger.info({ mapping: mapping.version }, 'projection mapping loaded');
  return new Projector({
    store,
    mapping,
    now: monotonicClock(),
    identity: identityRules(identity, pseudonymKey),
    tombstone: await Tombstone.open(store.erasures, identity),
  });
}

/** The identity rules of ARCHITECTURE.md §6: a contractor is published under a pseudonymous id, an employee under the employee id. */
export function identityRules(identity: IdentityConfig, pseudonymKey: string): IdentityRules {
  return {
    actorKeys: (actor) => actorIdentityKeys(actor, identity),
    employeeKeys: (employee) => employeeIdentityKeys(employee, identity),
    publishedId: (employee) => (employee.workerType === 'contractor' ? pseudonymousMemberId(employee.employeeId, pseudonymKey) : employee.employeeId),
  };
}
