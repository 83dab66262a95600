/**
 * A member as both adapters keep it: the profile content and the fold state as JSON text,
 * stored as given and read back as given (neither adapter looks inside). SQLite selects its
 * columns under these names; MongoDB's member document is this with `_id` for `memberId`.
 */
import type { MemberRecord, ProfileRecord } from './projection-port.js';

export interface StoredMember {
  memberId: string;
  publishedId: string;
  /** ProfileContent as JSON text. */
  content: string;
  /** MemberFold as JSON text. */
  state: string;
  version: number;
  updatedAt: string;
  lastSeq: number;
}

export function storedMember(m: MemberRecord): StoredMember {
  return { ...m, content: JSON.stringify(m.content), state: JSON.stringify(m.state) };
}

export function memberRecordOf(s: StoredMember): MemberRecord {
  const { memberId, publishedId, version, updatedAt, lastSeq } = s;
  return { memberId, publishedId, content: JSON.parse(s.content) as MemberRecord['content'], state: JSON.parse(s.state) as MemberRecord['state'], version, updatedAt, lastSeq };
}

export function profileRecordOf(s: Pick<StoredMember, 'memberId' | 'content' | 'version' | 'updatedAt'>): ProfileRecord {
  return { memberId: s.memberId, content: JSON.parse(s.content) as ProfileRecord['content'], version: s.version, updatedAt: s.updatedAt };
}
