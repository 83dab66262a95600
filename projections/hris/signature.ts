/**
 * Signed webhook bodies, the scheme of ARCHITECTURE.md §7 (marketplace push), used here for HRIS
 * change events: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * A receiver accepts when some `v1` matches (several may be sent while a secret is rotated)
 * and `t` is within the tolerance of its clock, either way. Pure: the time is passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Largest difference between `t` and the receiver's clock, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale'; message: string };

function mac(secret: string, timestamp: number, body: Uint8Array | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}

/** The X-Signature header value for `body` signed at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, body: Uint8Array | string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body).toString('hex')}`;
}

/** Parses `t=…,v1=…[,v1=…]`; unknown schemes (v0, v2…) are ignored. Null when malformed. */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return null;
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return null;
      signatures.push(value.toLowerCase());
    }
  }
  return timestamp === undefined || signatures.length === 0 ? null : { timestamp, signatures };
}

/** Checks the header against the raw body bytes: signature first, then freshness. */
export function verifySignature(
  header: string | undefined,
  body: Uint8Array | string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'X-Signature is required: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">' };
  }
  const parsed = parseSignatureHeader(header);
  if (parsed === null) return { ok: false, reason: 'malformed', message: 'X-Signature must be t=<unix seconds>,v1=<64 hex digits>' };
  const expected = mac(secret, parsed.timestamp, body);
  const matches = parsed.signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  if (!matches) return { ok: false, reason: 'mismatch', message: 'no v1 signature matches the body and timestamp' };
  const skew = Math.abs(nowSeconds - parsed.timestamp);
  if (skew > toleranceSeconds) {
    return { ok: false, reason: 'stale', message: `t is ${skew} s away from the receiver's clock; at most ${toleranceSeconds} s is accepted` };
  }
  return { ok: true, timestamp: parsed.timestamp };
}
