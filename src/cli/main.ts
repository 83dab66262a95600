/** The `lrs` command line. Configuration errors stop it with a message naming the variable. */
import { ConfigError, loadConfig } from '../config.js';
import { runServe } from './serve.js';
import { runMapping } from './mapping.js';
import { runHris } from './hris.js';
import { runClients, runKeys, runOAuth } from './clients.js';
import { runRebuild, runWorker } from './projection.js';
import { runDlq } from './dlq.js';
import { runSandboxMarketplace } from './sandbox-marketplace.js';
import { MappingError, formatProblem } from '../../projections/mapping/index.js';

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
  dlq list | redrive <member_id> | redrive-all
               the marketplace push dead-letter queue (a redrive sends the member's newest version)
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

export async function main(argv: string[]): Promise<number> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'serve':
      await runServe(loadConfig());
      return -1; // keeps running
    case 'worker':
      return runWorker();
    case 'rebuild':
      return runRebuild(argv.slice(1));
    case 'mapping':
      return runMapping(argv.slice(1));
    case 'hris':
      return runHris(argv.slice(1));
    case 'clients':
      return runClients(argv.slice(1));
    case 'keys':
      return runKeys(argv.slice(1));
    case 'oauth':
      return runOAuth(argv.slice(1));
    case 'dlq':
      return runDlq(argv.slice(1));
    case 'sandbox-marketplace':
      return runSandboxMarketplace(argv.slice(1));
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`lrs: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`lrs: configuration error: ${error.message}\n`);
      process.exitCode = 78; // EX_CONFIG
    } else if (error instanceof MappingError) {
      process.stderr.write(`lrs: the mapping files have problems:\n${error.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
      process.exitCode = 78;
    } else {
      process.stderr.write(`lrs: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
