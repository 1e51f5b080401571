/**
 * Runs jobs one at a time per key (an issue), in the order they arrive; different keys run in parallel. In-process
 * only: a durable queue can replace it because each job is a plain async function of plain data.
 */
export function createSerialQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, job: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(job, job);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    /** Keys with a job queued or running (for tests and metrics). */
    get busy(): number {
      return tails.size;
    },
  };
}

export type SerialQueue = ReturnType<typeof createSerialQueue>;
