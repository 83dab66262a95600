/**
 * The mapping template (mappings/<name>.v<N>.csv, ARCHITECTURE.md §5): which source field feeds which
 * target field, through which transforms. Each row is checked against
 * schemas/mapping-row.schema.json, its source path is compiled, its transforms are resolved;
 * then rows are checked against each other and against the required targets.
 */
import { basename } from 'node:path';
import { readCsvFile } from './csv.js';
import { compilePath, PathSyntaxError, type SourcePath } from './path.js';
import { WHOLE_FILE, type MappingProblem } from './problems.js';
import { rowSchemaProblems } from './row-schemas.js';
import { withoutEmptyCells } from './rules.js';
import { canProduce, conformsTo, TRANSFORMS, transformNames, type DataType, type Transform, type TransformContext } from './transforms.js';

export const TEMPLATE_HEADER = [
  'source_system',
  'source_field',
  'target_field',
  'data_type',
  'transform',
  'required',
  'notes',
  'cardinality',
  'retention_policy',
] as const;

/** Targets every template must map (ARCHITECTURE.md §5). */
export const REQUIRED_TARGETS = [
  'member_id',
  'email',
  'learning_completed',
  'score',
  'badge_awarded',
  'enrollment_state',
  'certificate_ref',
] as const;

export type SourceSystem = 'hris' | 'xapi';
export type Cardinality = 'one' | 'many';

/** One template row, as written (the transform cell split into names). */
export interface FieldRule {
  /** Line in the file (header = 1). */
  line: number;
  sourceSystem: SourceSystem;
  sourceField: string;
  targetField: string;
  dataType: DataType;
  transforms: readonly string[];
  required: boolean;
  notes: string;
  cardinality: Cardinality;
  retentionPolicy: string;
}

/** A row ready to read: its path compiled and its transforms resolved. */
export interface CompiledFieldRule extends FieldRule {
  /** The transformed values of this row that have the row's data type, in document order. */
  read(source: unknown, context: TransformContext): unknown[];
}

export interface Template {
  file: string;
  /** "lms-marketplace@1" for lms-marketplace.v1.csv. */
  version: string;
  rules: CompiledFieldRule[];
}

const TEMPLATE_NAME = /^(.+)\.v([1-9]\d*)\.csv$/;

/** "lms-marketplace.v1.csv" → "lms-marketplace@1"; undefined when the name carries no version. */
export function templateVersion(file: string): string | undefined {
  const m = TEMPLATE_NAME.exec(basename(file));
  return m === null ? undefined : `${m[1]}@${m[2]}`;
}

/** Reads and checks a template; `template` is undefined when there is any problem. */
export function readTemplate(file: string): { template: Template | undefined; rows: number; problems: MappingProblem[] } {
  const table = readCsvFile(file, TEMPLATE_HEADER);
  const problems = [...table.problems];
  const version = templateVersion(file);
  if (version === undefined) {
    problems.unshift({
      file,
      row: WHOLE_FILE,
      column: '*',
      rule: 'template-name',
      message: `a template's file name must carry its version, as in lms-marketplace.v1.csv; got ${basename(file)}`,
    });
  }
  if (table.rows.length === 0 && table.problems.length > 0) return { template: undefined, rows: 0, problems };

  const rules: CompiledFieldRule[] = [];
  const seen = new Map<string, number>(); // system, source field, target → line
  const firstOfTarget = new Map<string, FieldRule>();
  for (const { line, cells } of table.rows) {
    const row = withoutEmptyCells(cells);
    if (cells['required'] === 'true' || cells['required'] === 'false') row['required'] = cells['required'] === 'true';
    const rowProblems = rowSchemaProblems('template', row, file, line);
    const at = (column: string, rule: string, message: string) => rowProblems.push({ file, row: line, column, rule, message });
    const bad = new Set(rowProblems.map((p) => p.column));

    let path: SourcePath | undefined;
    const sourceField = cells['source_field'] ?? '';
    if (!bad.has('source_field')) {
      try {
        path = compilePath(sourceField);
      } catch (error) {
        if (!(error instanceof PathSyntaxError)) throw error;
        at('source_field', 'path-syntax', error.message);
      }
    }

    const names = transformNames(cells['transform'] ?? '');
    const transforms: Transform[] = [];
    if (!bad.has('transform')) {
      for (const name of names) {
        const transform = TRANSFORMS.get(name);
        if (transform === undefined) at('transform', 'unknown-transform', `unknown transform "${name}"; known: ${[...TRANSFORMS.keys()].join(', ')}`);
        else transforms.push(transform);
      }
    }
    const dataType = cells['data_type'] as DataType;
    const last = transforms.filter((t) => t.produces !== 'any').at(-1);
    if (!bad.has('data_type') && transforms.length === names.length && last !== undefined && !canProduce(last, dataType)) {
      at('data_type', 'transform-output', `transform ${last.name} produces ${(last.produces as DataType[]).join(' or ')}, not ${dataType}`);
    }

    const rule: FieldRule = {
      line,
      sourceSystem: cells['source_system'] as SourceSystem,
      sourceField,
      targetField: cells['target_field'] ?? '',
      dataType,
      transforms: names,
      required: row['required'] === true,
      notes: cells['notes'] ?? '',
      cardinality: cells['cardinality'] as Cardinality,
      retentionPolicy: cells['retention_policy'] ?? '',
    };

    if (rowProblems.length === 0) {
      const key = `${rule.sourceSystem}\u0000${rule.sourceField}\u0000${rule.targetField}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        at('source_field', 'duplicate-row', `line ${earlier} already maps ${rule.sourceSystem} ${rule.sourceField} to ${rule.targetField}`);
      } else {
        seen.set(key, line);
      }
      // Rows for the same target are alternatives; they must agree on what the target is.
      const first = firstOfTarget.get(rule.targetField);
      if (first === undefined) {
        firstOfTarget.set(rule.targetField, rule);
      } else {
        for (const [column, a, b] of [
          ['data_type', first.dataType, rule.dataType],
          ['cardinality', first.cardinality, rule.cardinality],
        ] as const) {
          if (a !== b) at(column, 'inconsistent-target', `${rule.targetField} is ${a} on line ${first.line}; every row for a target must have the same ${column}`);
        }
      }
    }

    problems.push(...rowProblems);
    if (rowProblems.length === 0 && path !== undefined) rules.push(compileRule(rule, path, transforms));
  }

  for (const target of REQUIRED_TARGETS) {
    if (!table.rows.some(({ cells }) => cells['target_field'] === target)) {
      problems.push({ file, row: WHOLE_FILE, column: 'target_field', rule: 'missing-target', message: `no row maps the required target ${target}` });
    }
  }

  return {
    template: problems.length === 0 && version !== undefined ? { file, version, rules } : undefined,
    rows: table.rows.length,
    problems,
  };
}

function compileRule(rule: FieldRule, path: SourcePath, transforms: readonly Transform[]): CompiledFieldRule {
  const { dataType } = rule;
  const read = (source: unknown, context: TransformContext): unknown[] => {
    const out: unknown[] = [];
    for (const found of path.all(source)) {
      let value = found;
      for (const transform of transforms) {
        if (isAbsent(value)) break;
        value = transform.apply(value, context);
      }
      if (!isAbsent(value) && conformsTo(dataType, value)) out.push(value);
    }
    return out;
  };
  return { ...rule, read };
}

/** undefined, null and '' count as "no value" (an empty HRIS cell, a JSON null). */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
