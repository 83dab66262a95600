/** `lrs worker` (the projection worker on its own, with marketplace push when configured) and `lrs rebuild [--member ID]`. */
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { createProjector } from '../../projections/worker/runtime.js';
import { startBackgroundWork } from './background.js';
import { limitHeapGrowth } from './heap.js';
import { parseOptions, printJson, processIo, refuseArguments, usageError, type CliIo } from './io.js';
import { progress } from './progress.js';

export const WORKER_USAGE = 'usage: lrs worker   (configuration from the environment, see README)\n';
export const REBUILD_USAGE = 'usage: lrs rebuild [--member <member_id>]\n';

export async function runWorker(argv: string[], io: CliIo = processIo): Promise<number> {
  const refused = refuseArguments(io, 'lrs worker', argv, WORKER_USAGE);
  if (refused !== undefined) return refused;
  limitHeapGrowth();
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  // Marketplace push, when MARKETPLACE_URL is set: the worker process delivers what it projects.
  const work = await startBackgroundWork(config, store, logger);
  logger.info({ store: store.kind }, 'projection worker running');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await work.stop();
  await store.close();
  return 0;
}

export async function runRebuild(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseOptions(argv, { member: 'string' });
  if ('problem' in args) return usageError(io, 'lrs rebuild', args.problem, REBUILD_USAGE);
  const memberId = args.values.member;
  if (memberId === '' || args.positionals.length > 0) return usageError(io, 'lrs rebuild', memberId === '' ? '--member needs a member id' : 'takes only --member <member_id>', REBUILD_USAGE);
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  try {
    const projector = await createProjector(config, store, logger);
    if (memberId !== undefined) {
      const found = await projector.rebuildMember(memberId);
      printJson(io, { member_id: memberId, rebuilt: found }, 'one-line');
      return found ? 0 : 1;
    }
    // The last seq is the log's length, close enough for a progress line (a failed write may leave a gap).
    const shown = progress(io, 'statements folded', await store.statements.maxSeq());
    const result = await projector.rebuildAll(undefined, shown.update);
    shown.done();
    printJson(io, { statements: result.statements, employees: result.employees, members_changed: result.membersChanged }, 'one-line');
    return 0;
  } finally {
    await store.close();
  }
}
