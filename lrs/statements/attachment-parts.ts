/**
 * The attachment parts of a statements request against the attachments its statements declare
 * (xAPI 1.0.3 Data 2.4.11): part of the write path, after the body was read and each part's
 * hash checked (request-body.ts).
 */
import { createHash } from 'node:crypto';
import { invalid } from '../../src/refusal.js';
import type { AttachmentContent } from '../../src/storage/port.js';

/** The SHA-2 of an attachment body by the length of the declared hash (SHA-256, -384 or -512 hex). */
const HASH_BY_LENGTH: Record<number, string> = { 64: 'sha256', 96: 'sha384', 128: 'sha512' };

/** Whether `body` hashes to `sha2` (lower-case hex) with the SHA-2 its length names. */
export function hashesTo(body: Uint8Array, sha2: string): boolean {
  const algorithm = HASH_BY_LENGTH[sha2.length];
  return algorithm !== undefined && createHash(algorithm).update(body).digest('hex') === sha2;
}

/**
 * Every attachment without a fileUrl needs its body among the parts, and every part must be
 * the body of some attachment (xAPI 1.0.3 Data 2.4.11).
 */
export function checkAttachmentParts(statements: Record<string, unknown>[], parts: AttachmentContent[], asArray: boolean): void {
  const supplied = new Set(parts.map((p) => p.sha2));
  const declared = new Set<string>();
  statements.forEach((statement, i) => {
    const attachments = Array.isArray(statement.attachments) ? (statement.attachments as Record<string, unknown>[]) : [];
    attachments.forEach((attachment, j) => {
      const sha2 = String(attachment.sha2).toLowerCase();
      declared.add(sha2);
      if (attachment.fileUrl === undefined && !supplied.has(sha2)) {
        const path = `${asArray ? `statements[${i}]` : 'statement'}.attachments[${j}]`;
        throw invalid('missing-attachment', `${path} has no fileUrl and no multipart part with hash ${sha2}.`, [
          { path, rule: 'attachment-body-required', message: 'send the body as a multipart/mixed part, or give a fileUrl' },
        ]);
      }
    });
  });
  const stray = parts.findIndex((p) => !declared.has(p.sha2));
  if (stray >= 0) {
    throw invalid('unexpected-attachment', `multipart.part[${stray + 1}] matches no attachment of the statements.`, [
      { path: `multipart.part[${stray + 1}]`, rule: 'part-matches-attachment', message: 'every part must be the body of a declared attachment' },
    ]);
  }
}
