/**
 * The time source. `stored` must never go backwards even if the wall clock does, because
 * since/until filter on it while paging follows seq; the monotonic clock guarantees that.
 */
export type Clock = () => string;

export function monotonicClock(wall: () => number = Date.now): Clock {
  let last = 0;
  return () => {
    last = Math.max(last, wall());
    return new Date(last).toISOString();
  };
}
