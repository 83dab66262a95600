import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/model/profile.js';
import { compareMember, driftPct } from './classify.js';

const ours: Profile = {
  member_id: 'E1',
  email: 'e1@acme.example',
  status: 'active',
  version: 3,
  mapping_version: 'lms-marketplace@1',
  updated_at: '2026-11-27T10:00:00.000Z',
  completions: [{ activity_id: 'https://lms.example.com/a', name: 'A', learning_completed: true, completed_at: '2026-11-27T09:00:00.000Z', success: null }],
  scores: [],
  badges: [],
  enrollments: [],
  certificates: [],
  skills: [],
};
/** What a marketplace answers: our JSON back, keys in another order. */
const held = (over: Record<string, unknown> = {}) => ({ ...JSON.parse(JSON.stringify({ ...ours, ...over })), received_by: 'marketplace' }) as Record<string, unknown>;

describe('compareMember', () => {
  it('names each of the six outcomes', () => {
    expect(compareMember(ours, held())).toBe('in_sync');
    expect(compareMember(ours, null)).toBe('missing');
    expect(compareMember(ours, held({ version: 2 }))).toBe('stale');
    expect(compareMember(ours, held({ version: 4 }))).toBe('ahead');
    expect(compareMember(ours, held({ completions: [] }))).toBe('mismatched');
    expect(compareMember(null, held())).toBe('orphaned');
    expect(compareMember(null, null)).toBeNull();
  });

  it('compares our fields only, whatever their key order; a missing or non-numeric version is a mismatch', () => {
    const reordered = Object.fromEntries(Object.entries(held()).reverse());
    expect(compareMember(ours, reordered)).toBe('in_sync');
    expect(compareMember(ours, held({ email: 'E1@acme.example' }))).toBe('mismatched');
    expect(compareMember(ours, held({ version: '3' }))).toBe('mismatched');
    const { version: _dropped, ...withoutVersion } = held();
    expect(compareMember(ours, withoutVersion)).toBe('mismatched');
  });
});

describe('driftPct', () => {
  it('is drifted members over max(members, 1), in percent with two decimals', () => {
    expect(driftPct(6, 8)).toBe(75);
    expect(driftPct(1, 3)).toBe(33.33);
    expect(driftPct(2, 0)).toBe(200);
    expect(driftPct(0, 0)).toBe(0);
  });
});
