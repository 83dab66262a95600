/**
 * `lrs dlq list | redrive <member_id> | redrive-all | stats`: the marketplace dead-letter queue on
 * the configured store (the same entries as GET /admin/v1/dlq), and the delivery success rate.
 * Prints JSON; exit 0 done, 1 no such entry, 2 usage error. A redrive makes the member pending again; a running deliverer (`lrs
 * serve` or `lrs worker` with MARKETPLACE_URL) sends its newest version.
 */
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { deadLetterJson } from '../../projections/delivery/dlq-routes.js';
import { deliverySuccess } from '../../projections/delivery/success-rate.js';
import { parseOptions, printJson, processIo, usageError, wholeNumberIn, type CliIo } from './io.js';

export const DLQ_USAGE = `usage: lrs dlq list [--limit N] | lrs dlq redrive <member_id> | lrs dlq redrive-all | lrs dlq stats [--window HOURS]
`;

export async function runDlq(argv: string[], io: CliIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  const usage = (message: string) => usageError(io, 'lrs dlq', message, DLQ_USAGE);
  if (sub !== 'list' && sub !== 'redrive' && sub !== 'redrive-all' && sub !== 'stats') return usage(sub === undefined ? 'the subcommand is missing' : `unknown subcommand "${sub}"`);
  let limit = 1000;
  let windowHours = 24;
  let id: string | undefined;
  if (sub === 'stats') {
    const args = parseOptions(rest, { window: 'string' });
    if ('problem' in args) return usage(args.problem);
    const hours = wholeNumberIn(args.values.window ?? String(windowHours), 1, 8760);
    if (args.positionals.length > 0 || hours === undefined) return usage('stats takes only --window HOURS (1 to 8760)');
    windowHours = hours;
  } else if (sub === 'list') {
    const args = parseOptions(rest, { limit: 'string' });
    if ('problem' in args) return usage(args.problem);
    const n = wholeNumberIn(args.values.limit ?? String(limit), 1);
    if (args.positionals.length > 0 || n === undefined) return usage('list takes only --limit N');
    limit = n;
  } else {
    const args = parseOptions(rest, {});
    if ('problem' in args) return usage(args.problem);
    if (sub === 'redrive' && args.positionals.length !== 1) return usage('redrive takes one member id');
    if (sub === 'redrive-all' && args.positionals.length > 0) return usage('redrive-all takes no arguments');
    id = args.positionals[0];
  }
  const store = await openStore(loadConfig(io.env));
  try {
    if (sub === 'stats') {
      printJson(io, await deliverySuccess(store.delivery, windowHours, Date.now()));
      return 0;
    }
    if (sub === 'list') {
      const entries = await store.delivery.deadLetters({ limit });
      printJson(io, { entries: entries.map(deadLetterJson) });
      return 0;
    }
    if (sub === 'redrive') {
      const ok = await store.delivery.redrive(id as string);
      printJson(io, ok ? { redriven: 1, id } : { redriven: 0, id, error: 'no dead-letter entry' }, 'one-line');
      return ok ? 0 : 1;
    }
    printJson(io, { redriven: await store.delivery.redriveAll() }, 'one-line');
    return 0;
  } finally {
    await store.close();
  }
}
