import { AsyncLocalStorage } from "node:async_hooks";

/** The logger the guard writes to (pino's, Probot's). */
export interface GuardLog {
  error(fields: object, message: string): void;
}

/** Keeps the server alive when a library lets an error escape, and fails the event it escaped from. */
export interface ProcessGuard {
  /**
   * Runs one event's work. An error that escapes to the process (an unhandled rejection or an uncaught exception)
   * from code this work started rejects the returned promise with that error, so the queue retries or reports this
   * event, and only this one; the work's own promise is abandoned.
   */
  runJob<T>(id: string, work: () => Promise<T>): Promise<T>;
  /** Removes the process handlers (tests). */
  uninstall(): void;
}

interface JobScope {
  id: string;
  running: boolean;
  fail(error: unknown): void;
}

/**
 * Installs `unhandledRejection` and `uncaughtException` handlers so that no library error ends the process.
 *
 * Attribution: each event runs in an AsyncLocalStorage scope. Node runs both handlers in the async context of the code
 * that failed (the context a rejected promise was created in, or the callback that threw), so the scope names the
 * event: that event fails with the error. An error from no event (a timer of a library, a socket's late error) or from
 * an event already finished is logged, and the server goes on.
 *
 * Going on after an uncaught exception is safe enough here because the state that matters (the queue, the HTTP server,
 * Redis) lives outside the callback that threw: only that library call's own state is lost, and the event it belonged
 * to is retried from the start. Ending the process instead would drop every event queued in memory and every
 * delivery in flight.
 */
export function guardProcess(log: GuardLog, proc: NodeJS.Process = process): ProcessGuard {
  const scopes = new AsyncLocalStorage<JobScope>();
  const handle = (kind: "unhandledRejection" | "uncaughtException") => (error: unknown) => {
    const scope = scopes.getStore();
    if (scope?.running) {
      log.error(
        { err: error, kind, delivery: scope.id },
        "an error escaped from a library during this event: the event fails, the server goes on",
      );
      scope.fail(error);
    } else if (scope) {
      log.error(
        { err: error, kind, delivery: scope.id },
        "an error escaped from a library after its event ended: logged, the server goes on",
      );
    } else {
      log.error(
        { err: error, kind },
        "an error escaped from a library outside any running event: logged, the server goes on",
      );
    }
  };
  const onRejection = handle("unhandledRejection");
  const onException = handle("uncaughtException");
  proc.on("unhandledRejection", onRejection);
  proc.on("uncaughtException", onException);
  return {
    runJob(id, work) {
      let fail!: (error: unknown) => void;
      const escaped = new Promise<never>((_, reject) => (fail = reject));
      const scope: JobScope = { id, running: true, fail: (error) => fail(error) };
      return scopes.run(scope, async () => {
        try {
          return await Promise.race([work(), escaped]);
        } finally {
          scope.running = false;
        }
      });
    },
    uninstall() {
      proc.off("unhandledRejection", onRejection);
      proc.off("uncaughtException", onException);
    },
  };
}
