import { pino, type Logger } from "pino";

/** pino level -> Cloud Logging severity (https://cloud.google.com/logging/docs/structured-logging). */
const SEVERITY: Record<string, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

/**
 * With `LOG_FORMAT=json` (`logFormat` of the server settings): a pino logger whose lines Cloud Logging reads as
 * structured entries (`severity`, `message`, RFC 3339 `time`), for Probot to use instead of its own. Otherwise
 * undefined: Probot's default (pretty) logger.
 * Probot's own `LOG_FORMAT=json` writes a numeric `level` that Cloud Logging shows as DEFAULT severity.
 */
export function createLogger(
  settings: { logFormat: "json" | "pretty"; logLevel: string },
  destination?: NodeJS.WritableStream,
): Logger | undefined {
  if (settings.logFormat !== "json") return undefined;
  return pino(
    {
      level: settings.logLevel,
      messageKey: "message",
      base: { service: "config-triage" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? "DEFAULT", level: label }) },
    },
    destination ?? pino.destination(1),
  );
}
