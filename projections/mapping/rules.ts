/**
 * The rule tables: verb → concept (mappings/verbs.csv) and activity → skills
 * (mappings/skills.csv), ARCHITECTURE.md §5. Each row is checked against its JSON Schema, then across
 * rows (duplicates).
 */
import { readCsvFile } from './csv.js';
import type { MappingProblem } from './problems.js';
import { rowSchemaProblems, type RowKind } from './row-schemas.js';

export const CONCEPTS = ['completion', 'pass', 'fail', 'enroll', 'launch', 'drop', 'badge', 'score'] as const;
export type Concept = (typeof CONCEPTS)[number];

export const VERBS_HEADER = ['verb_id', 'concept'] as const;
export const SKILLS_HEADER = ['activity_id', 'skill_id', 'level'] as const;

export interface VerbRule {
  verbId: string;
  concept: Concept;
  /** Line in the file (header = 1). */
  line: number;
}

export interface SkillRule {
  activityId: string;
  skillId: string;
  /** 0–100. */
  level: number;
  line: number;
}

/** How one rule table is read: its header and row schema, the row's key, and the rule it makes. */
interface RuleTable<R> {
  header: readonly string[];
  kind: RowKind;
  /** The row as its schema sees it (cells already without empty ones). */
  row?(row: Record<string, unknown>, cells: Record<string, string>): void;
  /** What no two rows may share; null when the row lacks a part of it (its schema says so). */
  key(cells: Record<string, string>): string | null;
  duplicate(cells: Record<string, string>, earlierLine: number): { column: string; rule: string; message: string };
  rule(cells: Record<string, string>, row: Record<string, unknown>, line: number): R;
}

/** Reads a rule table; `rules` holds the valid rows only, `rows` counts all data rows. */
function readRuleTable<R>(file: string, table: RuleTable<R>): { rules: R[]; rows: number; problems: MappingProblem[] } {
  const csv = readCsvFile(file, table.header);
  const problems = [...csv.problems];
  const rules: R[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of csv.rows) {
    const row = withoutEmptyCells(cells);
    table.row?.(row, cells);
    const rowProblems = rowSchemaProblems(table.kind, row, file, line);
    const key = table.key(cells);
    const earlier = key === null ? undefined : firstLine.get(key);
    if (earlier !== undefined) rowProblems.push({ file, row: line, ...table.duplicate(cells, earlier) });
    else if (key !== null) firstLine.set(key, line);
    problems.push(...rowProblems);
    if (rowProblems.length === 0) rules.push(table.rule(cells, row, line));
  }
  return { rules, rows: csv.rows.length, problems };
}

/** Reads verbs.csv. Verb ids are compared as exact strings; a verb maps to one concept. */
export function readVerbRules(file: string): { rules: VerbRule[]; rows: number; problems: MappingProblem[] } {
  return readRuleTable<VerbRule>(file, {
    header: VERBS_HEADER,
    kind: 'verb',
    key: (cells) => cells['verb_id'] || null,
    duplicate: (cells, earlier) => ({
      column: 'verb_id',
      rule: 'duplicate-verb',
      message: `verb ${cells['verb_id']} already has a rule on line ${earlier}; a verb maps to one concept`,
    }),
    rule: (cells, _row, line) => ({ verbId: cells['verb_id'] ?? '', concept: cells['concept'] as Concept, line }),
  });
}

/** Reads skills.csv: an activity gives a skill once. */
export function readSkillRules(file: string): { rules: SkillRule[]; rows: number; problems: MappingProblem[] } {
  return readRuleTable<SkillRule>(file, {
    header: SKILLS_HEADER,
    kind: 'skill',
    row: (row, cells) => {
      const level = cells['level'] ?? '';
      if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(level)) row['level'] = Number(level);
    },
    key: (cells) => (cells['activity_id'] && cells['skill_id'] ? `${cells['activity_id']}\u0000${cells['skill_id']}` : null),
    duplicate: (cells, earlier) => ({
      column: 'skill_id',
      rule: 'duplicate-skill',
      message: `activity ${cells['activity_id']} already gives skill ${cells['skill_id']} on line ${earlier}`,
    }),
    rule: (cells, row, line) => ({ activityId: cells['activity_id'] ?? '', skillId: cells['skill_id'] ?? '', level: row['level'] as number, line }),
  });
}

/** A CSV row as the object its schema validates: empty cells are absent. */
export function withoutEmptyCells(cells: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(cells)) if (value !== '') row[column] = value;
  return row;
}
