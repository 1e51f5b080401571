/** `npm run schema`: writes the JSON Schemas in schema/ from the zod schemas (a test fails when one is stale). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  configJsonSchemaText,
  JSON_SCHEMA_PATH,
  TEMPLATE_SCHEMA_PATH,
  templateJsonSchemaText,
} from "../src/domain/config/to-json-schema.js";

for (const [path, text] of [
  [JSON_SCHEMA_PATH, configJsonSchemaText()],
  [TEMPLATE_SCHEMA_PATH, templateJsonSchemaText()],
] as const) {
  const out = fileURLToPath(new URL(`../${path}`, import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${path}`);
}
