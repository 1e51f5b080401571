/**
 * Makes text written by people safe to embed in a comment or issue the app writes: it cannot ping anyone, open or
 * close Markdown constructs, inject HTML or one of the app's markers, or run past `max` characters.
 */
export function escapeMarkdown(text: string, max = 256): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  const cut = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return (
    cut
      .replace(/[\\`*_[\]<>|~#]/g, (c) => `\\${c}`)
      // `\<!--` already renders as text, but it would still read as one of the app's markers to a plain text search.
      .replace(/<!--/g, "<!\\-\\-")
      // A zero-width space after @ keeps the name readable and stops the mention (the way Renovate does it).
      .replace(/@(?=[A-Za-z0-9])/g, "@&#8203;")
  );
}

/** Wraps a name (a variable, service or secret) in a code span that its own backticks cannot break. */
export function code(name: string): string {
  const clean = name.replace(/`/g, "'");
  return `\`${clean}\``;
}
