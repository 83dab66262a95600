/** Shared vocabulary for the end-to-end tests with real xAPI client libraries. */
export const VERBS = {
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
  voided: 'http://adlnet.gov/expapi/verbs/voided',
} as const;

export const ACTIVITIES = {
  safety: 'https://acme.example/courses/safety',
  onboarding: 'https://acme.example/courses/onboarding',
} as const;

export const mbox = (who: string): string => `mailto:${who}@acme.example`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Every stored timestamp of a page, to check the order the LRS claims (newest first by default). */
export function isNonIncreasing(values: string[]): boolean {
  return values.every((v, i) => i === 0 || Date.parse(values[i - 1]!) >= Date.parse(v));
}
