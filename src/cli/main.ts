/** The `lrs` command line. Configuration errors stop it with a message naming the variable. */
import { ConfigError } from '../config.js';
import { KEEPS_RUNNING, runServe } from './serve.js';
import { runMapping } from './mapping.js';
import { runHris } from './hris.js';
import { runClients, runKeys, runOAuth } from './clients.js';
import { runRebuild, runWorker } from './projection.js';
import { runDlq } from './dlq.js';
import { runSandboxMarketplace } from './sandbox-marketplace.js';
import { runExport, runImport } from './transfer.js';
import { runReconcile } from './reconcile.js';
import { runReplay } from './replay.js';
import { runErase } from './erase.js';
import { MappingError, formatProblem } from '../../projections/mapping/index.js';
import { processIo, usageError, type CliIo } from './io.js';

const USAGE = `usage: lrs <command>

commands:
  serve        run the xAPI LRS HTTP server and the projection worker (configuration from the environment, see README)
  worker       run the projection worker alone (statements → member profiles)
  rebuild [--member <member_id>]
               recompute every profile (or one member's) from the stored statements
  mapping validate [file]
               check the mapping template, verbs.csv and skills.csv (see README)
  hris import <file.csv> [--dry-run]
               apply an HRIS CSV export to the identity store and print a JSON report
  dlq list | redrive <member_id> | redrive-all | stats [--window HOURS]
               the marketplace push dead-letter queue (a redrive sends the member's newest version), and the delivery success rate
  export statements --out FILE [--format ndjson|csv] [--gzip] [--since ISO] [--until ISO] [--agent JSON] [--activity IRI]
               write the stored statements as NDJSON or CSV with a manifest (count, SHA-256)
  export profiles --out FILE [--format ndjson|csv] [--gzip]
               write every profile as NDJSON (the profile JSON) or CSV (one row per member and fact) with a manifest
  import statements FILE [--manifest FILE.manifest.json]
               store the statements of an NDJSON file through the ordinary write path (checked against its manifest first)
  reconcile [--fix] [--max-drift PCT] [--wait SECONDS]
               compare what the marketplace holds with the published profiles, repair with --fix; JSON report
  replay [--mapping DIR] [--member <member_id>]
               fold the stored statements again with other mapping files and report what would change (writes nothing)
  erase <member_id> [--dry-run]
               erase a person: statements, documents, attachments, identity, profile, and a DELETE at the marketplace (JSON report)
  sandbox-marketplace [--port N]
               run a sandbox marketplace receiving signed pushes (MARKETPLACE_SECRET), for tests and staging
  clients create --name <name> --scopes "<scope> …" | rotate <client_id> | list
               OAuth2 clients (the secret is shown once); see README "Authentication"
  keys rotate | list
               access-token signing keys (a new key signs; old ones verify until their tokens expire)
  oauth audit [--client <client_id>] [--limit N]
               the authorisation server's audit log
  help         show this message
`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'serve':
      return runServe(rest, io);
    case 'worker':
      return runWorker(rest, io);
    case 'rebuild':
      return runRebuild(rest, io);
    case 'mapping':
      return runMapping(rest, io);
    case 'hris':
      return runHris(rest, io);
    case 'clients':
      return runClients(rest, io);
    case 'keys':
      return runKeys(rest, io);
    case 'oauth':
      return runOAuth(rest, io);
    case 'dlq':
      return runDlq(rest, io);
    case 'sandbox-marketplace':
      return runSandboxMarketplace(rest, io);
    case 'reconcile':
      return runReconcile(rest, io);
    case 'replay':
      return runReplay(rest, io);
    case 'export':
      return runExport(rest, io);
    case 'import':
      return runImport(rest, io);
    case 'erase':
      return runErase(rest, io);
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return 0;
    default:
      return usageError(io, 'lrs', `unknown command "${command}"`, USAGE);
  }
}

/** Why the command stopped, on stderr, and its exit code: 78 (EX_CONFIG) for a bad setting or mapping file, 1 otherwise. */
function failed(io: CliIo, error: unknown): number {
  if (error instanceof ConfigError) {
    io.stderr(`lrs: configuration error: ${error.message}\n`);
    return 78;
  }
  if (error instanceof MappingError) {
    io.stderr(`lrs: the mapping files have problems:\n${error.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
    return 78;
  }
  io.stderr(`lrs: ${(error as Error).stack ?? String(error)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== KEEPS_RUNNING) process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = failed(processIo, error);
  },
);
