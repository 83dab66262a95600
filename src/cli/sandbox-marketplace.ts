/** `lrs sandbox-marketplace [--port N]`: the receiving side of the push protocol (projections/sandbox/), keyed by MARKETPLACE_SECRET. */
import { ConfigError } from '../config.js';
import { startSandboxMarketplace } from '../../projections/sandbox/marketplace.js';

export const SANDBOX_USAGE = 'usage: lrs sandbox-marketplace [--port N]   (MARKETPLACE_SECRET: the HMAC key pushes are signed with; default port 8090)\n';

export async function runSandboxMarketplace(argv: string[]): Promise<number> {
  let port = 8090;
  if (argv.length > 0) {
    const [flag, value, ...rest] = argv;
    if (flag !== '--port' || value === undefined || !/^\d+$/.test(value) || Number(value) > 65535 || rest.length > 0) {
      process.stderr.write(`lrs sandbox-marketplace: bad arguments\n\n${SANDBOX_USAGE}`);
      return 2;
    }
    port = Number(value);
  }
  const secret = process.env.MARKETPLACE_SECRET?.trim();
  if (!secret) throw new ConfigError('MARKETPLACE_SECRET', 'is required: it is the key the sandbox checks signatures with');
  const sandbox = await startSandboxMarketplace({ port, secret, hostname: '0.0.0.0' });
  process.stdout.write(`sandbox marketplace listening on http://localhost:${sandbox.port} (PUT/DELETE /profiles/{id}, GET /profiles, GET /_log, POST /_faults)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}
