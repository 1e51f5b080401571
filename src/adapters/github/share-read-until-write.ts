/**
 * One read shared by every read of a triage, made stale by any write (a command may run triages in a row): `read`
 * answers the same promise until a write wrapped by `thenForget` ends, whether it worked or not.
 */
export function shareReadUntilWrite<T>(load: () => Promise<T>): {
  read: () => Promise<T>;
  thenForget: <A extends unknown[], R>(write: (...args: A) => Promise<R>) => (...args: A) => Promise<R>;
} {
  let reading: Promise<T> | undefined;
  return {
    read: () => (reading ??= load()),
    thenForget:
      <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await write(...args);
        } finally {
          reading = undefined;
        }
      },
  };
}
