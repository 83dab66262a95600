/**
 * Files shipped beside the code (schemas/, mappings/). They are found by walking up from this
 * module's folder, so the same code works from the sources (src/) and the build (dist/src/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
