/**
 * `lrs reconcile [--fix] [--max-drift PCT] [--wait SECONDS]`: one reconciliation run against the
 * configured marketplace (projections/reconcile/), its JSON report on stdout. Exit 0 when the
 * final drift is at most --max-drift (default 1.0), 1 above, 2 on a usage error, 3 when the
 * marketplace could not be read, 4 when another run holds the lease. With --fix the command
 * runs a deliverer of its own while it awaits the repairs (beside any other: the outbox's leases
 * keep them apart), for at most --wait seconds (default 60).
 */
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { startDeliverer } from '../../projections/delivery/deliverer.js';
import { reconcile } from '../../projections/reconcile/reconcile.js';
import { marketplaceAccess } from '../../projections/reconcile/runtime.js';
import { parseOptions, printJson, processIo, usageError, type CliIo } from './io.js';
import { progress } from './progress.js';

export const RECONCILE_USAGE = 'usage: lrs reconcile [--fix] [--max-drift PCT] [--wait SECONDS]   (MARKETPLACE_URL and MARKETPLACE_SECRET: the marketplace to compare with)\n';

export const RECONCILE_BUSY = 4;
export const MARKETPLACE_UNREADABLE = 3;

const NUMBER = /^\d+(\.\d+)?$/;

export async function runReconcile(argv: string[], io: CliIo = processIo): Promise<number> {
  const usage = (problem: string) => usageError(io, 'lrs reconcile', problem, RECONCILE_USAGE);
  const args = parseOptions(argv, { fix: 'boolean', 'max-drift': 'string', wait: 'string' });
  if ('problem' in args) return usage(args.problem);
  if (args.positionals.length > 0) return usage('takes no positional arguments');
  const maxDriftText = args.values['max-drift'] ?? '1.0';
  if (!NUMBER.test(maxDriftText) || Number(maxDriftText) > 100) return usage('--max-drift must be a percentage from 0 to 100');
  const waitText = args.values.wait ?? '60';
  if (!NUMBER.test(waitText) || Number(waitText) > 86_400) return usage('--wait must be a number of seconds up to 86400');
  const config = loadConfig(io.env);
  const marketplace = marketplaceAccess(config);
  if (marketplace === undefined) return usage('MARKETPLACE_URL is not set: there is no marketplace to reconcile with');
  const fix = args.values.fix === true;

  const logger = createLogger(config.logLevel, 'stderr');
  const store = await openStore(config);
  const deliverer = fix ? startDeliverer(store.delivery, logger, { url: marketplace.url, secret: marketplace.secret, ...config.delivery }) : undefined;
  const shown = progress(io, 'members compared');
  try {
    const result = await reconcile({ store, marketplace, logger }, { fix, trigger: 'cli', fixTimeoutMs: Number(waitText) * 1000, onProgress: shown.update });
    shown.done();
    if (result.kind === 'busy') {
      printJson(io, { error: { code: 'reconcile-running', message: 'another reconciliation holds the lease of this store; try again when it has finished' } }, 'one-line');
      return RECONCILE_BUSY;
    }
    printJson(io, result.report);
    if (result.kind === 'unreadable') return MARKETPLACE_UNREADABLE;
    const final = result.report.drift_pct_after ?? result.report.drift_pct;
    return final <= Number(maxDriftText) ? 0 : 1;
  } finally {
    await deliverer?.stop();
    await store.close();
  }
}
