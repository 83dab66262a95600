/**
 * Progress of a long job on stderr, one line rewritten in place (count, rate and, when the total
 * is known, time left), at most every 200 ms; nothing when stderr is not a terminal, so logs
 * and pipes stay clean. `done()` ends the line.
 */
import type { CliIo } from './io.js';

export interface Progress {
  update(count: number): void;
  done(): void;
}

const QUIET: Progress = { update() {}, done() {} };
const EVERY_MS = 200;

export function progress(io: CliIo, label: string, total?: number, now: () => number = Date.now): Progress {
  if (!io.stderrIsTerminal) return QUIET;
  const start = now();
  let shownAt = 0;
  let shown = false;
  let last = 0;
  const line = (count: number) => {
    const seconds = Math.max((now() - start) / 1000, 0.001);
    const rate = count / seconds;
    const left = total !== undefined && rate > 0 ? ` · ${Math.ceil((total - count) / rate)} s left` : '';
    return `\r${label}: ${count.toLocaleString('en-US')}${total !== undefined ? ` of ${total.toLocaleString('en-US')}` : ''} · ${Math.round(rate).toLocaleString('en-US')}/s${left}\u001b[K`;
  };
  return {
    update(count) {
      last = count;
      if (now() - shownAt < EVERY_MS) return;
      shownAt = now();
      shown = true;
      io.stderr(line(count));
    },
    done() {
      if (shown || last > 0) io.stderr(`${line(last)}\n`);
    },
  };
}
