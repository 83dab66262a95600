/**
 * xAPI 1.0.3 statement rules that the JSON Schema does not express: value formats, inverse
 * functional identifiers, Group kinds, interaction components, score ranges and cross-property
 * constraints. Section numbers refer to xAPI-Data.md of the 1.0.3 specification.
 *
 * A statement sent as xAPI 2.0 (IEEE 9274.1.1) differs in three rules, chosen by the `version`
 * argument: context agents and context groups (4.2.2.5) are allowed — and refused in 1.0.3;
 * timestamps must be RFC 3339 date-times (5.2.7); the version property may also be 2.0.x.
 *
 * The walk runs whether or not the schema accepted the input, so every rule guards the types it
 * reads and reports nothing about values of the wrong type (the schema reports those). Each
 * problem is reported once, at the most specific path.
 */
import type { Problem as ValidationProblem } from '../../../src/refusal.js';
import type { XapiVersion } from '../../version.js';
import {
  isDuration,
  isIri,
  isLanguageTag,
  isMailtoIri,
  isMediaType,
  isSha1Hex,
  isRfc3339Timestamp,
  isStatementVersion,
  isStatementVersion2,
  isTimestamp,
  isUuid,
  joinPath,
} from './formats.js';

type JsonObject = Record<string, unknown>;
type Out = ValidationProblem[];

const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';
const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;
const INTERACTION_PROPERTIES = ['correctResponsesPattern', ...COMPONENT_LISTS] as const;
/** Data 2.4.4.1 "Interaction Components": supported component lists per interactionType. */
const COMPONENT_LISTS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'true-false': [],
  choice: ['choices'],
  'fill-in': [],
  'long-fill-in': [],
  matching: ['source', 'target'],
  performance: ['steps'],
  sequencing: ['choices'],
  likert: ['scale'],
  numeric: [],
  other: [],
};
const CONTEXT_ACTIVITY_KEYS = ['parent', 'grouping', 'category', 'other'] as const;
const NON_ACTIVITY_OBJECT_TYPES = new Set(['Agent', 'Group', 'StatementRef', 'SubStatement']);

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Child path for a property name known to be a plain identifier. */
function dot(path: string, key: string): string {
  return `${path}.${key}`;
}

function report(out: Out, path: string, rule: string, message: string): void {
  out.push({ path, rule, message });
}

// ---------------------------------------------------------------------------------------------
// Entry points

export function statementRuleProblems(input: unknown, path: string, version: XapiVersion = '1.0.3'): ValidationProblem[] {
  const out: Out = [];
  checkStatement(input, path, out, false, version);
  return out;
}

export function agentRuleProblems(input: unknown, path: string): ValidationProblem[] {
  const out: Out = [];
  checkActor(input, path, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statement and SubStatement (Data 2.4, 2.4.4.3)

function checkStatement(s: unknown, path: string, out: Out, isSubStatement: boolean, version: XapiVersion): void {
  if (!isObject(s)) return;
  if (!isSubStatement) {
    // id, stored, version and authority are not allowed in a SubStatement (schema reports that).
    checkUuid(s['id'], dot(path, 'id'), out);
    checkTimestamp(s['stored'], dot(path, 'stored'), out, version);
    checkVersion(s['version'], dot(path, 'version'), out, version);
    checkAuthority(s['authority'], dot(path, 'authority'), out);
  }
  checkActor(s['actor'], dot(path, 'actor'), out);
  checkVerb(s['verb'], dot(path, 'verb'), out);
  checkStatementObject(s['object'], dot(path, 'object'), out, isSubStatement, version);
  checkResult(s['result'], dot(path, 'result'), out);
  checkContext(s['context'], dot(path, 'context'), out, s['object'], version);
  checkTimestamp(s['timestamp'], dot(path, 'timestamp'), out, version);
  checkAttachments(s['attachments'], dot(path, 'attachments'), out);
  if (!isSubStatement) checkVoidingObject(s, path, out);
}

/** Data 2.4.1, 2.4.6.1, 2.4.4.3: UUIDs in standard string form. */
function checkUuid(v: unknown, path: string, out: Out): void {
  if (typeof v === 'string' && !isUuid(v)) {
    report(out, path, 'uuid', `"${v}" is not a UUID in standard string form (8-4-4-4-12 hex digits)`);
  }
}

/** Data 2.4.7, 2.4.8, 4.5: ISO 8601 timestamps; in xAPI 2.0, RFC 3339 date-times (9274.1.1 5.2.7). */
function checkTimestamp(v: unknown, path: string, out: Out, version: XapiVersion): void {
  if (typeof v !== 'string') return;
  if (version === '2.0.0') {
    if (!isRfc3339Timestamp(v)) {
      report(out, path, 'rfc3339-timestamp', `"${v}" is not an RFC 3339 date-time such as 2024-05-01T12:00:00.000Z (seconds and a Z or ±hh:mm offset are required; -00:00 is not allowed)`);
    }
  } else if (!isTimestamp(v)) {
    report(out, path, 'iso8601-timestamp', `"${v}" is not an ISO 8601 date and time (offsets such as -00:00 are not allowed)`);
  }
}

/** Data 2.4.10: the version, if present, must be 1.0 or start with 1.0.; xAPI 2.0 also takes 2.0 and 2.0.x. */
function checkVersion(v: unknown, path: string, out: Out, version: XapiVersion): void {
  if (typeof v !== 'string') return;
  if (version === '2.0.0') {
    if (!isStatementVersion2(v)) report(out, path, 'version', `version "${v}" is not supported: it must be 1.0, 1.0.x, 2.0 or 2.0.x`);
  } else if (!isStatementVersion(v)) {
    report(out, path, 'version', `version "${v}" is not supported: it must be "1.0" or start with "1.0."`);
  }
}

/** Data 2.3.2: the object of a voiding statement must be a StatementRef. */
function checkVoidingObject(s: JsonObject, path: string, out: Out): void {
  const verb = s['verb'];
  if (!isObject(verb) || verb['id'] !== VOIDED_VERB) return;
  const object = s['object'];
  if (isObject(object) && object['objectType'] !== 'StatementRef') {
    report(out, dot(path, 'object'), 'voiding-object', `a statement with verb ${VOIDED_VERB} must have a StatementRef as its object`);
  }
}

// ---------------------------------------------------------------------------------------------
// Agents and Groups (Data 2.4.2)

function countIfis(a: JsonObject): string[] {
  return IFI_KEYS.filter((k) => a[k] !== undefined);
}

/** Agent or Group wherever either is allowed (actor, instructor, authority, agent parameter). */
function checkActor(a: unknown, path: string, out: Out): void {
  if (!isObject(a)) return;
  const type = a['objectType'];
  if (type === 'Group') checkGroup(a, path, out);
  else if (type === undefined || type === 'Agent') checkAgent(a, path, out);
}

/** Data 2.4.2.1: an Agent has exactly one inverse functional identifier. */
function checkAgent(a: JsonObject, path: string, out: Out): void {
  const ifis = countIfis(a);
  if (ifis.length !== 1) {
    report(
      out,
      path,
      'exactly-one-ifi',
      ifis.length === 0
        ? 'an Agent must have exactly one of mbox, mbox_sha1sum, openid, account; it has none'
        : `an Agent must have exactly one of mbox, mbox_sha1sum, openid, account; it has ${ifis.join(', ')}`,
    );
  }
  checkIfiFormats(a, path, out);
}

/**
 * Data 2.4.2.2: an identified Group has exactly one IFI; an anonymous Group (no IFI) must list
 * its members. Members are Agents (a Group member is an "object-type" error from the schema).
 */
function checkGroup(g: JsonObject, path: string, out: Out): void {
  const ifis = countIfis(g);
  if (ifis.length > 1) {
    report(out, path, 'exactly-one-ifi', `an identified Group must have exactly one of mbox, mbox_sha1sum, openid, account; it has ${ifis.join(', ')}`);
  }
  const member = g['member'];
  if (ifis.length === 0 && (member === undefined || (Array.isArray(member) && member.length === 0))) {
    report(out, dot(path, 'member'), 'anonymous-group-member', 'an anonymous Group (a Group without mbox, mbox_sha1sum, openid or account) must list its Agents in "member"');
  }
  checkIfiFormats(g, path, out);
  if (Array.isArray(member)) {
    member.forEach((m, i) => {
      if (isObject(m) && (m['objectType'] === undefined || m['objectType'] === 'Agent')) {
        checkAgent(m, `${path}.member[${i}]`, out);
      }
    });
  }
}

/** Data 2.4.2.3, 2.4.2.4: formats of the identifier values. */
function checkIfiFormats(a: JsonObject, path: string, out: Out): void {
  const mbox = a['mbox'];
  if (typeof mbox === 'string' && !isMailtoIri(mbox)) {
    report(out, dot(path, 'mbox'), 'mailto-iri', `"${mbox}" is not a mailto IRI of the form "mailto:email address"`);
  }
  const sha1 = a['mbox_sha1sum'];
  if (typeof sha1 === 'string' && !isSha1Hex(sha1)) {
    report(out, dot(path, 'mbox_sha1sum'), 'sha1sum', 'mbox_sha1sum must be a hex-encoded SHA-1 hash (40 hex digits)');
  }
  checkIri(a['openid'], dot(path, 'openid'), out);
  const account = a['account'];
  if (isObject(account)) checkIri(account['homePage'], dot(dot(path, 'account'), 'homePage'), out);
}

/**
 * Data 2.4.9: the authority is an Agent, or (3-legged OAuth) a Group of two Agents. The ADL
 * conformance suite rejects identified Groups and Groups of any other size as authority.
 */
function checkAuthority(a: unknown, path: string, out: Out): void {
  if (!isObject(a)) return;
  checkActor(a, path, out);
  if (a['objectType'] !== 'Group') return;
  if (countIfis(a).length > 0) {
    report(out, path, 'authority-group', 'a Group used as authority must be an anonymous Group (application and user of 3-legged OAuth), not an identified Group');
  }
  const member = a['member'];
  if (Array.isArray(member) && member.length !== 2) {
    report(out, dot(path, 'member'), 'authority-group', `a Group used as authority must have exactly two member Agents; it has ${member.length}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Verb (Data 2.4.3)

function checkVerb(v: unknown, path: string, out: Out): void {
  if (!isObject(v)) return;
  checkIri(v['id'], dot(path, 'id'), out);
  checkLanguageMap(v['display'], dot(path, 'display'), out);
}

// ---------------------------------------------------------------------------------------------
// Object (Data 2.4.4)

function checkStatementObject(o: unknown, path: string, out: Out, inSubStatement: boolean, version: XapiVersion): void {
  if (!isObject(o)) return;
  switch (o['objectType']) {
    case undefined:
    case 'Activity':
      checkActivity(o, path, out);
      break;
    case 'Agent':
      checkAgent(o, path, out);
      break;
    case 'Group':
      checkGroup(o, path, out);
      break;
    case 'StatementRef':
      checkStatementRef(o, path, out);
      break;
    case 'SubStatement':
      // A SubStatement inside a SubStatement is reported by the schema (substatement-nesting).
      if (!inSubStatement) checkStatement(o, path, out, true, version);
      break;
    default:
      break; // unknown objectType: reported by the schema
  }
}

/** Data 2.4.4.3: a Statement Reference's id is a UUID. */
function checkStatementRef(r: JsonObject, path: string, out: Out): void {
  checkUuid(r['id'], dot(path, 'id'), out);
}

/** Data 2.4.4.1: Activity id is an IRI; definition properties. */
function checkActivity(a: JsonObject, path: string, out: Out): void {
  checkIri(a['id'], dot(path, 'id'), out);
  const d = a['definition'];
  if (isObject(d)) checkActivityDefinition(d, dot(path, 'definition'), out);
}

function checkActivityDefinition(d: JsonObject, path: string, out: Out): void {
  checkLanguageMap(d['name'], dot(path, 'name'), out);
  checkLanguageMap(d['description'], dot(path, 'description'), out);
  checkIri(d['type'], dot(path, 'type'), out);
  checkIri(d['moreInfo'], dot(path, 'moreInfo'), out);
  checkExtensions(d['extensions'], dot(path, 'extensions'), out);
  checkInteractionTypePresent(d, path, out);
  checkInteractionComponentLists(d, path, out);
}

/**
 * Data 2.4.4.1 Interaction Activities: correctResponsesPattern and the component lists belong to
 * interaction activities, which MUST have an interactionType (conformance suite XAPI-00064).
 */
function checkInteractionTypePresent(d: JsonObject, path: string, out: Out): void {
  if (d['interactionType'] !== undefined) return;
  for (const key of INTERACTION_PROPERTIES) {
    if (d[key] !== undefined) {
      report(out, dot(path, key), 'interaction-type-required', `"${key}" is only allowed in an interaction activity definition, which must have an "interactionType"`);
    }
  }
}

/**
 * Data 2.4.4.1 Interaction Components: only the component lists supported by the interactionType
 * may be used, and ids within one list are distinct (2.4.4.1.s16.b1).
 */
function checkInteractionComponentLists(d: JsonObject, path: string, out: Out): void {
  const type = d['interactionType'];
  const allowed = typeof type === 'string' ? COMPONENT_LISTS_BY_TYPE[type] : undefined;
  for (const key of COMPONENT_LISTS) {
    const list = d[key];
    if (list === undefined) continue;
    const listPath = dot(path, key);
    if (allowed !== undefined && !allowed.includes(key)) {
      report(
        out,
        listPath,
        'interaction-components',
        `"${key}" is not supported for interactionType "${String(type)}"` +
          (allowed.length > 0 ? ` (supported: ${allowed.join(', ')})` : ' (it supports no component list)'),
      );
    }
    if (!Array.isArray(list)) continue;
    const seen = new Set<string>();
    list.forEach((component, i) => {
      if (!isObject(component)) return;
      const componentPath = `${listPath}[${i}]`;
      const id = component['id'];
      if (typeof id === 'string') {
        if (seen.has(id)) {
          report(out, dot(componentPath, 'id'), 'interaction-components', `interaction component id "${id}" is used more than once in "${key}"`);
        }
        seen.add(id);
      }
      checkLanguageMap(component['description'], dot(componentPath, 'description'), out);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Result (Data 2.4.5)

function checkResult(r: unknown, path: string, out: Out): void {
  if (!isObject(r)) return;
  const duration = r['duration'];
  if (typeof duration === 'string' && !isDuration(duration)) {
    report(out, dot(path, 'duration'), 'iso8601-duration', `"${duration}" is not an ISO 8601 duration (PnYnMnDTnHnMnS or PnW)`);
  }
  const score = r['score'];
  if (isObject(score)) checkScore(score, dot(path, 'score'), out);
  checkExtensions(r['extensions'], dot(path, 'extensions'), out);
}

/** Data 2.4.5.1: scaled in [-1, 1]; min < max; min <= raw <= max. */
function checkScore(s: JsonObject, path: string, out: Out): void {
  const { scaled, raw, min, max } = s;
  if (typeof scaled === 'number' && (scaled < -1 || scaled > 1)) {
    report(out, dot(path, 'scaled'), 'score-range', `scaled must be between -1 and 1 inclusive; it is ${scaled}`);
  }
  const hasMin = typeof min === 'number';
  const hasMax = typeof max === 'number';
  if (hasMin && hasMax && !(min < max)) {
    report(out, dot(path, 'min'), 'score-range', `min (${min}) must be less than max (${max})`);
  }
  if (typeof raw === 'number') {
    if (hasMin && raw < min) report(out, dot(path, 'raw'), 'score-range', `raw (${raw}) must not be less than min (${min})`);
    if (hasMax && raw > max) report(out, dot(path, 'raw'), 'score-range', `raw (${raw}) must not be greater than max (${max})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Context (Data 2.4.6)

function checkContext(c: unknown, path: string, out: Out, statementObject: unknown, version: XapiVersion): void {
  if (!isObject(c)) return;
  checkUuid(c['registration'], dot(path, 'registration'), out);
  checkActor(c['instructor'], dot(path, 'instructor'), out);
  const team = c['team'];
  if (isObject(team) && team['objectType'] === 'Group') checkGroup(team, dot(path, 'team'), out);
  checkContextActivities(c['contextActivities'], dot(path, 'contextActivities'), out);
  checkContextAgentsAndGroups(c, path, out, version);
  checkRevisionAndPlatform(c, path, out, statementObject);
  const language = c['language'];
  if (typeof language === 'string' && !isLanguageTag(language)) {
    report(out, dot(path, 'language'), 'language-tag', `"${language}" is not an RFC 5646 language tag`);
  }
  const ref = c['statement'];
  if (isObject(ref)) checkStatementRef(ref, dot(path, 'statement'), out);
  checkExtensions(c['extensions'], dot(path, 'extensions'), out);
}

function checkContextActivities(ca: unknown, path: string, out: Out): void {
  if (!isObject(ca)) return;
  for (const key of CONTEXT_ACTIVITY_KEYS) {
    const value = ca[key];
    if (Array.isArray(value)) {
      value.forEach((a, i) => {
        if (isObject(a)) checkActivity(a, `${path}.${key}[${i}]`, out);
      });
    } else if (isObject(value)) {
      checkActivity(value, dot(path, key), out);
    }
  }
}

/**
 * xAPI 2.0 context agents and context groups (9274.1.1 4.2.2.5): each holds one Agent (exactly one
 * IFI) or one Group (identified, or anonymous with members), and relevantTypes are IRIs; the
 * schema checks the shapes. Neither exists in xAPI 1.0.3, whose context allows no other property.
 */
function checkContextAgentsAndGroups(c: JsonObject, path: string, out: Out, version: XapiVersion): void {
  for (const [key, member, check] of [
    ['contextAgents', 'agent', checkAgent],
    ['contextGroups', 'group', checkGroup],
  ] as const) {
    const list = c[key];
    if (list === undefined) continue;
    const listPath = dot(path, key);
    if (version !== '2.0.0') {
      report(out, listPath, 'additional-property', `"${key}" is an xAPI 2.0 property; send the statement with X-Experience-API-Version: 2.0.0, or use ${key === 'contextAgents' ? 'instructor' : 'team'}`);
      continue;
    }
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (!isObject(item)) return;
      const itemPath = `${listPath}[${i}]`;
      const who = item[member];
      if (isObject(who) && (member === 'group' ? who['objectType'] === 'Group' : who['objectType'] === undefined || who['objectType'] === 'Agent')) {
        check(who, dot(itemPath, member), out);
      }
      const types = item['relevantTypes'];
      if (Array.isArray(types)) types.forEach((type, j) => checkIri(type, `${itemPath}.relevantTypes[${j}]`, out));
    });
  }
}

/** Data 2.4.6.s4.b1/b2: "revision" and "platform" only when the statement's object is an Activity. */
function checkRevisionAndPlatform(c: JsonObject, path: string, out: Out, statementObject: unknown): void {
  if (!isObject(statementObject)) return;
  const objectType = statementObject['objectType'];
  if (typeof objectType !== 'string' || !NON_ACTIVITY_OBJECT_TYPES.has(objectType)) return;
  for (const key of ['revision', 'platform'] as const) {
    if (c[key] !== undefined) {
      report(out, dot(path, key), 'context-activity-only', `context "${key}" may only be used when the statement's object is an Activity, not a ${objectType}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Attachments (Data 2.4.11)

function checkAttachments(list: unknown, path: string, out: Out): void {
  if (!Array.isArray(list)) return;
  list.forEach((a, i) => {
    if (!isObject(a)) return;
    const p = `${path}[${i}]`;
    checkIri(a['usageType'], dot(p, 'usageType'), out);
    checkLanguageMap(a['display'], dot(p, 'display'), out);
    checkLanguageMap(a['description'], dot(p, 'description'), out);
    const contentType = a['contentType'];
    if (typeof contentType === 'string' && !isMediaType(contentType)) {
      report(out, dot(p, 'contentType'), 'media-type', `"${contentType}" is not an Internet Media Type (type/subtype)`);
    }
    checkIri(a['fileUrl'], dot(p, 'fileUrl'), out);
  });
}

// ---------------------------------------------------------------------------------------------
// Shared value types (Data 4.1 Extensions, 4.2 Language Maps, 4.3 IRIs)

function checkIri(v: unknown, path: string, out: Out): void {
  if (typeof v === 'string' && !isIri(v)) {
    report(out, path, 'iri', `"${v}" is not an absolute IRI (a scheme such as "http:" is required; no spaces)`);
  }
}

/** Data 4.2: every key is an RFC 5646 language tag (values must be strings: schema). */
function checkLanguageMap(m: unknown, path: string, out: Out): void {
  if (!isObject(m)) return;
  for (const key of Object.keys(m)) {
    if (!isLanguageTag(key)) {
      report(out, joinPath(path, key), 'language-map', `language map key "${key}" is not an RFC 5646 language tag`);
    }
  }
}

/** Data 4.1: extension keys are IRIs; values may be any JSON and are never inspected. */
function checkExtensions(e: unknown, path: string, out: Out): void {
  if (!isObject(e)) return;
  for (const key of Object.keys(e)) {
    if (!isIri(key)) {
      report(out, joinPath(path, key), 'iri', `extension key "${key}" is not an absolute IRI`);
    }
  }
}
