/**
 * Runs the operations given to it one after another, in call order, whatever each one's
 * outcome. The MongoDB adapters use it where one process must not interleave its own writes
 * (seq reservations, identity key claims) without transactions to do it for them.
 */
export function serialQueue(): <T>(run: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>) => {
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  };
}
