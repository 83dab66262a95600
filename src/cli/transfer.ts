/**
 * `lrs export statements …` and `lrs import statements FILE …` (ARCHITECTURE.md §10, README
 * "Export and import"): the result (the manifest, the import report) as JSON on stdout.
 * Exit codes: 0 done, 1 an import with rejected lines or a file that disagrees with its
 * manifest (nothing stored then), 2 usage error.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open.js';
import { monotonicClock } from '../clock.js';
import { CREDENTIAL_HOMEPAGE, authorityFor } from '../auth/credentials.js';
import { actorIdentity } from '../../lrs/statements/keys.js';
import { exportStatements, utcTimestamp, type StatementSelection } from '../../lrs/transfer/export-statements.js';
import { importStatements } from '../../lrs/transfer/import-statements.js';
import { attachmentFileProblems, attachmentsFileOf } from '../../lrs/transfer/attachment-file.js';
import { gzipProblems, manifestFileOf, manifestProblems, readManifest, type ExportFormat } from '../../lrs/transfer/manifest.js';
import { exportProfiles } from '../../projections/export/export-profiles.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { Tombstone } from '../../projections/erasure/tombstone.js';
import { identityConfig } from '../../projections/identity/settings.js';
import { parseOptions, printJson, processIo, usageError, type CliIo } from './io.js';
import { progress } from './progress.js';
import type { Problem } from '../refusal.js';

export const EXPORT_USAGE = `usage: lrs export statements --out FILE [--format ndjson|csv] [--gzip] [--since ISO] [--until ISO] [--agent JSON] [--activity IRI]
       lrs export profiles --out FILE [--format ndjson|csv] [--gzip]

  Writes the stored statements as NDJSON (one per line, exactly as GET /xapi/statements?format=exact
  answers them) or CSV (id, stored, timestamp, actor, verb, object, registration, score_scaled,
  success, completion, duration) in stored order, and FILE.manifest.json (count, SHA-256 of the
  file, first and last stored, filters). Without --agent or --activity: every statement, voided ones included.
  --since/--until bound \`stored\` (exclusive / inclusive). --gzip compresses the file.
  An NDJSON export also writes the attachment bodies it holds to FILE.attachments (named in the manifest).

  profiles: every stored profile, by member id, as NDJSON (the profile JSON the marketplace gets)
  or CSV (the mapping template's target fields as columns, one row per member and fact), and
  FILE.manifest.json (count = profiles).
`;

export const IMPORT_USAGE = `usage: lrs import statements FILE [--manifest FILE.manifest.json]

  Stores the statements of an NDJSON file (gzipped or not) through the ordinary write path and
  prints {imported, unchanged, rejected: [{line, rule, message}]}. The manifest (given, or
  FILE.manifest.json when it exists) is checked first: a file that disagrees with it is refused
  before anything is stored, and so is FILE.attachments (the attachment bodies) when there is
  one. Statements keep their ids and contents; \`stored\` and \`authority\` are set anew (the
  authority is the import's own). Running it twice changes nothing.
`;

/** The authority of imported statements: the import, as an account of this LRS's credentials. */
export const IMPORT_AUTHORITY = authorityFor('lrs-import', CREDENTIAL_HOMEPAGE);


export async function runExport(argv: string[], io: CliIo = processIo): Promise<number> {
  const usage = (problem: string) => usageError(io, 'lrs export', problem, EXPORT_USAGE);
  const [what, ...rest] = argv;
  if (what === undefined) return usage('say what to export: statements or profiles');
  if (what !== 'statements' && what !== 'profiles') return usage(`unknown export "${what}"`);
  const args = parseOptions(rest, { out: 'string', format: 'string', gzip: 'boolean', since: 'string', until: 'string', agent: 'string', activity: 'string' });
  if ('problem' in args) return usage(args.problem);
  const { out, format = 'ndjson', gzip = false, since, until, agent, activity } = args.values;
  if (args.positionals.length > 0) return usage(`unexpected argument "${args.positionals[0]}"`);
  if (out === undefined) return usage('--out FILE is required');
  if (format !== 'ndjson' && format !== 'csv') return usage(`--format must be ndjson or csv, got "${format}"`);
  if (what === 'profiles') {
    const filter = (['since', 'until', 'agent', 'activity'] as const).find((name) => args.values[name] !== undefined);
    if (filter !== undefined) return usage(`--${filter} selects statements: a profile export holds every profile`);
    return exportProfilesTo({ file: out, gzip, format }, io);
  }
  const selection: StatementSelection = {};
  for (const [name, raw] of [['since', since], ['until', until]] as const) {
    if (raw === undefined) continue;
    const at = utcTimestamp(raw);
    if (at === undefined) return usage(`--${name} must be an ISO 8601 date-time with a time zone, got "${raw}"`);
    selection[name] = at;
  }
  if (agent !== undefined) {
    let identity: string | null = null;
    try {
      identity = actorIdentity(JSON.parse(agent));
    } catch {
      // reported below
    }
    if (identity === null) return usage('--agent must be an Agent as JSON with one identifier, e.g. {"mbox":"mailto:ana@acme.example"}');
    selection.agent = { identity, json: agent };
  }
  if (activity !== undefined) selection.activity = activity;

  const store = await openStore(loadConfig(io.env));
  try {
    const clock = monotonicClock();
    // The log's length is the total only when nothing is filtered out.
    const whole = Object.keys(selection).length === 0;
    const shown = progress(io, 'statements exported', whole ? await store.statements.maxSeq() : undefined);
    const manifest = await exportStatements(store, selection, { file: out, gzip, format }, clock, shown.update);
    shown.update(manifest.count);
    shown.done();
    printJson(io, manifest);
    return 0;
  } finally {
    await store.close();
  }
}

async function exportProfilesTo(out: { file: string; gzip: boolean; format: ExportFormat }, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  // The CSV's columns are the targets of the template the profiles are folded with.
  const { targets } = loadMapping(config.mappingsDir);
  const store = await openStore(config);
  try {
    const shown = progress(io, 'profiles exported');
    const manifest = await exportProfiles(store.projections, { ...out, targets }, monotonicClock(), shown.update);
    shown.done();
    printJson(io, manifest);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * What is wrong with an import's input, found before anything is stored: the file against its
 * manifest (or, without one, a gzip file that does not read to its end), and the attachments
 * file (the one the manifest names, else FILE.attachments when it exists).
 */
async function importInputProblems(file: string, manifestFile: string | undefined): Promise<{ problems: Problem[]; attachmentsFile?: string }> {
  const manifest = manifestFile !== undefined ? await readManifest(manifestFile) : undefined;
  const attachmentsFile =
    manifest?.attachments !== undefined && manifestFile !== undefined
      ? path.join(path.dirname(manifestFile), manifest.attachments.file)
      : existsSync(attachmentsFileOf(file))
        ? attachmentsFileOf(file)
        : undefined;
  const problems = manifest !== undefined ? await manifestProblems(file, manifest) : await gzipProblems(file);
  if (attachmentsFile === undefined) return { problems };
  if (!existsSync(attachmentsFile)) problems.push({ path: 'attachments.file', rule: 'exists', message: `${attachmentsFile}, which the manifest names, does not exist` });
  else problems.push(...(await attachmentFileProblems(attachmentsFile, manifest?.attachments)));
  return { problems, attachmentsFile };
}

export async function runImport(argv: string[], io: CliIo = processIo): Promise<number> {
  const usage = (problem: string) => usageError(io, 'lrs import', problem, IMPORT_USAGE);
  const [what, ...rest] = argv;
  if (what !== 'statements') return usage(what === undefined ? 'say what to import: statements' : `unknown import "${what}"`);
  const args = parseOptions(rest, { manifest: 'string' });
  if ('problem' in args) return usage(args.problem);
  if (args.positionals.length !== 1) return usage(args.positionals.length === 0 ? 'the file is missing' : 'give exactly one file');
  const file = args.positionals[0] as string;
  if (!existsSync(file)) return usage(`${file} does not exist`);
  const manifestFile = args.values.manifest ?? (existsSync(manifestFileOf(file)) ? manifestFileOf(file) : undefined);
  if (manifestFile !== undefined && !existsSync(manifestFile)) return usage(`${manifestFile} does not exist`);

  const config = loadConfig(io.env);
  const { problems, attachmentsFile } = await importInputProblems(file, manifestFile);
  if (problems.length > 0) {
    const message = manifestFile !== undefined ? `${file} is not the file ${manifestFile} describes; nothing was stored.` : `${file} (or its attachments file) cannot be read whole; nothing was stored.`;
    printJson(io, { error: { code: manifestFile !== undefined ? 'manifest-mismatch' : 'unreadable-input', message, problems } });
    return 1;
  }
  const store = await openStore(config);
  try {
    const shown = progress(io, 'lines imported');
    // An erased person's statements are refused line by line, as the statement API refuses them.
    const erased = await Tombstone.open(store.erasures, identityConfig(config));
    const ctx = { store: store.statements, attachments: store.attachments, activities: store.activities, authority: IMPORT_AUTHORITY, now: monotonicClock(), erased };
    const report = await importStatements(file, ctx, { onProgress: shown.update, ...(attachmentsFile !== undefined ? { attachmentsFile } : {}) });
    shown.done();
    printJson(io, report);
    return report.rejected.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
