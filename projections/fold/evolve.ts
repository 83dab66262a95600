/**
 * Folding one statement into a member's state (ARCHITECTURE.md §5). Pure apart from mutating the
 * state it is given; voided statements never reach it (the worker recomputes instead).
 */
import type { Concept, Mapping } from '../mapping/index.js';
import type { ActivityFold, MemberFold, Moment } from '../../src/model/member-fold.js';
import type { EnrollmentState } from '../../src/model/profile.js';

type Json = Record<string, unknown>;

export const BADGE_TYPE = 'http://activitystrea.ms/schema/1.0/badge';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function before(a: Moment, b: Moment): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The statement's timestamp in UTC with milliseconds (stored when it has none, as the LRS sets it). */
export function statementMoment(statement: Json, seq: number): Moment {
  const raw = typeof statement.timestamp === 'string' ? statement.timestamp : String(statement.stored);
  const ms = Date.parse(raw);
  return [Number.isNaN(ms) ? String(statement.stored) : new Date(ms).toISOString(), seq];
}

/** A language map's best text: en-US, then any English, then the first tag in order. */
export function displayText(map: unknown): string | null {
  if (!isObject(map)) return null;
  const tags = Object.keys(map).sort();
  const tag = tags.find((t) => t.toLowerCase() === 'en-us') ?? tags.find((t) => t.toLowerCase().startsWith('en')) ?? tags[0];
  const text = tag === undefined ? undefined : map[tag];
  return typeof text === 'string' ? text : null;
}

const ENROLLMENT_BY_CONCEPT: Partial<Record<Concept, EnrollmentState>> = {
  enroll: 'active',
  launch: 'active',
  completion: 'completed',
  pass: 'completed',
  drop: 'dropped',
};

function activityOf(state: MemberFold, id: string): ActivityFold {
  let fold = state.activities[id];
  if (!fold) {
    fold = { passed: false, failed: false, attempts: 0 };
    state.activities[id] = fold;
  }
  return fold;
}

export function foldStatement(state: MemberFold, statement: Json, seq: number, mapping: Mapping): void {
  const object = statement.object;
  if (!isObject(object) || (object.objectType !== undefined && object.objectType !== 'Activity') || typeof object.id !== 'string') return;
  const activityId = object.id;
  const at = statementMoment(statement, seq);
  const verbId = isObject(statement.verb) && typeof statement.verb.id === 'string' ? statement.verb.id : '';
  const concept = mapping.concept(verbId);
  const result = isObject(statement.result) ? statement.result : {};
  const definition = isObject(object.definition) ? object.definition : {};
  const activity = activityOf(state, activityId);

  const name = displayText(definition.name);
  if (name !== null && (!activity.name || before(activity.name.at, at))) activity.name = { text: name, at };

  const completes = concept === 'completion' || concept === 'pass' || mapping.field('learning_completed', statement) === true;
  if (completes && (!activity.completedAt || before(at, activity.completedAt))) activity.completedAt = at;
  if (concept === 'pass' || result.success === true) activity.passed = true;
  if (concept === 'fail' || result.success === false) activity.failed = true;

  const score = mapping.field('score', statement);
  if (typeof score === 'number') {
    activity.attempts += 1;
    activity.bestScore = Math.max(activity.bestScore ?? score, score);
    if (!activity.latestScore || before(activity.latestScore.at, at)) activity.latestScore = { value: score, at };
  }

  const enrollment = concept === undefined ? undefined : ENROLLMENT_BY_CONCEPT[concept];
  if (enrollment && (!activity.enrollment || before(activity.enrollment.at, at))) activity.enrollment = { state: enrollment, at };

  if (concept === 'badge' || definition.type === BADGE_TYPE) {
    const known = state.badges[activityId];
    if (!known || before(at, known.at)) {
      state.badges[activityId] = { at, name, assertion: mapping.field('badge_awarded', statement) ?? null };
    }
  }

  // The template may map several certificate sources (cardinality many): each ref counts.
  const refs = mapping.field('certificate_ref', statement);
  for (const ref of Array.isArray(refs) ? refs : [refs]) {
    if (typeof ref !== 'string' || ref === '') continue;
    const known = state.certificates[ref];
    if (!known || before(at, known.at)) state.certificates[ref] = { activityId, at };
  }
}
