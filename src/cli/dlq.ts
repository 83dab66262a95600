/**
 * `lrs dlq list | redrive <member_id> | redrive-all`: the marketplace dead-letter queue on the
 * configured store (the same entries as GET /admin/v1/dlq). Prints JSON; exit 0 done, 1 no such
 * entry, 2 usage error. A redrive makes the member pending again; a running deliverer (`lrs
 * serve` or `lrs worker` with MARKETPLACE_URL) sends its newest version.
 */
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { deadLetterJson } from '../../projections/delivery/dlq-routes.js';

export const DLQ_USAGE = `usage: lrs dlq list [--limit N] | lrs dlq redrive <member_id> | lrs dlq redrive-all
`;

export async function runDlq(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const usage = (message: string) => {
    process.stderr.write(`lrs dlq: ${message}\n\n${DLQ_USAGE}`);
    return 2;
  };
  let limit = 1000;
  if (sub === 'list') {
    if (rest.length > 0 && !(rest.length === 2 && rest[0] === '--limit' && /^\d+$/.test(rest[1] ?? '') && Number(rest[1]) >= 1)) return usage('list takes only --limit N');
    if (rest.length === 2) limit = Number(rest[1]);
  } else if (sub === 'redrive') {
    if (rest.length !== 1) return usage('redrive takes one member id');
  } else if (sub === 'redrive-all') {
    if (rest.length > 0) return usage('redrive-all takes no arguments');
  } else {
    return usage(sub === undefined ? 'the subcommand is missing' : `unknown subcommand "${sub}"`);
  }
  const store = await openStore(loadConfig());
  try {
    if (sub === 'list') {
      const entries = await store.delivery.deadLetters({ limit });
      process.stdout.write(`${JSON.stringify({ entries: entries.map(deadLetterJson) }, null, 2)}\n`);
      return 0;
    }
    if (sub === 'redrive') {
      const id = rest[0] as string;
      const ok = await store.delivery.redrive(id);
      process.stdout.write(`${JSON.stringify(ok ? { redriven: 1, id } : { redriven: 0, id, error: 'no dead-letter entry' })}\n`);
      return ok ? 0 : 1;
    }
    process.stdout.write(`${JSON.stringify({ redriven: await store.delivery.redriveAll() })}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
