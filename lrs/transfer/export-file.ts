/**
 * Writing an export (ARCHITECTURE.md §10), whatever it holds: the body streamed to the file
 * (gzipped when asked), the SHA-256 of the bytes as written taken on the way, then the manifest
 * beside it (after anything the summary still writes, such as the attachment bodies). Shared
 * by the statement export and the profile export (projections/export/).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { lrsVersion, manifestFileOf, type ExportManifest } from './manifest.js';

/** What only the exporter knows once the body is written: the manifest fields but the file's own. */
export type ExportSummary = Omit<ExportManifest, 'gzip' | 'sha256' | 'created_at' | 'lrs_version'>;

/** Writes `body` to `out.file` (gzipped when asked); returns the SHA-256 of the bytes written. */
export async function writeHashed(body: Readable, out: { file: string; gzip: boolean }): Promise<string> {
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await (out.gzip ? pipeline(body, createGzip(), hashing, createWriteStream(out.file)) : pipeline(body, hashing, createWriteStream(out.file)));
  return hash.digest('hex');
}

/** Writes `body` to `out.file` and its manifest to `out.file.manifest.json`; returns the manifest. */
export async function writeExport(body: Readable, out: { file: string; gzip: boolean }, summary: () => Promise<ExportSummary> | ExportSummary, now: () => string): Promise<ExportManifest> {
  const sha256 = await writeHashed(body, out);
  const { kind, format, count, first_stored, last_stored, filters, attachments } = await summary();
  const manifest: ExportManifest = {
    kind,
    format,
    gzip: out.gzip,
    count,
    sha256,
    first_stored,
    last_stored,
    filters,
    ...(attachments !== undefined ? { attachments } : {}),
    created_at: now(),
    lrs_version: lrsVersion(),
  };
  await writeFile(manifestFileOf(out.file), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
