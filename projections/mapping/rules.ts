/**
 * The rule tables: verb → concept (mappings/verbs.csv) and activity → skills
 * (mappings/skills.csv), ARCHITECTURE.md §5. Each row is checked against its JSON Schema, then across
 * rows (duplicates).
 */
import { readCsvFile } from './csv.js';
import type { MappingProblem } from './problems.js';
import { rowSchemaProblems } from './row-schemas.js';

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

/** Reads verbs.csv; `rules` holds the valid rows only, `rows` counts all data rows. Verb ids are compared as exact strings. */
export function readVerbRules(file: string): { rules: VerbRule[]; rows: number; problems: MappingProblem[] } {
  const table = readCsvFile(file, VERBS_HEADER);
  const problems = [...table.problems];
  const rules: VerbRule[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const row = withoutEmptyCells(cells);
    const rowProblems = rowSchemaProblems('verb', row, file, line);
    const verbId = cells['verb_id'] ?? '';
    const earlier = firstLine.get(verbId);
    if (verbId !== '' && earlier !== undefined) {
      rowProblems.push({
        file,
        row: line,
        column: 'verb_id',
        rule: 'duplicate-verb',
        message: `verb ${verbId} already has a rule on line ${earlier}; a verb maps to one concept`,
      });
    } else if (verbId !== '') {
      firstLine.set(verbId, line);
    }
    problems.push(...rowProblems);
    if (rowProblems.length === 0) rules.push({ verbId, concept: cells['concept'] as Concept, line });
  }
  return { rules, rows: table.rows.length, problems };
}

/** Reads skills.csv; `rules` holds the valid rows only, `rows` counts all data rows. */
export function readSkillRules(file: string): { rules: SkillRule[]; rows: number; problems: MappingProblem[] } {
  const table = readCsvFile(file, SKILLS_HEADER);
  const problems = [...table.problems];
  const rules: SkillRule[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const row: Record<string, unknown> = withoutEmptyCells(cells);
    const level = cells['level'] ?? '';
    if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(level)) row['level'] = Number(level);
    const rowProblems = rowSchemaProblems('skill', row, file, line);
    const activityId = cells['activity_id'] ?? '';
    const skillId = cells['skill_id'] ?? '';
    const key = `${activityId}\u0000${skillId}`;
    const earlier = firstLine.get(key);
    if (activityId !== '' && skillId !== '' && earlier !== undefined) {
      rowProblems.push({
        file,
        row: line,
        column: 'skill_id',
        rule: 'duplicate-skill',
        message: `activity ${activityId} already gives skill ${skillId} on line ${earlier}`,
      });
    } else if (activityId !== '' && skillId !== '') {
      firstLine.set(key, line);
    }
    problems.push(...rowProblems);
    if (rowProblems.length === 0) rules.push({ activityId, skillId, level: row['level'] as number, line });
  }
  return { rules, rows: table.rows.length, problems };
}

/** A CSV row as the object its schema validates: empty cells are absent. */
export function withoutEmptyCells(cells: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(cells)) if (value !== '') row[column] = value;
  return row;
}
