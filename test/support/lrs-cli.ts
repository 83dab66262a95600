/** Runs the real `lrs` command (bin/lrs.js, on the compiled dist/) as a child process and collects its exit code and output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LRS_BIN = fileURLToPath(new URL('../../bin/lrs.js', import.meta.url));

export interface LrsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is added to the test process's environment. */
export function runLrs(args: string[], env: Record<string, string | undefined> = {}): Promise<LrsRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LRS_BIN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}
