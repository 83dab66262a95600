/**
 * multipart/mixed responses for `attachments=true` (xAPI 1.0.3 Data 2.4.11): the statement
 * JSON first, then one part per attachment body.
 */
import { randomBytes } from 'node:crypto';
import type { AttachmentContent } from '../../src/storage/port.js';

export function multipartMixed(json: string, parts: AttachmentContent[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `xapi-${randomBytes(12).toString('hex')}`;
  const chunks: Uint8Array[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${json}\r\n`),
  ];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${part.sha2}\r\n\r\n`,
      ),
      Buffer.from(part.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/mixed; boundary=${boundary}` };
}
