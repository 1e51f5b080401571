/**
 * The GraphQL documents the app sends, built with no network: names a person wrote (labels, logins) stay inside
 * GraphQL strings, and the finishing mutation holds exactly the writes it is given.
 */
import { describe, expect, it } from "@jest/globals";
import { parse } from "graphql";
import {
  createIssuesMutation,
  createLabelsMutation,
  finishMutation,
  idsQuery,
} from "../../../src/adapters/github/build-graphql-documents.js";

describe("build-graphql-documents", () => {
  it("a label or login with quotes, braces or a newline stays one GraphQL string", () => {
    const hostile = 'bug" } evil: viewer { login } x: label(name: "y';
    const query = idsQuery("acme", "api", [hostile, "ok"], ['a"b\nc']);
    const fields = parse(query).definitions.flatMap((d) =>
      d.kind === "OperationDefinition" ? d.selectionSet.selections : [],
    );
    // One `repository` lookup and one `user`: nothing the names carry became a field of its own.
    expect(fields.map((f) => (f.kind === "Field" ? (f.alias?.value ?? f.name.value) : f.kind))).toEqual([
      "repository",
      "u0",
    ]);
    expect(query).toContain(`l0: label(name: ${JSON.stringify(hostile)})`);
  });

  it("asks for users alone when every label is known", () => {
    expect(idsQuery("acme", "api", [], ["octocat"])).toBe(
      'query ConfigTriageIds {\n  \n  u0: user(login: "octocat") { id }\n}',
    );
  });

  it("creates each label with one variable of its own, in the default colour", () => {
    const { document, variables } = createLabelsMutation("R_1", ["config", "security"]);
    expect(() => parse(document)).not.toThrow();
    expect(variables).toEqual({
      l0: { repositoryId: "R_1", name: "config", color: "ededed" },
      l1: { repositoryId: "R_1", name: "security", color: "ededed" },
    });
  });

  it("creates follow-ups as f0, f1, ... with their inputs as i0, i1, ...", () => {
    const { document, variables } = createIssuesMutation([{ title: "a" }, { title: "b" }]);
    expect(() => parse(document)).not.toThrow();
    expect(document).toMatch(/f1: createIssue\(input: \$i1\)/);
    expect(variables).toEqual({ i0: { title: "a" }, i1: { title: "b" } });
  });

  it.each([
    {
      name: "an edit of the app's comment and the closing",
      comment: { id: 7, node_id: "IC_7", body: "x" },
      close: "completed" as const,
      variables: { c: { id: "IC_7", body: "x" }, x: { issueId: "I_1", stateReason: "COMPLETED" } },
      fields: ["comment: updateIssueComment", "close: closeIssue"],
    },
    {
      name: "a new comment and two re-links",
      relink: ["I_2", "I_3"],
      comment: { body: "y" },
      variables: {
        r0: { issueId: "I_1", subIssueId: "I_2" },
        r1: { issueId: "I_1", subIssueId: "I_3" },
        c: { subjectId: "I_1", body: "y" },
      },
      fields: ["r0: addSubIssue", "r1: addSubIssue", "comment: addComment"],
    },
  ])("finishes with $name in one document", ({ relink = [], comment, close, variables, fields }) => {
    const finish = finishMutation("I_1", relink, comment, close);
    expect(finish?.variables).toEqual(variables);
    expect(() => parse(finish?.document ?? "")).not.toThrow();
    for (const field of fields) expect(finish?.document).toContain(field);
  });

  it("sends no finishing document when there is nothing to write", () => {
    expect(finishMutation("I_1", [], undefined, undefined)).toBeUndefined();
  });
});
