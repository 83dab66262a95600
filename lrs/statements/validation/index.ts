/**
 * Validation of xAPI 1.0.3 and 2.0.0 statements as sent by clients (1.0.3 xAPI-Data.md sections 2
 * and 4; IEEE 9274.1.1 section 4.2).
 *
 * validateStatement = JSON Schema (structure, types, allowed properties; see schema.ts)
 *                   + rules the schema does not express (formats and cross-property rules;
 *                     see rules.ts).
 * An empty result means the statement is valid.
 */
import { agentSchemaProblems, statementSchemaProblems } from './schema.js';
import { agentRuleProblems, statementRuleProblems } from './rules.js';
import type { XapiVersion } from '../../version.js';
import type { Problem } from '../../../src/refusal.js';

/** A statement problem: where it is (e.g. `statement.actor.mbox`), the kebab-case rule and why. */
export type ValidationProblem = Problem;

export { isUuid } from './formats.js';

/**
 * Validates one statement (POST/PUT /statements) under the rules of the request's xAPI version
 * (1.0.3 unless told). `path` prefixes every problem path.
 */
export function validateStatement(input: unknown, path = 'statement', version: XapiVersion = '1.0.3'): ValidationProblem[] {
  return combine(statementSchemaProblems(input, path), statementRuleProblems(input, path, version));
}

/**
 * Validates one Agent or Group object, e.g. the JSON of the `agent` query parameter of
 * GET /statements. Anonymous Groups are accepted here; callers that need an identifiable actor
 * must check for an inverse functional identifier themselves.
 */
export function validateAgent(input: unknown, path: string): ValidationProblem[] {
  return combine(agentSchemaProblems(input, path), agentRuleProblems(input, path));
}

function combine(a: ValidationProblem[], b: ValidationProblem[]): ValidationProblem[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return a.concat(b);
}
