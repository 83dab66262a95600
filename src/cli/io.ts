/**
 * What every `lrs` command shares: where its output goes (the result on stdout, as JSON for the
 * commands that print data; notices and errors on stderr), its options parsed by node:util
 * parseArgs, and the one way a usage error is reported (the problem, a blank line and the
 * command's usage on stderr, exit code 2). Commands take a CliIo so that tests run them
 * in-process with captured output and an environment of their own.
 */
import { parseArgs } from 'node:util';

export type Env = Record<string, string | undefined>;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Env;
  /** Whether stderr is a terminal: long jobs show progress there only then. */
  readonly stderrIsTerminal?: boolean;
}

/** The real process: its streams and its environment, read when a command asks. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  get env() {
    return process.env;
  },
  get stderrIsTerminal() {
    return process.stderr.isTTY === true;
  },
};

/** The exit code of wrong arguments (the commands' documented 2, not sysexits' 64). */
export const USAGE_ERROR = 2;

/** Writes `<command>: <problem>`, a blank line and the usage to stderr; returns the exit code. */
export function usageError(io: CliIo, command: string, problem: string, usage: string): number {
  io.stderr(`${command}: ${problem}\n\n${usage}`);
  return USAGE_ERROR;
}

/** A command's result on stdout: indented JSON, or one line for the short answers scripts grep. */
export function printJson(io: CliIo, value: unknown, layout: 'indented' | 'one-line' = 'indented'): void {
  io.stdout(`${layout === 'indented' ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}

/** The long options a command takes: `--name <value>` (string) or `--flag` (boolean). */
export type OptionTypes = Readonly<Record<string, 'string' | 'boolean'>>;

export type OptionValues<T extends OptionTypes> = { -readonly [K in keyof T]?: T[K] extends 'string' ? string : boolean };

export interface ParsedArgs<T extends OptionTypes> {
  values: OptionValues<T>;
  /** The other arguments, in order; everything after `--` is one. */
  positionals: string[];
}

/**
 * The options and positional arguments of `args`, or the usage problem naming the option as
 * typed: unknown, without its value, or a flag given one. parseArgs runs lenient (strict: false)
 * and the tokens are checked here, so a string option takes the next argument whatever it looks
 * like (`--client -c1`), and the messages are the commands' own rather than Node's.
 */
export function parseOptions<T extends OptionTypes>(args: readonly string[], types: T): ParsedArgs<T> | { problem: string } {
  const options = Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { type }]));
  const { values, positionals, tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const type = Object.hasOwn(types, token.name) ? types[token.name] : undefined;
    if (type === undefined) return { problem: `unknown option ${token.rawName}` };
    if (type === 'string' && token.value === undefined) return { problem: `option ${token.rawName} needs a value` };
    if (type === 'boolean' && token.inlineValue) return { problem: `option ${token.rawName} takes no value` };
  }
  return { values: values as OptionValues<T>, positionals };
}

/** For the commands that take no arguments (`lrs serve`, `lrs worker`): the usage error's exit code, or undefined when there are none. */
export function refuseArguments(io: CliIo, command: string, args: readonly string[], usage: string): number | undefined {
  const parsed = parseOptions(args, {});
  if ('problem' in parsed) return usageError(io, command, parsed.problem, usage);
  if (parsed.positionals.length > 0) return usageError(io, command, 'takes no arguments', usage);
  return undefined;
}

/** A command-line option's whole number within [min, max], or undefined when the text is not one. */
export function wholeNumberIn(text: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && n <= max ? n : undefined;
}
