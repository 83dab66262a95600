/**
 * Realistic xAPI statements for the bench: learners from a fixed pool of agents completing,
 * passing, failing and experiencing course modules, with results, registrations and context
 * activities — the shape an LMS sends. Content is drawn from a seeded generator (so runs are
 * comparable); ids are random UUIDs, fresh for every statement sent or preloaded.
 */
import { randomUUID } from 'node:crypto';
import { seededRandom } from '../support/random.js';

type Json = Record<string, unknown>;

/** Request header carrying the number of statements in a POST body: the ceiling answers that many ids without parsing. */
export const COUNT_HEADER = 'X-Bench-Count';

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: () => number, below: number): number => Math.floor(random() * below);

export function agentMbox(index: number): string {
  return `mailto:learner${String(index).padStart(6, '0')}@acme.example`;
}

export function agent(index: number): Json {
  return { objectType: 'Agent', name: `Learner ${index}`, mbox: agentMbox(index) };
}

const VERBS = [
  { id: 'http://adlnet.gov/expapi/verbs/completed', display: 'completed', result: 'completion' },
  { id: 'http://adlnet.gov/expapi/verbs/passed', display: 'passed', result: 'pass' },
  { id: 'http://adlnet.gov/expapi/verbs/failed', display: 'failed', result: 'fail' },
  { id: 'http://adlnet.gov/expapi/verbs/experienced', display: 'experienced', result: null },
  { id: 'http://adlnet.gov/expapi/verbs/attempted', display: 'attempted', result: null },
  { id: 'http://adlnet.gov/expapi/verbs/answered', display: 'answered', result: 'pass' },
  { id: 'http://adlnet.gov/expapi/verbs/progressed', display: 'progressed', result: null },
] as const;

const COURSES = 200;
const MODULES_PER_COURSE = 8;
const PROGRAMS = 12;

/** A deterministic UUID-shaped string (version 4 layout) from the generator. */
function seededUuid(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => int(random, 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + int(random, 4)).toString(16)}${hex(3)}-${hex(12)}`;
}

function isoDuration(seconds: number): string {
  return `PT${Math.floor(seconds / 60)}M${seconds % 60}S`;
}

/** One statement as a client sends it, minus id and actor (which vary per statement sent). */
export function statementBody(random: () => number): Json {
  const verb = pick(random, VERBS);
  const course = int(random, COURSES);
  const module = int(random, MODULES_PER_COURSE);
  const courseId = `https://acme.example/courses/c${course}`;
  const statement: Json = {
    verb: { id: verb.id, display: { 'en-US': verb.display } },
    object: {
      objectType: 'Activity',
      id: `${courseId}/modules/m${module}`,
      definition: {
        name: { 'en-US': `Course ${course}, module ${module + 1}` },
        description: { 'en-US': `Module ${module + 1} of the course ${course} curriculum.` },
        type: 'http://adlnet.gov/expapi/activities/module',
      },
    },
    context: {
      registration: seededUuid(random),
      platform: 'Acme LMS',
      language: 'en-US',
      contextActivities: {
        parent: [{ id: courseId, objectType: 'Activity' }],
        grouping: [{ id: `https://acme.example/programs/p${course % PROGRAMS}`, objectType: 'Activity' }],
        category: [{ id: 'https://w3id.org/xapi/scorm', objectType: 'Activity' }],
      },
    },
    timestamp: new Date(Date.UTC(2025, 0, 1) + int(random, 365 * 24 * 3600) * 1000).toISOString(),
  };
  if (verb.result !== null) {
    const raw = verb.result === 'fail' ? int(random, 60) : 60 + int(random, 41);
    statement.result = {
      score: { scaled: raw / 100, raw, min: 0, max: 100 },
      success: verb.result !== 'fail',
      completion: verb.result !== 'fail',
      duration: isoDuration(60 + int(random, 3600)),
    };
  }
  return statement;
}

/**
 * Request bodies for the POST figures, cheap to produce in the load generator (which shares
 * the machine with the server): statement texts are serialized once, and each request splices
 * fresh ids and actors from the pool into them.
 */
export class BodyFactory {
  private readonly tails: string[];
  private readonly actors: string[];
  private next = 0;

  constructor(agents: number, templates = 4_000, seed = 7) {
    const random = seededRandom(seed);
    // `{"verb":…}` without its opening brace, to follow `{"id":…,"actor":…,`.
    this.tails = Array.from({ length: templates }, () => JSON.stringify(statementBody(random)).slice(1));
    this.actors = Array.from({ length: agents }, (_, i) => JSON.stringify(agent(i)));
  }

  statement(): string {
    const tail = this.tails[this.next++ % this.tails.length] as string;
    const actor = this.actors[Math.floor(Math.random() * this.actors.length)] as string;
    return `{"id":"${randomUUID()}","actor":${actor},${tail}`;
  }

  /** A JSON array of `n` statements. */
  batch(n: number): string {
    const parts = new Array<string>(n);
    for (let i = 0; i < n; i++) parts[i] = this.statement();
    return `[${parts.join(',')}]`;
  }
}
