/**
 * A write that gave up after losing the race with other writers several times in a row; nothing
 * of it was committed, so it may simply be tried again. The SQLite adapter never loses such a
 * race (its writes are serialised by one write lock, waited for up to the busy timeout); the
 * MongoDB adapter, with no transactions, redoes a lost conditional write a few times and then
 * throws this. Like SQLite's busy timeout, it is a fault: the HTTP error mapper answers 500.
 */
export class WriteContentionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriteContentionError';
  }
}
