/**
 * Loading the mapping (template + verb rules + skill rules) from a directory, checking every
 * file first: loadMapping either returns a usable Mapping or throws a MappingError carrying all
 * problems of all files, so a bad mapping stops start-up with the file, row and column of each.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { mappingsDirSetting } from '../../src/config.js';
import { MappingError, sortProblems, WHOLE_FILE, WHOLE_ROW, type MappingProblem } from './problems.js';
import { readSkillRules, readVerbRules, type Concept, type SkillRule, type VerbRule } from './rules.js';
import { isAbsent, readTemplate, templateVersion, type CompiledFieldRule, type FieldRule, type SourceSystem } from './template.js';
import type { TransformContext } from './transforms.js';
import { projectFile } from '../../src/project-files.js';

export interface Mapping {
  /** e.g. "lms-marketplace@1", from the template's file name version */
  version: string;
  concept(verbId: string): Concept | undefined;
  /** The skills a completed activity gives evidence for; [] when none. A fresh array each call. */
  skills(activityId: string): { skillId: string; level: number }[];
  /**
   * The transformed value of a target field read from an xAPI statement (source_system xapi) or
   * an HRIS employee row (source_system hris); undefined when absent or the transform yields
   * nothing. Rows for the same target are alternatives in file order: cardinality `one` gives
   * the first value found, `many` an array of all values found (distinct, never empty).
   * `system` restricts the rows to one source system; without it every row of the target is
   * tried (a statement has no HRIS fields and vice versa). Throws on a target no row maps.
   */
  field(target: string, source: Record<string, unknown>, system?: SourceSystem): unknown;
  /** The required targets of a source system that `source` gives no value for (e.g. for HRIS import). */
  missingRequired(source: Record<string, unknown>, system: SourceSystem): string[];
  /** Every target field the template maps, in file order. */
  readonly targets: readonly string[];
  readonly fieldRules: readonly FieldRule[];
  readonly verbRules: readonly VerbRule[];
  readonly skillRules: readonly SkillRule[];
  /** The files it was loaded from. */
  readonly files: { template: string; verbs: string; skills: string };
}

export type MappingFileKind = 'template' | 'verbs' | 'skills';

/** A file's kind by its name: verbs*.csv, skills*.csv, anything else is a template. */
export function mappingFileKind(file: string): MappingFileKind {
  const name = basename(file).toLowerCase();
  if (name.startsWith('verbs') && name.endsWith('.csv')) return 'verbs';
  if (name.startsWith('skills') && name.endsWith('.csv')) return 'skills';
  return 'template';
}

export const TEMPLATE_NAME = 'lms-marketplace';
const MARKER = join('mappings', `${TEMPLATE_NAME}.v1.csv`);

/**
 * The project's mappings/ directory, found by walking up from this module's folder to the first
 * folder holding mappings/lms-marketplace.v1.csv, so the same code works from
 * projections/mapping/ (sources, tests) and dist/projections/mapping/ (compiled build).
 */
export function defaultMappingsDir(): string {
  return dirname(projectFile(MARKER));
}

/**
 * The mappings directory to use: `MAPPINGS_DIR` (resolved against `cwd`; it must be an existing
 * directory, else a ConfigError naming the variable, src/config.ts) or the project's own.
 */
export function mappingsDir(env: Record<string, string | undefined>, cwd?: string): string {
  return mappingsDirSetting(env, cwd) ?? defaultMappingsDir();
}

/** The newest lms-marketplace.v<N>.csv in a directory (highest N), or undefined. */
function newestTemplate(dir: string): string | undefined {
  let best: { n: number; name: string } | undefined;
  for (const name of listCsv(dir)) {
    const m = /^lms-marketplace\.v([1-9]\d*)\.csv$/.exec(name);
    if (m !== null && (best === undefined || Number(m[1]) > best.n)) best = { n: Number(m[1]), name };
  }
  return best === undefined ? undefined : join(dir, best.name);
}

function listCsv(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.toLowerCase().endsWith('.csv'))
      .sort();
  } catch {
    return [];
  }
}

export interface MappingFileReport {
  file: string;
  kind: MappingFileKind;
  /** Data rows read (header not counted). */
  rows: number;
  /** The template's version, for templates with a versioned name. */
  version?: string;
}

export interface MappingCheck {
  problems: MappingProblem[];
  files: MappingFileReport[];
}

/**
 * Checks mapping files. Given a directory: every .csv in it (at least verbs.csv, skills.csv and
 * one lms-marketplace.v<N>.csv must be there); given files: each by its kind (mappingFileKind).
 */
export function checkMappingFiles(paths: string[] | string): MappingCheck {
  const problems: MappingProblem[] = [];
  const files: MappingFileReport[] = [];
  let list: string[];
  if (typeof paths === 'string') {
    const dir = paths;
    list = listCsv(dir).map((name) => join(dir, name));
    const missing = (file: string, what: string) =>
      problems.push({ file, row: WHOLE_FILE, column: WHOLE_ROW, rule: 'missing-file', message: `the mappings directory has no ${what}` });
    if (!existsSync(dir)) {
      problems.push({ file: dir, row: WHOLE_FILE, column: WHOLE_ROW, rule: 'missing-file', message: 'the mappings directory does not exist' });
      return { problems, files };
    }
    if (!list.some((f) => basename(f) === 'verbs.csv')) missing(join(dir, 'verbs.csv'), 'verbs.csv');
    if (!list.some((f) => basename(f) === 'skills.csv')) missing(join(dir, 'skills.csv'), 'skills.csv');
    if (newestTemplate(dir) === undefined) missing(join(dir, `${TEMPLATE_NAME}.v1.csv`), `template ${TEMPLATE_NAME}.v<N>.csv`);
  } else {
    list = paths;
  }
  for (const file of list) {
    const kind = mappingFileKind(file);
    if (kind === 'verbs') {
      const { rows, problems: found } = readVerbRules(file);
      problems.push(...found);
      files.push({ file, kind, rows });
    } else if (kind === 'skills') {
      const { rows, problems: found } = readSkillRules(file);
      problems.push(...found);
      files.push({ file, kind, rows });
    } else {
      const { rows, problems: found } = readTemplate(file);
      problems.push(...found);
      const version = templateVersion(file);
      files.push({ file, kind, rows, ...(version === undefined ? {} : { version }) });
    }
  }
  return { problems: sortProblems(problems), files };
}

/** All problems of the given files or directory; [] when they are valid. */
export function validateMappingFiles(paths: string[] | string): MappingProblem[] {
  return checkMappingFiles(paths).problems;
}

/**
 * Loads the mapping from a directory: its newest lms-marketplace.v<N>.csv, verbs.csv and
 * skills.csv (other files are not read). Throws MappingError with every problem of the three.
 */
export function loadMapping(dir: string = defaultMappingsDir()): Mapping {
  const templateFile = newestTemplate(dir) ?? join(dir, `${TEMPLATE_NAME}.v1.csv`);
  const verbsFile = join(dir, 'verbs.csv');
  const skillsFile = join(dir, 'skills.csv');
  const template = readTemplate(templateFile);
  const verbs = readVerbRules(verbsFile);
  const skills = readSkillRules(skillsFile);
  const problems = [...template.problems, ...verbs.problems, ...skills.problems];
  if (problems.length > 0 || template.template === undefined) throw new MappingError(sortProblems(problems));
  return buildMapping(template.template.version, template.template.rules, verbs.rules, skills.rules, {
    template: templateFile,
    verbs: verbsFile,
    skills: skillsFile,
  });
}

function buildMapping(
  version: string,
  fieldRules: readonly CompiledFieldRule[],
  verbRules: readonly VerbRule[],
  skillRules: readonly SkillRule[],
  files: Mapping['files'],
): Mapping {
  const concepts = new Map(verbRules.map((r) => [r.verbId, r.concept]));
  const skillsByActivity = new Map<string, { skillId: string; level: number }[]>();
  for (const r of skillRules) {
    const list = skillsByActivity.get(r.activityId) ?? [];
    list.push(Object.freeze({ skillId: r.skillId, level: r.level }));
    skillsByActivity.set(r.activityId, list);
  }
  const byTarget = new Map<string, CompiledFieldRule[]>();
  for (const rule of fieldRules) {
    const list = byTarget.get(rule.targetField) ?? [];
    list.push(rule);
    byTarget.set(rule.targetField, list);
  }
  const concept = (verbId: string): Concept | undefined => (typeof verbId === 'string' ? concepts.get(verbId) : undefined);
  const context: TransformContext = { concept };

  const field = (target: string, source: Record<string, unknown>, system?: SourceSystem): unknown => {
    const rules = byTarget.get(target);
    if (rules === undefined) throw new Error(`the mapping ${version} has no target field "${target}"`);
    const many = rules[0]?.cardinality === 'many';
    const collected: unknown[] = [];
    for (const rule of rules) {
      if (system !== undefined && rule.sourceSystem !== system) continue;
      const values = rule.read(source, context);
      if (!many) {
        if (values.length > 0) return values[0];
        continue;
      }
      for (const value of values) if (!collected.some((c) => sameValue(c, value))) collected.push(value);
    }
    return collected.length > 0 ? collected : undefined;
  };

  const missingRequired = (source: Record<string, unknown>, system: SourceSystem): string[] => {
    const missing: string[] = [];
    for (const [target, rules] of byTarget) {
      if (!rules.some((r) => r.required && r.sourceSystem === system)) continue;
      if (isAbsent(field(target, source, system))) missing.push(target);
    }
    return missing;
  };

  return Object.freeze({
    version,
    concept,
    skills: (activityId: string) => [...(skillsByActivity.get(activityId) ?? [])],
    field,
    missingRequired,
    targets: Object.freeze([...byTarget.keys()]),
    fieldRules: Object.freeze(fieldRules.map(({ read: _read, ...rule }) => Object.freeze(rule))),
    verbRules: Object.freeze([...verbRules]),
    skillRules: Object.freeze([...skillRules]),
    files: Object.freeze({ ...files }),
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
}
