/**
 * Why the domain refuses a request, in its own terms: the input breaks a rule, what it names
 * does not exist, it contradicts what is stored, or a condition it set does not hold. Services
 * (lrs/, projections/) throw these and never choose a status code; src/http/errors.ts is the
 * one place that turns a refusal into an HTTP answer (ARCHITECTURE.md §2).
 */

export interface Problem {
  /** Where the problem is: a JSON path into the body, or a query parameter / header name. */
  path: string;
  /** Machine-readable rule that was broken (kebab-case). */
  rule: string;
  message: string;
}

export type RefusalKind =
  /** The input breaks a rule; nothing was done. */
  | 'invalid'
  /** What the request names does not exist (or is not the caller's to see). */
  | 'not-found'
  /** The request contradicts what is stored, or lost every race against other writers. */
  | 'conflict'
  /** A condition the request set (If-Match, If-None-Match) does not hold. */
  | 'precondition-failed'
  /** The request is understood and allowed to its caller, but the LRS will not carry it out (it names an erased person). */
  | 'forbidden';

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    /** Machine-readable reason (kebab-case), the `code` clients see. */
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export const invalid = (code: string, message: string, problems?: Problem[]) => new Refusal('invalid', code, message, problems);
