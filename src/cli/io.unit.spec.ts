/** The option parsing and usage errors every `lrs` command shares (src/cli/io.ts). */
import { describe, expect, it } from 'vitest';
import { parseOptions, printJson, usageError, wholeNumberIn, type CliIo } from './io.js';

const OPTIONS = { name: 'string', 'dry-run': 'boolean' } as const;

function captured(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('parseOptions', () => {
  it('gives the options and, in order, the other arguments', () => {
    expect(parseOptions(['a', '--name', 'Ana', 'b', '--dry-run'], OPTIONS)).toEqual({ values: { name: 'Ana', 'dry-run': true }, positionals: ['a', 'b'] });
    expect(parseOptions(['--name=x=y', '-', '--', '--dry-run'], OPTIONS)).toEqual({ values: { name: 'x=y' }, positionals: ['-', '--dry-run'] });
  });

  it('a string option takes the next argument whatever it looks like', () => {
    expect(parseOptions(['--name', '--dry-run'], OPTIONS)).toEqual({ values: { name: '--dry-run' }, positionals: [] });
  });

  it('names the option as typed when it is unknown, lacks its value or is a flag given one', () => {
    expect(parseOptions(['--force'], OPTIONS)).toEqual({ problem: 'unknown option --force' });
    expect(parseOptions(['--force=yes'], OPTIONS)).toEqual({ problem: 'unknown option --force' });
    expect(parseOptions(['-f'], OPTIONS)).toEqual({ problem: 'unknown option -f' });
    expect(parseOptions(['--name'], OPTIONS)).toEqual({ problem: 'option --name needs a value' });
    expect(parseOptions(['--dry-run=no'], OPTIONS)).toEqual({ problem: 'option --dry-run takes no value' });
    expect(parseOptions(['--toString'], {})).toEqual({ problem: 'unknown option --toString' });
  });
});

describe('usageError and printJson', () => {
  it('a usage error is the problem, a blank line and the usage on stderr, exit code 2', () => {
    const io = captured();
    expect(usageError(io, 'lrs dlq', 'the subcommand is missing', 'usage: lrs dlq list\n')).toBe(2);
    expect(io).toMatchObject({ out: '', err: 'lrs dlq: the subcommand is missing\n\nusage: lrs dlq list\n' });
  });

  it('prints JSON indented or on one line', () => {
    const io = captured();
    printJson(io, { a: 1 });
    printJson(io, { a: 1 }, 'one-line');
    expect(io.out).toBe('{\n  "a": 1\n}\n{"a":1}\n');
  });
});

describe('wholeNumberIn', () => {
  it('takes digits within the bounds, and nothing else', () => {
    expect(wholeNumberIn('24', 1, 8760)).toBe(24);
    expect(wholeNumberIn('8760', 1, 8760)).toBe(8760);
    expect(wholeNumberIn('0', 0)).toBe(0);
    for (const bad of ['0', '8761', '-1', '1.5', '1e3', ' 5', '', 'x']) expect(wholeNumberIn(bad, 1, 8760), bad).toBeUndefined();
  });
});
