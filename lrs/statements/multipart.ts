/**
 * multipart/mixed responses for `attachments=true` (xAPI 1.0.3 Data 2.4.11): the statement
 * JSON first, then one part per attachment body. Attachment storage comes with the
 * attachments work; until then the JSON part stands alone.
 */
import { randomBytes } from 'node:crypto';

export interface AttachmentPart {
  sha2: string;
  contentType: string;
  body: Buffer;
}

export function multipartMixed(json: string, parts: AttachmentPart[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `xapi-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${json}\r\n`),
  ];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${part.sha2}\r\n\r\n`,
      ),
      part.body,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/mixed; boundary=${boundary}` };
}
