/** `lrs erase <member_id> [--dry-run]`: erases a person from the LRS, its profiles and (by DELETE) the marketplace. */
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { Refusal } from '../refusal.js';
import { createProjector } from '../../projections/worker/runtime.js';
import { erasureDeps } from '../../projections/erasure/runtime.js';
import { planErasure, requestErasure, runErasure } from '../../projections/erasure/erase.js';
import { erasureView } from '../../projections/erasure/routes.js';
import { parseOptions, printJson, processIo, usageError, type CliIo } from './io.js';

export const ERASE_USAGE = `usage: lrs erase <member_id> [--dry-run]
  Removes the HRIS employee's statements (and those referring to them), their documents and
  attachments, identity keys, profile and delivery state, and sends the marketplace a DELETE.
  Prints the erasure as JSON; with a marketplace, its DELETE is awaited by the background work
  of lrs serve / lrs worker (status awaiting-marketplace until then). --dry-run removes nothing.
`;

export async function runErase(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseOptions(argv, { 'dry-run': 'boolean' });
  if ('problem' in args) return usageError(io, 'lrs erase', args.problem, ERASE_USAGE);
  const [memberId, ...extra] = args.positionals;
  if (memberId === undefined || memberId.trim() === '' || extra.length > 0) return usageError(io, 'lrs erase', 'takes one member id', ERASE_USAGE);
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  try {
    const projector = await createProjector(config, store, logger);
    const deps = { ...(await erasureDeps(config, store, projector)), ...(io.stderrIsTerminal ? { onProgress: (step: string) => io.stderr(`erasing: ${step}\n`) } : {}) };
    if (args.values['dry-run']) {
      printJson(io, { dry_run: true, ...(await planErasure(deps, memberId)) });
      return 0;
    }
    const { record } = await requestErasure(deps, memberId, 'cli');
    printJson(io, erasureView(await runErasure(deps, record)));
    return 0;
  } catch (error) {
    if (error instanceof Refusal && error.kind === 'not-found') {
      io.stderr(`lrs erase: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}
