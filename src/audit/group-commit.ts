/**
 * Group commit (DESIGN.md "The log"): callers queue items; one writer drains the queue in batches,
 * each batch in one durable transaction, so N concurrent appends cost about one fsync, not N. A
 * caller's promise settles only with its batch's commit (LOG-3): resolved after it, or rejected
 * with it — never resolved for an entry that was not written.
 */
export interface GroupCommitOptions {
  readonly maxEntries: number;
  /**
   * How long the first queued item waits for company before its batch is written. 0 = until the
   * current I/O callbacks have run (setImmediate): whatever arrived with it joins, and a lone
   * append pays no timer.
   */
  readonly maxDelayMs: number;
}

interface Pending<I, R> {
  readonly item: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface GroupCommit<I, R> {
  submit(item: I): Promise<R>;
  /** Resolves once everything submitted so far has been committed (or has failed). */
  flush(): Promise<void>;
}

/** `commit` writes one batch atomically and returns one result per item, in order. */
export function groupCommit<I, R>(opts: GroupCommitOptions, commit: (items: I[]) => Promise<R[]>): GroupCommit<I, R> {
  let queue: Pending<I, R>[] = [];
  /** Cancels the pending kick, if one is scheduled. */
  let pending: (() => void) | undefined;
  let draining: Promise<void> | undefined;

  const writeBatch = async (batch: Pending<I, R>[]): Promise<void> => {
    try {
      const results = await commit(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };

  const drain = async (): Promise<void> => {
    try {
      // Items queued while a batch is being written form the next batch: that is the grouping.
      while (queue.length > 0) {
        const batch = queue.slice(0, opts.maxEntries);
        queue = queue.slice(batch.length);
        await writeBatch(batch);
      }
    } finally {
      draining = undefined; // synchronously after the last emptiness check: no item is stranded
    }
  };

  const schedule = (): (() => void) => {
    if (opts.maxDelayMs > 0) {
      const t = setTimeout(kick, opts.maxDelayMs);
      return () => clearTimeout(t);
    }
    const i = setImmediate(kick);
    return () => clearImmediate(i);
  };

  const kick = (): void => {
    pending?.();
    pending = undefined;
    if (!draining && queue.length > 0) draining = drain();
  };

  return {
    submit: (item) =>
      new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= opts.maxEntries) kick();
        else pending ??= schedule();
      }),
    flush: async () => {
      kick();
      while (draining) await draining;
    },
  };
}
