/**
 * The generated parts of `docs/`: the configuration reference (from the zod schemas, through their JSON Schema) and
 * the commands table (from the command registry). Each lives between two markers in a hand-written page;
 * `npm run docs` rewrites what is between them, and a test fails when a committed page differs from that.
 */
import { renderHelpTable } from "../src/use-cases/slash-commands/help.js";
import { commands } from "../src/use-cases/slash-commands/command-list.js";
import { configJsonSchema, templateJsonSchemaText } from "../src/domain/config/to-json-schema.js";

/** A JSON Schema node, as zod's `toJSONSchema` writes it (only the keywords the reference reads). */
interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

interface ReferenceRow {
  key: string;
  type: string;
  default: string;
  description: string;
}

const code = (text: string) => `\`${text}\``;

function describeBounds(s: JsonSchema): string[] {
  const bounds: string[] = [];
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  // zod writes the safe-integer range as the bounds of every `.int()`: no bound a person needs to know.
  if (s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER) bounds.push(`at least ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`at most ${s.maximum}`);
  if (s.minLength) bounds.push(s.minLength === 1 ? "not empty" : `at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) bounds.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) bounds.push(`at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
  if (s.pattern !== undefined) bounds.push(`matching ${code(s.pattern)}`);
  return bounds;
}

/** The type column: what a person may write there, with its bounds. */
function describeType(s: JsonSchema): string {
  let type: string;
  if (s.enum) type = `one of ${s.enum.map((v) => code(String(v))).join(", ")}`;
  else if (s.anyOf) type = s.anyOf.map(describeType).join(", or ");
  else if (s.type === "array") type = `list of ${s.items ? describeType(s.items) : "values"}`;
  else if (s.type === "object" && typeof s.additionalProperties === "object") {
    const pattern = s.propertyNames?.pattern;
    const key = pattern ? `name matching ${code(pattern)}` : "name";
    const value = s.additionalProperties.properties ? "the fields below" : describeType(s.additionalProperties);
    return `map: ${key} → ${value}`;
  } else if (s.type === "object") type = s.properties ? "map: the fields below" : "map";
  else type = s.type ?? "any";
  const bounds = describeBounds(s);
  return bounds.length ? `${type} (${bounds.join(", ")})` : type;
}

/** A default as a person writes it in YAML: a plain word as it is, a list or map in flow style. */
function yamlValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function collectRows(s: JsonSchema, key: string, required: boolean, rows: ReferenceRow[]): void {
  if (key) {
    rows.push({
      key: code(key),
      type: describeType(s),
      default: required ? "**required**" : s.default === undefined ? "" : code(yamlValue(s.default)),
      description: s.description ?? "",
    });
  }
  const child = (name: string) => (key ? `${key}.${name}` : name);
  for (const [name, sub] of Object.entries(s.properties ?? {})) {
    collectRows(sub, child(name), s.required?.includes(name) ?? false, rows);
  }
  if (typeof s.additionalProperties === "object" && s.additionalProperties.properties) {
    collectNested(s.additionalProperties, child("<name>"), rows);
  }
  if (s.items?.properties) collectNested(s.items, `${key}[]`, rows);
  for (const option of s.items?.anyOf ?? []) if (option.properties) collectNested(option, `${key}[]`, rows);
}

/** The fields of a map's values or a list's items, under `key.<name>` or `key[]`. */
function collectNested(s: JsonSchema, key: string, rows: ReferenceRow[]): void {
  for (const [name, sub] of Object.entries(s.properties ?? {})) {
    collectRows(sub, `${key}.${name}`, s.required?.includes(name) ?? false, rows);
  }
}

/** A Markdown table cell: pipes escaped (GitHub honours `\|` inside code spans in tables), one line. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A reference table of every key a JSON Schema accepts, with type, default and description. */
export function renderSchemaTable(schema: JsonSchema): string {
  const rows: ReferenceRow[] = [];
  collectRows(schema, "", false, rows);
  return [
    "| Key | Type | Default | Description |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${[r.key, r.type, r.default, r.description].map(cell).join(" | ")} |`),
  ].join("\n");
}

/** The generated sections: name -> content, each found in one page between its markers. */
export function generatedSections(): Record<string, { page: string; content: string }> {
  return {
    "config-reference": { page: "docs/configuration.md", content: renderSchemaTable(configJsonSchema()) },
    "template-front-matter": {
      page: "docs/templates.md",
      content: renderSchemaTable(JSON.parse(templateJsonSchemaText())),
    },
    commands: { page: "docs/commands.md", content: renderHelpTable(commands) },
  };
}

const START = (name: string) => `<!-- generated by \`npm run docs\`: ${name} (do not edit by hand) -->`;
const END = (name: string) => `<!-- end of generated: ${name} -->`;

/**
 * The page with its section `name` replaced by `content`. Throws when the page lacks the markers, so a page that
 * lost them fails the test instead of silently going stale.
 */
export function replaceSection(page: string, text: string, name: string, content: string): string {
  const start = text.indexOf(START(name));
  const end = text.indexOf(END(name));
  if (start < 0 || end < start) {
    throw new Error(`${page} has no generated section "${name}": add the lines\n${START(name)}\n${END(name)}`);
  }
  return `${text.slice(0, start + START(name).length)}\n\n${content}\n\n${text.slice(end)}`;
}

/** Every page that holds a generated section, as `npm run docs` would write it, given a reader of the current files. */
export function renderGeneratedPages(read: (page: string) => string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const [name, { page, content }] of Object.entries(generatedSections())) {
    pages.set(page, replaceSection(page, pages.get(page) ?? read(page), name, content));
  }
  return pages;
}
