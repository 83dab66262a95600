/**
 * Problems found in mapping files, and the error that carries all of them. Every problem names
 * the place: file, row and column, so an operator can fix the CSV without reading code.
 */

/**
 * One problem in a mapping file.
 *
 * - `row` is the 1-based line number in the file, counting the header as line 1 (so the first
 *   data row is usually row 2; a quoted cell spanning lines is reported at its first line).
 *   Row 0 means the file as a whole (missing file, missing required target).
 * - `column` is the CSV column's header name (`source_field`, `transform`, …), or `*` when the
 *   problem is about the whole row or file.
 * - `rule` is a machine-readable kebab-case name, like the `rule` of an HTTP Problem
 *   (src/http/errors.ts).
 */
export interface MappingProblem {
  file: string;
  row: number;
  column: string;
  rule: string;
  message: string;
}

/** `row` of a problem about the whole file. */
export const WHOLE_FILE = 0;
/** `column` of a problem about the whole row or file. */
export const WHOLE_ROW = '*';

/** `file:row:column: rule: message`, the format the CLI prints (like compiler diagnostics). */
export function formatProblem(problem: MappingProblem, file: string = problem.file): string {
  return `${file}:${problem.row}:${problem.column}: ${problem.rule}: ${problem.message}`;
}

/** Orders problems by file, then row; problems in the same row keep the order they were found in. */
export function sortProblems(problems: readonly MappingProblem[]): MappingProblem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort(
      (a, b) =>
        (a.problem.file < b.problem.file ? -1 : a.problem.file > b.problem.file ? 1 : 0) ||
        a.problem.row - b.problem.row ||
        a.index - b.index,
    )
    .map(({ problem }) => problem);
}

/** Thrown by loadMapping when any mapping file has a problem; carries all of them. */
export class MappingError extends Error {
  readonly problems: readonly MappingProblem[];

  constructor(problems: readonly MappingProblem[]) {
    const shown = problems.slice(0, 20).map((p) => `  ${formatProblem(p)}`);
    if (problems.length > shown.length) shown.push(`  … and ${problems.length - shown.length} more`);
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the mapping files:\n${shown.join('\n')}`);
    this.name = 'MappingError';
    this.problems = problems;
  }
}
