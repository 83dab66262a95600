/** `lrs sandbox-marketplace [--port N]`: the receiving side of the push protocol (projections/sandbox-marketplace/), keyed by MARKETPLACE_SECRET. */
import { loadSandboxConfig } from '../config.js';
import { startSandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import { parseOptions, processIo, usageError, wholeNumberIn, type CliIo } from './io.js';

export const SANDBOX_USAGE = 'usage: lrs sandbox-marketplace [--port N]   (MARKETPLACE_SECRET: the HMAC key pushes are signed with; default port 8090)\n';

export async function runSandboxMarketplace(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseOptions(argv, { port: 'string' });
  if ('problem' in args) return usageError(io, 'lrs sandbox-marketplace', args.problem, SANDBOX_USAGE);
  const port = wholeNumberIn(args.values.port ?? '8090', 0, 65535);
  if (port === undefined || args.positionals.length > 0) return usageError(io, 'lrs sandbox-marketplace', 'bad arguments', SANDBOX_USAGE);
  const { secret } = loadSandboxConfig(io.env);
  const sandbox = await startSandboxMarketplace({ port, secret, hostname: '0.0.0.0' });
  io.stdout(`sandbox marketplace listening on http://localhost:${sandbox.port} (PUT/DELETE /profiles/{id}, signed GET /profiles[/{id}], GET /_held, GET /_log, POST /_faults, POST /_corrupt)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}
