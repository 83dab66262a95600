/**
 * Reading a mapping CSV file (RFC 4180, parsed by csv-parse) into rows keyed by header name,
 * each with the line number it starts on. The header must be exactly the expected one; a row
 * with the wrong number of cells, a CSV syntax error or an unreadable file is a problem.
 *
 * Conventions: UTF-8, optional BOM, LF or CRLF line ends, empty lines ignored, spaces around
 * cells trimmed (quote a cell to keep them); a quote inside an unquoted cell is kept as a
 * character, so `result.extensions["http://…"]` can be written without CSV quoting.
 */
import { readFileSync } from 'node:fs';
import { CsvError } from 'csv-parse';
import { parse, type Options } from 'csv-parse/sync';
import { WHOLE_FILE, WHOLE_ROW, type MappingProblem } from './problems.js';

export interface CsvRow {
  /** 1-based line number the row starts on; the header is line 1. */
  line: number;
  /** Cells by header name; an empty cell is ''. */
  cells: Record<string, string>;
}

export interface CsvTable {
  rows: CsvRow[];
  problems: MappingProblem[];
}

export function readCsvFile(file: string, header: readonly string[]): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const rule = code === 'ENOENT' ? 'missing-file' : 'unreadable-file';
    const message = code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? String(error)})`;
    return { rows: [], problems: [{ file, row: WHOLE_FILE, column: WHOLE_ROW, rule, message }] };
  }
  return parseCsv(file, text, header);
}

/** Parses CSV text; `file` only names the place in problems. */
export function parseCsv(file: string, text: string, header: readonly string[]): CsvTable {
  const problems: MappingProblem[] = [];
  const records: { line: number; cells: string[] }[] = [];
  // One line-end convention, so that csv-parse's line count is the editor's line number.
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  try {
    const options = {
      raw: true, // the record's source text, to find the line it starts on
      relax_column_count: true,
      relax_quotes: true, // result.extensions["http://…"] need not be quoted as a cell
      skip_empty_lines: true,
      trim: true,
      on_record: (record: { record: string[]; raw: string }, context: { lines: number }) => {
        records.push({ line: startLine(context.lines, record.raw), cells: record.record });
        return null; // collected here, so rows before a syntax error are still checked
      },
    };
    // csv-parse's types do not model `raw: true` changing on_record's argument.
    parse(normalized, options as unknown as Options);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as unknown as { lines: number }).lines : WHOLE_FILE;
    problems.push({ file, row: line, column: WHOLE_ROW, rule: 'csv-syntax', message: `${error.message}; the rest of the file was not read` });
  }

  const [first, ...data] = records;
  if (first === undefined) {
    problems.unshift({ file, row: 1, column: WHOLE_ROW, rule: 'header', message: `the file is empty; expected the header ${header.join(',')}` });
    return { rows: [], problems };
  }
  const mismatch = header.findIndex((name, i) => first.cells[i] !== name);
  if (mismatch !== -1 || first.cells.length !== header.length) {
    const column = header[mismatch] ?? first.cells[header.length] ?? WHOLE_ROW;
    problems.unshift({
      file,
      row: first.line,
      column,
      rule: 'header',
      message: `expected the header ${header.join(',')}; got ${first.cells.join(',')}`,
    });
    return { rows: [], problems }; // the rows cannot be interpreted
  }

  const rows: CsvRow[] = [];
  for (const record of data) {
    if (record.cells.length !== header.length) {
      problems.push({
        file,
        row: record.line,
        column: WHOLE_ROW,
        rule: 'column-count',
        message: `the row has ${record.cells.length} cell${record.cells.length === 1 ? '' : 's'}; the header has ${header.length}`,
      });
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      cells[name] = record.cells[i] ?? '';
    });
    rows.push({ line: record.line, cells });
  }
  // Syntax errors (found while parsing) belong after the rows that precede them.
  return { rows, problems: problems.sort((a, b) => a.row - b.row) };
}

/**
 * csv-parse reports the line a record ends on; its raw text (with any empty lines skipped before
 * it) tells how many lines the record spans.
 */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
  let newlines = 0;
  for (const ch of body) if (ch === '\n') newlines++;
  return endLine - newlines;
}
