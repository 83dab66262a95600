/**
 * The statement write path, top to bottom:
 * validate → assign ids and check them → check attachment parts and signatures (Data 2.6) →
 * shape the stored form → store → map the outcome. A request it cannot store is a Refusal
 * (src/refusal.ts), answered in HTTP by src/http/errors.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityStore, AttachmentContent, AttachmentStore, NewStatement, StatementStore } from '../../src/storage/port.js';
import { Refusal, invalid, type Problem } from '../../src/refusal.js';
import { validateStatement } from './validation/index.js';
import { statementsEquivalent } from './compare.js';
import { isVoiding, statementKeys, statementRefTarget } from './keys.js';
import { checkAttachmentParts } from './attachment-parts.js';
import { activityDefinitions, mergeDefinition } from '../activities/definition.js';
import { verifySignedStatements } from './signature.js';
import type { XapiVersion } from '../version.js';
import { toUtcTimestamp } from './validation/formats.js';

type Json = Record<string, unknown>;

/**
 * People who were erased (projections/erasure/tombstone.ts): a statement whose actor is one of
 * them is refused, so an erased person is never stored or profiled again.
 */
export interface ErasedActors {
  /** Brings the list up to date (cheap: it looks at the store at most once a second). */
  refresh(): Promise<void>;
  actorErased(actor: unknown): boolean;
}

export interface WriteContext {
  store: StatementStore;
  attachments: AttachmentStore;
  /** Canonical Activity definitions, folded with those of the statements stored. */
  activities: ActivityStore;
  authority: Json;
  /** Current time as UTC ISO 8601 with milliseconds; injected so tests control the clock. */
  now: () => string;
  /** The xAPI version of the request: its validation rules and the version given to statements without one. 1.0.3 when absent. */
  xapiVersion?: XapiVersion;
  /**
   * Whether the statements may update the canonical Activity definitions: false for a
   * credential without scope `define` (xAPI 1.0.3 Communication 4.2). True when absent.
   */
  updateDefinitions?: boolean;
  /** Erased people, whose statements are refused; none when absent. */
  erased?: ErasedActors;
}

function validateAll(inputs: unknown[], asArray: boolean, version: XapiVersion): void {
  const problems: Problem[] = [];
  inputs.forEach((input, i) => problems.push(...validateStatement(input, asArray ? `statements[${i}]` : 'statement', version)));
  if (problems.length > 0) {
    throw invalid('invalid-statement', problems.map((p) => `${p.path}: ${p.message}`).slice(0, 5).join('; '), problems);
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A single context activity is stored as an array of one (xAPI 1.0.3 Data 2.4.6.2: the LRS returns arrays). */
function withContextActivityArrays(part: Json): Json {
  const context = part.context;
  if (!isObject(context) || !isObject(context.contextActivities)) return part;
  const contextActivities = Object.fromEntries(
    Object.entries(context.contextActivities).map(([kind, value]) => [kind, Array.isArray(value) ? value : [value]]),
  );
  return { ...part, context: { ...context, contextActivities } };
}

/** xAPI 2.0 (9274.1.1 4.2.7): the LRS converts timestamps to UTC; the instant and its precision are kept. */
function withUtcTimestamp(part: Json): Json {
  if (typeof part.timestamp !== 'string') return part;
  return { ...part, timestamp: toUtcTimestamp(part.timestamp) ?? part.timestamp };
}

/**
 * The stored form: what was sent plus id, stored, authority, timestamp and version (xAPI 1.0.3
 * Data 2.4); a 2.0 statement's timestamps (its own and its SubStatement's) in UTC.
 */
export function shape(sent: Json, id: string, stored: string, authority: Json, xapiVersion: XapiVersion): NewStatement {
  const xapi2 = xapiVersion === '2.0.0';
  let input = withContextActivityArrays(sent);
  if (xapi2) input = withUtcTimestamp(input);
  if (isObject(input.object) && input.object.objectType === 'SubStatement') {
    const sub = withContextActivityArrays(input.object);
    input = { ...input, object: xapi2 ? withUtcTimestamp(sub) : sub };
  }
  const statement: Json = {
    ...input,
    id,
    timestamp: input.timestamp ?? stored,
    stored,
    authority,
    // A statement without a version gets 1.0.0 (1.0.3 Data 2.4.10) or 2.0.0 (9274.1.1 4.2.4.3).
    version: input.version ?? (xapi2 ? '2.0.0' : '1.0.0'),
  };
  return {
    id: id.toLowerCase(),
    statement,
    keys: statementKeys(statement),
    refTarget: statementRefTarget(statement),
    voiding: isVoiding(statement),
  };
}

export interface WriteRequest {
  statements: unknown[];
  /** The statementId of a PUT, which the body must match when it carries an id. */
  fixedId?: string;
  /** Whether the body was an array (problem paths then read `statements[i]`). */
  asArray: boolean;
  /** Attachment bodies sent as multipart parts, hashes already checked. */
  attachments: AttachmentContent[];
  /** Each statement was already validated by the rules of ctx.xapiVersion (the import checks lines one by one, to report them by number). */
  validated?: true;
}

async function refuseErased(statements: Json[], asArray: boolean, erased: ErasedActors): Promise<void> {
  await erased.refresh();
  const at = statements.findIndex((s) => erased.actorErased(s.actor));
  if (at < 0) return;
  const path = `${asArray ? `statements[${at}]` : 'statement'}.actor`;
  throw new Refusal('forbidden', 'erased-identity', `${path} is a person whose data was erased at their request; this LRS does not store statements about them. Nothing of this request was stored.`, [
    { path, rule: 'not-erased', message: 'identifies an erased person' },
  ]);
}

/** Stores statements all-or-nothing and returns their ids in order. */
export async function storeStatements(request: WriteRequest, ctx: WriteContext): Promise<string[]> {
  return (await writeStatements(request, ctx)).ids;
}

/**
 * storeStatements, also answering each statement's seq: an equivalent re-send keeps the seq of
 * the statement stored before, which is how an import tells imported from unchanged.
 */
export async function writeStatements(request: WriteRequest, ctx: WriteContext): Promise<{ ids: string[]; seqs: number[] }> {
  const { statements: inputs, fixedId } = request;
  const xapiVersion = ctx.xapiVersion ?? '1.0.3';
  if (!request.validated) validateAll(inputs, request.asArray, xapiVersion);
  const statements = inputs as Json[];
  if (ctx.erased) await refuseErased(statements, request.asArray, ctx.erased);
  const ids = statements.map((s) => (typeof s.id === 'string' ? s.id : (fixedId ?? randomUUID())));
  if (fixedId !== undefined && ids[0]?.toLowerCase() !== fixedId.toLowerCase()) {
    throw invalid('id-mismatch', 'The statement id differs from the statementId parameter.', [
      { path: 'statement.id', rule: 'matches-statementId', message: `must equal statementId ${fixedId}` },
    ]);
  }
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id.toLowerCase());
    if (first !== undefined) {
      throw invalid('duplicate-id', `statements[${first}] and statements[${i}] have the same id ${id}.`, [
        { path: `statements[${i}].id`, rule: 'unique-in-batch', message: `repeats the id of statements[${first}]` },
      ]);
    }
    seen.set(id.toLowerCase(), i);
  });

  checkAttachmentParts(statements, request.attachments, request.asArray);
  await verifySignedStatements(statements, ids, request.attachments, request.asArray);

  const stored = ctx.now();
  const batch = statements.map((s, i) => shape(s, ids[i] as string, stored, ctx.authority, xapiVersion));
  // Taken before the insert is awaited: only these small parts of the statements need to outlive it.
  const definitions = ctx.updateDefinitions === false ? [] : activityDefinitions(batch.map((s) => s.statement));
  await ctx.attachments.save(request.attachments);
  const outcome = await ctx.store.insert(batch, statementsEquivalent);
  switch (outcome.kind) {
    case 'stored':
      if (definitions.length > 0) await ctx.activities.mergeDefinitions(definitions, mergeDefinition);
      return { ids, seqs: outcome.seqs };
    case 'conflict':
      throw new Refusal('conflict', 'conflict', `A different statement with id ${outcome.id} is already stored; nothing of this request was stored.`, [
        { path: 'id', rule: 'immutable-statement', message: `statement ${outcome.id} exists with other content` },
      ]);
    case 'voids-voiding':
      throw invalid('voids-voiding-statement', `Statement ${outcome.id} tries to void ${outcome.target}, which is itself a voiding statement.`, [
        { path: 'object.id', rule: 'no-voiding-of-voiding', message: 'a voiding statement cannot be voided' },
      ]);
  }
}
