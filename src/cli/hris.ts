/**
 * `lrs hris import <file.csv> [--dry-run]`: applies an HRIS CSV export to the configured store
 * (the same rows, rules and report as POST /hris/v1/employees) and prints the JSON report.
 * Exit codes: 0 every row applied, 1 some rows rejected (or the file as a whole unusable: the
 * error is printed as JSON instead of a report), 2 usage error (arguments, unreadable file).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { monotonicClock } from '../clock.js';
import { HrisInputError, readCsvRows, validateRows } from '../../projections/hris/rows.js';
import { importEmployees } from '../../projections/hris/sync.js';
import { Tombstone } from '../../projections/erasure/tombstone.js';
import { identityConfig } from '../../projections/identity/settings.js';
import { parseOptions, printJson, processIo, usageError, type CliIo } from './io.js';
import { progress } from './progress.js';

export const HRIS_USAGE = `usage: lrs hris import <file.csv> [--dry-run]

  Applies an HRIS CSV export (header: employee_id, email, secondary_emails, given_name,
  family_name, department, manager_id, job_title, worker_type, status) to the store named by
  the environment (STORE, SQLITE_PATH, MONGODB_URL…), row by row, and prints a JSON report.
  --dry-run reports what would change without writing.
  Exit 0 all rows applied, 1 some rows rejected, 2 usage error.
`;

function usage(io: CliIo, message: string): number {
  return usageError(io, 'lrs hris', message, HRIS_USAGE);
}

export async function runHris(argv: string[], io: CliIo = processIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined) return usage(io, 'the subcommand is missing');
  if (subcommand === 'help' || subcommand === '--help' || subcommand === '-h') {
    io.stdout(HRIS_USAGE);
    return 0;
  }
  if (subcommand !== 'import') return usage(io, `unknown subcommand "${subcommand}"`);
  const args = parseOptions(rest, { 'dry-run': 'boolean' });
  if ('problem' in args) return usage(io, args.problem);
  const files = args.positionals;
  if (files.length !== 1) return usage(io, files.length === 0 ? 'the CSV file is missing' : 'give exactly one CSV file');
  const file = files[0] as string;
  const dryRun = args.values['dry-run'] === true;

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return usage(io, code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code ?? String(error)})`);
  }

  const config = loadConfig(io.env);
  let rows: ReturnType<typeof validateRows>;
  try {
    rows = validateRows(readCsvRows(text));
  } catch (error) {
    if (!(error instanceof HrisInputError)) throw error;
    printJson(io, { error: { code: 'invalid-hris-input', message: error.message, problems: error.problems } });
    return 1;
  }

  const store = await openStore(config);
  try {
    const shown = progress(io, 'rows applied', rows.valid.length);
    const report = await importEmployees(
      { identity: store.identity, config: identityConfig(config), now: monotonicClock(), erased: await Tombstone.open(store.erasures, identityConfig(config)) },
      rows,
      { dryRun, source: `cli:${basename(file)}`, onProgress: shown.update },
    );
    shown.done();
    printJson(io, report);
    return report.rejected.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
