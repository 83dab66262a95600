/**
 * Files shipped beside the code (schemas/, mappings/). They are found by walking up from this
 * module's folder, so the same code works from the sources (src/) and the build (dist/src/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The absolute path of `relative` (e.g. `schemas/openapi.json`) in the project. */
export function projectFile(relative: string): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; ) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} not found in any folder above ${start}`);
    dir = parent;
  }
}

/** A JSON file of the project, parsed. */
export function readProjectJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(projectFile(relative), 'utf8')) as T;
}

/**
 * The compiled script `file` (e.g. `writer-thread.js`) in the folder of the module at
 * `moduleUrl`, for a worker thread, which runs JavaScript only. From the build that is the
 * sibling file; from the sources (the tests run them through vite) it is the same file in
 * dist/, which `npm test` builds before running.
 */
export function compiledScript(moduleUrl: string, file: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  if (moduleUrl.endsWith('.js')) return join(here, file);
  const root = dirname(projectFile('package.json'));
  const built = join(root, 'dist', relative(root, here), file);
  if (!existsSync(built)) throw new Error(`${relative(root, built)} is missing: run \`npm run build\` (worker threads run the compiled code)`);
  return built;
}
