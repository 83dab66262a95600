/** The `lrs` command line. Configuration errors stop it with a message naming the variable. */
import { ConfigError, loadConfig } from '../config.js';
import { runServe } from './serve.js';

const USAGE = `usage: lrs <command>

commands:
  serve        run the xAPI LRS HTTP server (configuration from the environment, see README)
  help         show this message
`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'serve':
      await runServe(loadConfig());
      return -1; // keeps running
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
    } else {
      process.stderr.write(`lrs: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
