/**
 * Bulk preload of the embedded store, before the server opens the file: statements shaped as
 * the write path shapes them (lrs/statements/write.ts: id, timestamp, stored, authority,
 * version; keys, StatementRef target and voiding from lrs/statements/keys.ts), inserted
 * through the store port in large batches.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Equivalence, NewStatement } from '../../src/storage/port.js';
import { isVoiding, statementKeys, statementRefTarget } from '../../lrs/statements/keys.js';
import { agent, seededRandom, statementBody } from './statements.js';

type Json = Record<string, unknown>;

/** Ids are fresh UUIDs, so the store never compares a re-sent statement; if it does, something is wrong. */
const neverEquivalent: Equivalence = (stored) => {
  throw new Error(`preload: the store compared statement ${String(stored.id)} with a re-sent one, but every preloaded id is fresh`);
};

/** Mirrors `shape` in lrs/statements/write.ts. */
function shape(input: Json, stored: string, authority: Json): NewStatement {
  const id = randomUUID();
  const statement: Json = {
    ...input,
    id,
    timestamp: input.timestamp ?? stored,
    stored,
    authority,
    version: input.version ?? '1.0.0',
  };
  return {
    id: id.toLowerCase(),
    statement,
    keys: statementKeys(statement),
    refTarget: statementRefTarget(statement),
    voiding: isVoiding(statement),
  };
}

export interface PreloadOptions {
  file: string;
  count: number;
  batchSize: number;
  /** Actors are drawn uniformly from agents 0 … agents-1. */
  agents: number;
  authority: Json;
  onProgress?: (done: number, elapsedMs: number) => void;
}

export interface PreloadResult {
  count: number;
  elapsedMs: number;
}

export async function preload(options: PreloadOptions): Promise<PreloadResult> {
  const store = openSqliteStore(options.file);
  const random = seededRandom(11);
  const started = performance.now();
  // One `stored` per batch, as the write path does per request; a second apart, ending now.
  const batches = Math.ceil(options.count / options.batchSize);
  let storedMs = Date.now() - batches * 1000;
  const tenth = Math.max(1, Math.round(options.count / 10));
  let nextReport = tenth;
  try {
    for (let done = 0; done < options.count; ) {
      const n = Math.min(options.batchSize, options.count - done);
      const stored = new Date((storedMs += 1000)).toISOString();
      const batch = new Array<NewStatement>(n);
      for (let i = 0; i < n; i++) {
        const input = { actor: agent(Math.floor(random() * options.agents)), ...statementBody(random) };
        batch[i] = shape(input, stored, options.authority);
      }
      const outcome = await store.statements.insert(batch, neverEquivalent);
      if (outcome.kind !== 'stored') throw new Error(`preload: insert answered ${JSON.stringify(outcome)}`);
      done += n;
      // insert() completes synchronously, so without this turn of the event loop a signal (Ctrl-C) would wait for the whole preload.
      await new Promise((resolve) => setImmediate(resolve));
      if (done >= nextReport || done === options.count) {
        options.onProgress?.(done, performance.now() - started);
        nextReport += tenth;
      }
    }
  } finally {
    await store.close();
  }
  const elapsedMs = performance.now() - started;
  // Write the file back now, so the kernel's writeback of it does not overlap the measurements.
  const fd = fs.openSync(options.file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { count: options.count, elapsedMs };
}
