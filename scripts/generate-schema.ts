/** `npm run schema`: writes schema/config-triage.schema.json from the zod schema (a test fails when it is stale). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { configJsonSchemaText, JSON_SCHEMA_PATH } from "../src/config/to-json-schema.js";

const out = fileURLToPath(new URL(`../${JSON_SCHEMA_PATH}`, import.meta.url));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, configJsonSchemaText());
console.log(`wrote ${JSON_SCHEMA_PATH}`);
