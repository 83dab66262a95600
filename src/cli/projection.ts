/** `lrs worker` (the projection worker on its own, with marketplace push when configured) and `lrs rebuild [--member ID]`. */
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { createProjector } from '../../projections/worker/runtime.js';
import { startBackgroundWork } from './background.js';
import { limitHeapGrowth } from './heap.js';

export async function runWorker(): Promise<number> {
  limitHeapGrowth();
  const config = loadConfig();
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

export async function runRebuild(args: string[]): Promise<number> {
  const [flag, memberId, ...rest] = args;
  if ((flag !== undefined && flag !== '--member') || (flag === '--member' && !memberId) || rest.length > 0) {
    process.stderr.write('usage: lrs rebuild [--member <member_id>]\n');
    return 2;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  try {
    const projector = await createProjector(config, store, logger);
    if (memberId !== undefined) {
      const found = await projector.rebuildMember(memberId);
      process.stdout.write(`${JSON.stringify({ member_id: memberId, rebuilt: found })}\n`);
      return found ? 0 : 1;
    }
    const result = await projector.rebuildAll();
    process.stdout.write(`${JSON.stringify({ statements: result.statements, employees: result.employees, members_changed: result.membersChanged })}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
