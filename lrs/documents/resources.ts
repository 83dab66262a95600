/**
 * The three document resources (xAPI 1.0.3 Communication 2.2–2.7) as data: one implementation
 * serves all of them, parameterised by these descriptions. Also the
 * parsing of their query parameters into the document (or the set of documents) a request
 * addresses.
 */
import type { DocumentKey, DocumentResource, DocumentSelection } from '../../src/storage/port.js';
import { invalidParameter } from '../../src/http/errors.js';
import { isUuid } from '../statements/validation/index.js';
import { parseAgentParam } from '../agents/agent-param.js';
import { activityIdParam, checkParamNames, requiredParam, timestampParam } from '../params.js';
import type { XapiVersion } from '../version.js';

export interface DocumentResourceSpec {
  resource: DocumentResource;
  /** Path below the xAPI endpoint. */
  path: string;
  /** Human name for messages, e.g. "state document". */
  label: string;
  /** The parameter naming one document. */
  idParam: 'stateId' | 'profileId';
  /** Scoped by an Activity (`activityId`), by an Agent (`agent`), by a registration. */
  byActivity: boolean;
  byAgent: boolean;
  byRegistration: boolean;
  /**
   * PUT must carry If-Match or If-None-Match (Communication 3.1.s3: both profile resources). The
   * State resource needs them in xAPI 2.0 only, and only to replace a document (9274.1.1 4.1.4).
   */
  putNeedsPrecondition: boolean;
  /** DELETE without an id deletes every document of the context (Communication 2.3.s5: state only). */
  deletesMany: boolean;
}

export const STATE: DocumentResourceSpec = {
  resource: 'state',
  path: '/activities/state',
  label: 'state document',
  idParam: 'stateId',
  byActivity: true,
  byAgent: true,
  byRegistration: true,
  putNeedsPrecondition: false,
  deletesMany: true,
};

export const ACTIVITY_PROFILE: DocumentResourceSpec = {
  resource: 'activity-profile',
  path: '/activities/profile',
  label: 'activity profile document',
  idParam: 'profileId',
  byActivity: true,
  byAgent: false,
  byRegistration: false,
  putNeedsPrecondition: true,
  deletesMany: false,
};

export const AGENT_PROFILE: DocumentResourceSpec = {
  resource: 'agent-profile',
  path: '/agents/profile',
  label: 'agent profile document',
  idParam: 'profileId',
  byActivity: false,
  byAgent: true,
  byRegistration: false,
  putNeedsPrecondition: true,
  deletesMany: false,
};

export const DOCUMENT_RESOURCES: readonly DocumentResourceSpec[] = [STATE, ACTIVITY_PROFILE, AGENT_PROFILE];

export type DocumentMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** What a request addresses: one document, or (GET / state DELETE without an id) a set of them. */
export type DocumentTarget =
  | { kind: 'one'; key: DocumentKey }
  | { kind: 'many'; selection: DocumentSelection; since?: string };

/** `version`: the request's xAPI version, which decides the timestamp format of `since`. */
export function parseDocumentTarget(spec: DocumentResourceSpec, method: DocumentMethod, params: URLSearchParams, version: XapiVersion = '1.0.3'): DocumentTarget {
  const context = `${method} ${spec.path}`;
  const allowed: string[] = [];
  if (spec.byActivity) allowed.push('activityId');
  if (spec.byAgent) allowed.push('agent');
  if (spec.byRegistration) allowed.push('registration');
  allowed.push(spec.idParam);
  if (method === 'GET') allowed.push('since');
  checkParamNames(params, allowed, context);

  const activityId = spec.byActivity ? activityIdParam(params, context) : null;
  const agent = spec.byAgent ? parseAgentParam(requiredParam(params, 'agent', context)).identity : null;
  const rawRegistration = params.get('registration');
  if (rawRegistration !== null && !isUuid(rawRegistration)) throw invalidParameter('registration', 'uuid', 'registration must be a UUID');
  const registration = rawRegistration?.toLowerCase() ?? null;

  const id = params.get(spec.idParam);
  const many = id === null && (method === 'GET' || (method === 'DELETE' && spec.deletesMany));
  if (!many) {
    const documentId = requiredParam(params, spec.idParam, context);
    if (params.has('since')) throw invalidParameter('since', 'not-allowed-with', `since lists ids; it cannot be combined with ${spec.idParam}`);
    return { kind: 'one', key: { resource: spec.resource, activityId, agent, registration, id: documentId } };
  }
  // Without a registration, a set covers every registration of the Activity and Agent
  // ("Activity + Agent [+ registration if specified]", Communication 2.3.s4 and 2.3.s5).
  const selection: DocumentSelection = { resource: spec.resource, activityId, agent };
  if (rawRegistration !== null) selection.registration = registration;
  const since = timestampParam(params, 'since', version);
  return since === undefined ? { kind: 'many', selection } : { kind: 'many', selection, since };
}
