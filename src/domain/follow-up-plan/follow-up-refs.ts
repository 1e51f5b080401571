/**
 * References between follow-ups opened in the same run. A body names a follow-up that does not exist yet with a
 * token; the transport creates blockers first and replaces each token with the number (`#931`) before it
 * sends the body, so GitHub never sees a token.
 */
const TOKEN = /⟦follow-up:([a-z0-9][a-z0-9-]*)⟧/g;

/** The token standing for the follow-up of `template` until its number is known. */
export function followUpToken(template: string): string {
  return `⟦follow-up:${template}⟧`;
}

/** The templates whose follow-up a body refers to by token. */
export function referencedTemplates(body: string): string[] {
  return [...new Set([...body.matchAll(TOKEN)].map((m) => m[1]))];
}

/**
 * Replaces each token with `#number` where `numbers` knows the template; an unknown one (a follow-up that is not
 * opened) with `fallback(template)`, or leaves it when there is no fallback.
 */
export function resolveFollowUpRefs(
  body: string,
  numbers: Map<string, number>,
  fallback?: (template: string) => string,
): string {
  return body.replace(TOKEN, (token, template: string) => {
    const n = numbers.get(template);
    if (n !== undefined) return `#${n}`;
    return fallback ? fallback(template) : token;
  });
}

/**
 * Drafts in rounds, in their order: a round ends before the first draft whose body names a draft of the same round, so
 * each round's bodies name only earlier rounds (or issues that exist). Numbers come out as if sent one by one.
 */
export function creationRounds<T extends { template?: string; body: string }>(drafts: T[]): T[][] {
  const rounds: T[][] = [];
  let round: T[] = [];
  for (const draft of drafts) {
    const names = referencedTemplates(draft.body);
    if (round.some((d) => d.template && d !== draft && names.includes(d.template))) {
      rounds.push(round);
      round = [];
    }
    round.push(draft);
  }
  if (round.length) rounds.push(round);
  return rounds;
}

/** Drafts in their order, except that a draft whose body names another of the batch comes after it (blockers first). */
export function blockersFirst<T extends { template?: string; body: string }>(drafts: T[]): T[] {
  const out: T[] = [];
  const visiting = new Set<T>();
  const visit = (d: T) => {
    if (out.includes(d) || visiting.has(d)) return;
    visiting.add(d);
    for (const t of referencedTemplates(d.body)) {
      const blocker = drafts.find((x) => x.template === t);
      if (blocker && blocker !== d) visit(blocker);
    }
    out.push(d);
  };
  drafts.forEach(visit);
  return out;
}
