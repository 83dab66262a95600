/**
 * `lrs replay [--mapping DIR] [--member ID]`: folds the stored statements again with the mapping
 * files of DIR (default: the configured ones) and prints, per member and field, how the result
 * differs from the stored profiles (projections/replay/). Writes and pushes nothing. Exit 0, 1
 * when --member has no profile, 2 on a usage error; a broken mapping stops it with 78, naming
 * file, row and column.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { replay } from '../../projections/replay/replay.js';
import { parseOptions, printJson, processIo, usageError, type CliIo } from './io.js';
import { progress } from './progress.js';

export const REPLAY_USAGE = 'usage: lrs replay [--mapping DIR] [--member <member_id>]\n';

export async function runReplay(argv: string[], io: CliIo = processIo): Promise<number> {
  const usage = (problem: string) => usageError(io, 'lrs replay', problem, REPLAY_USAGE);
  const args = parseOptions(argv, { mapping: 'string', member: 'string' });
  if ('problem' in args) return usage(args.problem);
  if (args.positionals.length > 0) return usage('takes only --mapping DIR and --member ID');
  const { mapping: dir, member } = args.values;
  if (member === '') return usage('--member needs a member id');
  if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) return usage(`--mapping must be an existing directory, got "${dir}"`);
  const config = loadConfig(io.env);
  const mapping = loadMapping(dir !== undefined ? path.resolve(dir) : config.mappingsDir);
  const store = await openStore(config);
  const shown = progress(io, 'members replayed');
  try {
    const report = await replay(store, mapping, { ...(member !== undefined ? { memberId: member } : {}), onProgress: shown.update });
    shown.done();
    if (report === null) {
      printJson(io, { error: { code: 'unknown-member', message: `no profile for member ${member}` } }, 'one-line');
      return 1;
    }
    printJson(io, report);
    return 0;
  } finally {
    await store.close();
  }
}
