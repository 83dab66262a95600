/**
 * GET /openapi.json: the OpenAPI 3.1 document of the marketplace, HRIS, admin and OAuth APIs
 * (schemas/openapi.json), served as is, without credentials. The file is found by walking up from
 * this module's folder, so the same code works from src/http/ and from dist/src/http/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import { projectFile } from '../project-files.js';

export const OPENAPI_PATH = '/openapi.json';
const DOCUMENT_FILE = join('schemas', 'openapi.json');

export function findOpenApiFile(): string {
  return projectFile(DOCUMENT_FILE);
}

/** The document as parsed JSON (read once, at first use). */
let cached: string | undefined;
export function openApiText(): string {
  cached ??= JSON.stringify(JSON.parse(readFileSync(findOpenApiFile(), 'utf8')));
  return cached;
}

export function openApiRoute(app: Hono<AppEnv>): void {
  app.get(OPENAPI_PATH, (c) => c.body(openApiText(), 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
}
