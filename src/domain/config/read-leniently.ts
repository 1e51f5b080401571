import type { MinimumRole } from "../roles/resolve-role.js";
import { ConfigSchema } from "./schema.js";

/** The config fields the app needs even from a file that fails the schema, each with its default. */
export interface LenientSettings {
  /** `labels`: the trigger labels (default `triage:config`). */
  labels: string[];
  /** `label_role`: the weakest role whose trigger label counts (default `triage`). */
  labelRole: MinimumRole;
  /** `max_triages_per_hour` (default 6). */
  maxTriagesPerHour: number;
}

/** The settings of a repository without a config file. */
export const DEFAULT_LENIENT_SETTINGS: Readonly<LenientSettings> = Object.freeze({
  labels: ConfigSchema.shape.labels.parse(undefined),
  labelRole: ConfigSchema.shape.label_role.parse(undefined),
  maxTriagesPerHour: ConfigSchema.shape.max_triages_per_hour.parse(undefined),
});

/**
 * Reads each field of {@link LenientSettings} on its own from a config file's parsed YAML (`undefined` when there is
 * no file): a field that is missing or invalid takes its default, the others keep their values. So an invalid file
 * still names its trigger labels (its errors reach the right issue) and is still counted against its rate limit.
 */
export function readLeniently(value: unknown): LenientSettings {
  const file = (value !== null && typeof value === "object" ? value : {}) as Record<string, unknown>;
  const labels = file.labels;
  const role = ConfigSchema.shape.label_role.safeParse(file.label_role);
  const perHour = ConfigSchema.shape.max_triages_per_hour.safeParse(file.max_triages_per_hour);
  return {
    labels:
      Array.isArray(labels) && labels.length && labels.every((l) => typeof l === "string")
        ? labels
        : [...DEFAULT_LENIENT_SETTINGS.labels],
    labelRole: role.success ? role.data : DEFAULT_LENIENT_SETTINGS.labelRole,
    maxTriagesPerHour: perHour.success ? perHour.data : DEFAULT_LENIENT_SETTINGS.maxTriagesPerHour,
  };
}
