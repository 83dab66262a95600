/**
 * The source-path language of the mapping template's `source_field` column: where a value is
 * read from in an xAPI statement or an HRIS row. A path is compiled once into a getter.
 *
 * ```
 * path      = first step*
 * first     = name | bracket
 * step      = "." name | bracket
 * bracket   = "[" ( quoted | index | "*" | selector ) "]"
 * selector  = name ( "." name )* "=" literal       element whose sub-path equals the literal
 * literal   = quoted | number | "true" | "false" | "null"
 * quoted    = '"' … '"' | "'" … "'"                  backslash escapes the quote and itself
 * index     = digit+                                  array element (0-based)
 * name      = [A-Za-z_$] [A-Za-z0-9_$-]*
 * ```
 *
 * Examples: `result.score`, `result.extensions["http://…/badgeassertion.json"]`,
 * `context.registration`, `context.contextActivities.parent[0].id`,
 * `attachments[usageType="http://id.tincanapi.com/attachment/certificate_of_completion"].fileUrl`,
 * `context.contextActivities.category[*].id`.
 *
 * Semantics: a name or quoted key reads an own property of an object (never an inherited one);
 * an index reads an array element; `*` and selectors fan out over an array's elements (a single
 * non-array value counts as a one-element array), so a path yields zero or more values. No
 * whitespace is allowed outside quotes.
 */

export class PathSyntaxError extends Error {
  constructor(
    readonly path: string,
    /** 0-based character position of the problem. */
    readonly position: number,
    detail: string,
  ) {
    super(`${detail} at character ${position + 1} of ${JSON.stringify(path)}`);
    this.name = 'PathSyntaxError';
  }
}

export interface SourcePath {
  readonly text: string;
  /** Every value the path reaches, in document order; [] when none. */
  all(source: unknown): unknown[];
  /** The first value the path reaches, or undefined. */
  first(source: unknown): unknown;
}

type Literal = string | number | boolean | null;
type Step =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'each' }
  | { kind: 'select'; keys: string[]; value: Literal };

/** Compiles a path; throws PathSyntaxError naming the character where it goes wrong. */
export function compilePath(text: string): SourcePath {
  const steps = parseSteps(text);
  const all = (source: unknown): unknown[] => {
    let values: unknown[] = [source];
    for (const step of steps) {
      const next: unknown[] = [];
      for (const value of values) apply(step, value, next);
      if (next.length === 0) return next;
      values = next;
    }
    return values;
  };
  return { text, all, first: (source) => all(source)[0] };
}

function apply(step: Step, value: unknown, out: unknown[]): void {
  switch (step.kind) {
    case 'key': {
      const v = own(value, step.key);
      if (v !== undefined) out.push(v);
      return;
    }
    case 'index':
      if (Array.isArray(value) && step.index < value.length && value[step.index] !== undefined) out.push(value[step.index]);
      return;
    case 'each':
      for (const element of elements(value)) out.push(element);
      return;
    case 'select':
      for (const element of elements(value)) {
        let v: unknown = element;
        for (const key of step.keys) v = own(v, key);
        if (v === step.value) out.push(element);
      }
      return;
  }
}

function own(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function elements(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.filter((e) => e !== undefined);
  return value === undefined || value === null ? [] : [value];
}

// ---------------------------------------------------------------------------------------------
// Parser: a hand-written scanner over the characters, one function per grammar rule.

const NAME_START = /[A-Za-z_$]/;
const NAME_PART = /[A-Za-z0-9_$-]/;

function parseSteps(text: string): Step[] {
  let pos = 0;
  const fail = (detail: string, at = pos): never => {
    throw new PathSyntaxError(text, at, detail);
  };
  const describe = (): string => (pos < text.length ? `unexpected ${JSON.stringify(text[pos])}` : 'unexpected end of path');

  const name = (): string => {
    const start = pos;
    if (pos >= text.length || !NAME_START.test(text[pos] ?? '')) fail(`${describe()}: expected a name`);
    pos++;
    while (pos < text.length && NAME_PART.test(text[pos] ?? '')) pos++;
    return text.slice(start, pos);
  };

  const quoted = (): string => {
    const quote = text[pos];
    const start = pos;
    pos++;
    let out = '';
    for (;;) {
      if (pos >= text.length) fail(`unterminated quoted key (opened with ${quote})`, start);
      const ch = text[pos] as string;
      if (ch === quote) {
        pos++;
        return out;
      }
      if (ch === '\\') {
        const next = text[pos + 1];
        if (next !== quote && next !== '\\') fail(`unknown escape \\${next ?? ''}: only \\${quote} and \\\\ are allowed`);
        out += next;
        pos += 2;
        continue;
      }
      out += ch;
      pos++;
    }
  };

  const literal = (): Literal => {
    const ch = text[pos];
    if (ch === '"' || ch === "'") return quoted();
    const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos));
    if (match === null) return fail(`${describe()}: expected a quoted string, a number, true, false or null`);
    pos += match[0].length;
    return JSON.parse(match[0]) as Literal;
  };

  const bracket = (): Step => {
    pos++; // "["
    let step: Step;
    const ch = text[pos];
    if (ch === '"' || ch === "'") {
      step = { kind: 'key', key: quoted() };
    } else if (ch === '*') {
      pos++;
      step = { kind: 'each' };
    } else if (ch !== undefined && /\d/.test(ch)) {
      const start = pos;
      while (pos < text.length && /\d/.test(text[pos] ?? '')) pos++;
      const index = Number(text.slice(start, pos));
      if (!Number.isSafeInteger(index)) fail('index too large', start);
      step = { kind: 'index', index };
    } else if (ch !== undefined && NAME_START.test(ch)) {
      const keys = [name()];
      while (text[pos] === '.') {
        pos++;
        keys.push(name());
      }
      if (text[pos] !== '=') fail(`${describe()}: expected "=" in a selector such as [usageType="…"]`);
      pos++;
      step = { kind: 'select', keys, value: literal() };
    } else {
      return fail(`${describe()}: expected a quoted key, an index, * or a selector after "["`);
    }
    if (text[pos] !== ']') fail(`${describe()}: expected "]"`);
    pos++;
    return step;
  };

  if (text.length === 0) fail('empty path');
  const steps: Step[] = [];
  steps.push(text[pos] === '[' ? bracket() : { kind: 'key', key: name() });
  while (pos < text.length) {
    const ch = text[pos];
    if (ch === '.') {
      pos++;
      steps.push({ kind: 'key', key: name() });
    } else if (ch === '[') {
      steps.push(bracket());
    } else {
      fail(`${describe()}: expected "." or "["`);
    }
  }
  return steps;
}
