/**
 * Validation of one parsed CSV row against its JSON Schema (schemas/mapping-*.schema.json) with
 * ajv, compiled once at module load, and conversion of ajv errors into MappingProblems that name
 * the column. Each schema property's `description` completes the sentence "must be …".
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { WHOLE_ROW, type MappingProblem } from './problems.js';
import { readProjectJson } from '../../src/project-files.js';

export type RowKind = 'template' | 'verb' | 'skill';

const SCHEMA_FILES: Record<RowKind, string> = {
  template: 'mapping-row.schema.json',
  verb: 'mapping-verb-rule.schema.json',
  skill: 'mapping-skill-rule.schema.json',
};

// No coercion and no defaults: rows are converted explicitly before validation.
const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
const validators = Object.fromEntries(
  Object.entries(SCHEMA_FILES).map(([kind, name]) => [kind, ajv.compile(readProjectJson(`schemas/${name}`))]),
) as Record<RowKind, ValidateFunction>;

/** Problems of one row object (keys are column names) against the schema of its kind. */
export function rowSchemaProblems(kind: RowKind, row: Record<string, unknown>, file: string, line: number): MappingProblem[] {
  const validate = validators[kind];
  if (validate(row)) return [];
  const problems: MappingProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, row, file, line);
    if (problem === null || seen.has(problem.column)) continue; // one problem per cell is enough
    seen.add(problem.column);
    problems.push(problem);
  }
  return problems;
}

function toProblem(e: ErrorObject, row: Record<string, unknown>, file: string, line: number): MappingProblem | null {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    const column = String(params['missingProperty']);
    return { file, row: line, column, rule: 'required-column', message: `the ${column} cell is empty; it is required` };
  }
  if (e.keyword === 'additionalProperties') {
    const column = String(params['additionalProperty']);
    return { file, row: line, column, rule: 'unknown-column', message: `unexpected column ${column}` };
  }
  // Errors about one cell: instancePath is "/<column>".
  const column = e.instancePath.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~') || WHOLE_ROW;
  const value = row[column];
  const parent = (e.parentSchema ?? {}) as { description?: unknown };
  const expected = typeof parent.description === 'string' ? parent.description : e.message ?? 'valid';
  const rule = RULES[e.keyword] ?? e.keyword;
  return { file, row: line, column, rule, message: `${JSON.stringify(value)} is not allowed here: must be ${expected}` };
}

const RULES: Record<string, string> = {
  enum: 'allowed-values',
  type: 'type',
  pattern: 'format',
  minLength: 'required-column',
  minimum: 'range',
  maximum: 'range',
};
