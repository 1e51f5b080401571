// The triage's ports live beside the adapters' whole interface (IssueGitHub extends TriageGitHub), so no member is
// written twice; this module names them for the use cases that need only these.
export type { TriageGitHub, TriageReads } from "./issue-github.js";
