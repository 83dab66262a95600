/**
 * Structural validation against schemas/xapi-statement.schema.json with ajv, compiled once at
 * module load, and conversion of ajv errors into ValidationProblems.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Problem as ValidationProblem } from '../../../src/refusal.js';
import { joinPath } from './formats.js';
import { readProjectJson } from '../../../src/project-files.js';


const schema = readProjectJson<{ $id: string }>('schemas/xapi-statement.schema.json');
// No type coercion, no defaults: the input is validated as sent.
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateStatementShape: ValidateFunction = ajv.compile(schema);
const validateActorShape: ValidateFunction = requireSubschema(`${schema.$id}#/$defs/actor`);

function requireSubschema(ref: string): ValidateFunction {
  const fn = ajv.getSchema(ref);
  if (fn === undefined) throw new Error(`schema ${ref} not found`);
  return fn;
}

export function statementSchemaProblems(input: unknown, path: string): ValidationProblem[] {
  return run(validateStatementShape, input, path);
}

/** Agent or Group (for the "agent" parameter of GET /statements and similar). */
export function agentSchemaProblems(input: unknown, path: string): ValidationProblem[] {
  return run(validateActorShape, input, path);
}

function run(validate: ValidateFunction, input: unknown, path: string): ValidationProblem[] {
  if (validate(input)) return [];
  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, input, path);
    if (problem === null) continue;
    const key = `${problem.path}\u0000${problem.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// ajv error -> ValidationProblem

/** Schema definitions that are `false` on purpose, and the rule each one stands for. */
const FALSE_SCHEMA_RULES: ReadonlyArray<readonly [prefix: string, rule: string, message: string]> = [
  ['#/$defs/forbiddenInSubStatement/', 'substatement-property', 'a SubStatement must not have id, stored, version or authority'],
  ['#/$defs/nestedSubStatement/', 'substatement-nesting', 'a SubStatement cannot contain another SubStatement'],
];

function toProblem(e: ErrorObject, input: unknown, base: string): ValidationProblem | null {
  const segments = pointerSegments(e.instancePath);
  const at = segmentsToPath(segments, input, base);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      return null; // the failing "then" branch reports the actual problem
    case 'required': {
      const prop = String(params['missingProperty']);
      return { path: joinPath(at, prop), rule: 'required', message: `"${prop}" is required` };
    }
    case 'additionalProperties': {
      const prop = String(params['additionalProperty']);
      return { path: joinPath(at, prop), rule: 'additional-property', message: `"${prop}" is not allowed here` };
    }
    case 'type':
      return { path: at, rule: 'type', message: `must be ${withArticle(String(params['type']))}` };
    case 'const':
    case 'enum': {
      const allowed = e.keyword === 'const' ? [params['allowedValue']] : (params['allowedValues'] as unknown[]);
      const last = segments[segments.length - 1];
      const rule = last === 'objectType' ? 'object-type' : last === 'interactionType' ? 'interaction-type' : 'enum';
      return { path: at, rule, message: `must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}` };
    }
    case 'false schema': {
      for (const [prefix, rule, message] of FALSE_SCHEMA_RULES) {
        if (e.schemaPath.startsWith(prefix)) return { path: at, rule, message };
      }
      return { path: at, rule: 'not-allowed', message: 'not allowed here' };
    }
    case 'minimum':
      return { path: at, rule: 'minimum', message: `must be >= ${String(params['limit'])}` };
    default:
      return { path: at, rule: kebabCase(e.keyword), message: e.message ?? 'is invalid' };
  }
}

/** Splits a JSON Pointer ("/a/b~1c/0") into unescaped segments. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => (s.includes('~') ? s.replace(/~1/g, '/').replace(/~0/g, '~') : s));
}

/** Builds the JSON-path-like string, using the data to tell array indexes from property names. */
function segmentsToPath(segments: string[], input: unknown, base: string): string {
  let path = base;
  let current: unknown = input;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      const index = Number(segment);
      path = joinPath(path, index);
      current = current[index];
    } else {
      path = joinPath(path, segment);
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kebabCase(keyword: string): string {
  return keyword.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/\s+/g, '-').toLowerCase();
}
