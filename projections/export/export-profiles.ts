/**
 * `lrs export profiles` (ARCHITECTURE.md §10): every stored profile, ordered by published member
 * id, as NDJSON (one profile JSON of §5 per line, as the profiles API answers it with every
 * section) or as CSV (profile-csv.ts), read a page at a time, with the manifest beside the file
 * (lrs/transfer/export-file.ts). `count` is the number of profiles, whatever the format.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ProjectionStore } from '../../src/storage/projection-port.js';
import type { Profile } from '../../src/model/profile.js';
import type { ExportFormat, ExportManifest } from '../../lrs/transfer/manifest.js';
import { writeExport } from '../../lrs/transfer/export-file.js';
import { profileOf } from '../fold/render.js';
import { profileCsvColumns, profileCsvRows } from './profile-csv.js';

const PAGE = 500;

async function* storedProfiles(projections: ProjectionStore, counted: { count: number }, onProgress?: (count: number) => void): AsyncGenerator<Profile> {
  for (let after: string | undefined; ; ) {
    const page = await projections.profiles({ ...(after !== undefined ? { after } : {}), limit: PAGE });
    for (const record of page.profiles) {
      counted.count += 1;
      yield profileOf(record);
    }
    onProgress?.(counted.count);
    if (page.next === null) return;
    after = page.next;
  }
}

/** `targets`: the mapping template's target fields, the CSV's columns. */
export async function exportProfiles(
  projections: ProjectionStore,
  out: { file: string; gzip: boolean; format: ExportFormat; targets: readonly string[] },
  now: () => string,
  onProgress?: (count: number) => void,
): Promise<ExportManifest> {
  const counted = { count: 0 };
  const profiles = storedProfiles(projections, counted, onProgress);
  let body: Readable;
  if (out.format === 'ndjson') {
    body = Readable.from((async function* () {
      for await (const profile of profiles) yield `${JSON.stringify(profile)}\n`;
    })());
  } else {
    const columns = profileCsvColumns(out.targets);
    body = Readable.from((async function* () {
      for await (const profile of profiles) yield* profileCsvRows(profile, columns);
    })()).pipe(stringify({ header: true, columns }));
  }
  return writeExport(body, out, () => ({ kind: 'profiles', format: out.format, count: counted.count, first_stored: null, last_stored: null, filters: {} }), now);
}
