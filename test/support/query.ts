/** xAPI query strings: string parameters as given, every other value (agents, booleans, …) as JSON. */
export function qs(params: Record<string, unknown>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
}
