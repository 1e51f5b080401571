import { describe, expect, it } from "@jest/globals";
import { DEFAULT_LENIENT_SETTINGS, readLeniently } from "../../../src/domain/config/read-leniently.js";

describe("readLeniently", () => {
  it.each<{ name: string; file: unknown; want: Partial<typeof DEFAULT_LENIENT_SETTINGS> }>([
    { name: "no file", file: undefined, want: {} },
    { name: "an empty file (YAML null)", file: null, want: {} },
    { name: "a file that is not a mapping", file: "labels: [", want: {} },
    {
      name: "every field set",
      file: { labels: ["bug:config"], label_role: "write", max_triages_per_hour: 2 },
      want: { labels: ["bug:config"], labelRole: "write", maxTriagesPerHour: 2 },
    },
    {
      name: "an invalid file keeps its valid fields",
      file: { labels: ["bug:config"], environments: {}, label_role: "owner", max_triages_per_hour: 0 },
      want: { labels: ["bug:config"] },
    },
    { name: "an empty label list", file: { labels: [] }, want: {} },
    { name: "a label that is not a string", file: { labels: ["a", 1] }, want: {} },
    {
      name: "a rate that is not whole",
      file: { max_triages_per_hour: 1.5, label_role: "anyone" },
      want: { labelRole: "anyone" },
    },
  ])("$name", ({ file, want }) => {
    expect(readLeniently(file)).toEqual({ ...DEFAULT_LENIENT_SETTINGS, ...want });
  });

  it("has the schema's defaults", () => {
    expect(DEFAULT_LENIENT_SETTINGS).toEqual({ labels: ["triage:config"], labelRole: "triage", maxTriagesPerHour: 6 });
  });
});
