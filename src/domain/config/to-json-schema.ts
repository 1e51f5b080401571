import { z } from "zod";
import { FrontMatterSchema } from "./follow-up-template.js";
import { ConfigSchema } from "./schema.js";

/** Where the schema is published in the package, and the `$id` editors fetch it from. */
export const JSON_SCHEMA_PATH = "schema/config-triage.schema.json";
export const JSON_SCHEMA_ID =
  "https://raw.githubusercontent.com/config-triage/config-triage/main/schema/config-triage.schema.json";

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
      _extends: {
        type: "string",
        description: "Inherit the config of another repository: `repo` or `owner/repo`; keys here override it.",
      },
      ...(rest.properties as object),
    },
  };
}

/** The file's exact text: stable key order, two-space indent, final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/** Where the JSON Schema of a follow-up template's front matter (`.github/config-triage/NAME.md`) is published. */
export const TEMPLATE_SCHEMA_PATH = "schema/config-triage-template.schema.json";

/** The JSON Schema of a template's front matter, generated from the zod schema the app checks it with. */
export function templateJsonSchemaText(): string {
  const schema = z.toJSONSchema(FrontMatterSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  const id = JSON_SCHEMA_ID.replace(JSON_SCHEMA_PATH, TEMPLATE_SCHEMA_PATH);
  const title = "config-triage follow-up template front matter";
  return `${JSON.stringify({ $schema, $id: id, title, ...rest }, null, 2)}\n`;
}
