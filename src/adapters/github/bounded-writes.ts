import { fitBody, fitTitle } from "../../rendering/fit-body.js";
import type { IssueGitHub, NewIssue } from "../../use-cases/ports/issue-github.js";

function bounded(draft: NewIssue): NewIssue {
  return { ...draft, title: fitTitle(draft.title), body: fitBody(draft.body) };
}

/**
 * The last guard before GitHub: every body and title the app writes through `gh` is cut to GitHub's limits (65,536
 * characters for a body, 256 for a title), never inside one of the app's markers. The renderers fit their own text
 * first and say what they left out; this catches what they cannot know, such as a person's text around the app's
 * own section of a comment, so GitHub never answers 422 for size.
 */
export function withBoundedWrites<T extends IssueGitHub>(gh: T): T {
  return {
    ...gh,
    createComment: (body: string) => gh.createComment(fitBody(body)),
    updateComment: (id: number, body: string) => gh.updateComment(id, fitBody(body)),
    createIssue: (draft: NewIssue) => gh.createIssue(bounded(draft)),
    updateOtherIssue: (number, update) =>
      gh.updateOtherIssue(number, update.body === undefined ? update : { ...update, body: fitBody(update.body) }),
    commentOnOther: (number, body) => gh.commentOnOther(number, fitBody(body)),
    applyWrites: (batch) =>
      gh.applyWrites({
        ...batch,
        create: batch.create.map(bounded),
        comment(created, dependencies) {
          const comment = batch.comment(created, dependencies);
          return comment && { ...comment, body: fitBody(comment.body) };
        },
      }),
  };
}
