import { describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import { progress } from './progress.js';

function terminal(isTerminal: boolean) {
  const err: string[] = [];
  const io: CliIo = { stdout: () => {}, stderr: (t) => err.push(t), env: {}, stderrIsTerminal: isTerminal };
  return { io, err };
}

describe('progress', () => {
  it('writes nothing when stderr is not a terminal', () => {
    const { io, err } = terminal(false);
    const shown = progress(io, 'rows', 100);
    shown.update(50);
    shown.done();
    expect(err).toEqual([]);
  });

  it('rewrites one line with count, rate and time left, at most every 200 ms, and ends it', () => {
    const { io, err } = terminal(true);
    let now = 0;
    const shown = progress(io, 'statements exported', 10_000, () => now);
    now = 1_000;
    shown.update(2_000);
    now = 1_100;
    shown.update(2_200); // within 200 ms of the last line: not shown
    now = 2_000;
    shown.update(4_000);
    shown.done();
    expect(err).toEqual([
      '\rstatements exported: 2,000 of 10,000 · 2,000/s · 4 s left\u001b[K',
      '\rstatements exported: 4,000 of 10,000 · 2,000/s · 3 s left\u001b[K',
      '\rstatements exported: 4,000 of 10,000 · 2,000/s · 3 s left\u001b[K\n',
    ]);
  });

  it('without a total shows the count and the rate only', () => {
    const { io, err } = terminal(true);
    let now = 0;
    const shown = progress(io, 'members compared', undefined, () => now);
    now = 500;
    shown.update(1_000);
    expect(err).toEqual(['\rmembers compared: 1,000 · 2,000/s\u001b[K']);
  });
});
