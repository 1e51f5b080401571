import { z } from "zod";
import { ConfigSchema } from "./schema.js";

/** Where the schema is published in the package, and the `$id` editors fetch it from. */
export const JSON_SCHEMA_PATH = "schema/config-triage.schema.json";
export const JSON_SCHEMA_ID = "https://raw.githubusercontent.com/config-triage/config-triage/main/schema/config-triage.schema.json";

/**
 * The JSON Schema of `.github/config-triage.yml`, generated from the zod schema the app validates with (never written
 * by hand). `io: "input"` describes what people write: fields with defaults are optional, and a follow-up may be a
 * bare template name.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: JSON_SCHEMA_ID,
    title: "config-triage",
    ...rest,
    // Probot's config loader merges `_extends: repo` (or owner/repo) before the app validates the result.
    properties: {
      _extends: { type: "string", description: "Inherit the config of another repository: `repo` or `owner/repo`; keys here override it." },
      ...(rest.properties as object),
    },
  };
}

/** The file's exact text: stable key order, two-space indent, final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
