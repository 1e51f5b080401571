/**
 * The demo's HTML page, opened in a real headless browser (Debian's chromium): `npm run demo` writes it and prints its
 * path, and the page shows the diagnosis and the drawn diagrams; hostile issue text runs nothing on it.
 */
import { describe, expect, jest, test } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DemoPage, renderDemoPage } from "../../scripts/render-demo-page.js";
import { root, runNode } from "../../dev/app-server.js";
import { dumpDomInChromium } from "../support/open-in-chromium.js";

// The demo runs two whole triages with Probot's write pacing (about 30 s); Chromium takes a few seconds per page.
jest.setTimeout(180_000);

/** The page's body as the browser holds it, without the inlined Mermaid script (whose source is text too). */
function shown(dom: string): string {
  return dom.slice(dom.indexOf("<body"), dom.lastIndexOf("<script"));
}

/** The first match of `pattern` in `html` (a short failure message where the whole page would be megabytes). */
function found(html: string, pattern: RegExp): string | undefined {
  return html.match(pattern)?.[0];
}

/** The visible text of some HTML: tags dropped, the entities the serialiser writes decoded. */
function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)))
    .replace(/&amp;/g, "&");
}

describe("npm run demo's page", () => {
  test("shows the diagnosis, the fix command, the follow-ups and the traffic diagram drawn by Mermaid", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-page-"));
    try {
      const path = join(dir, "issue-930.html");
      const demo = await runNode(["--import", "tsx", "scripts/demo.ts"], {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: "", DEMO_PAGE: path },
      });
      expect({ code: demo.code, stderr: demo.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(demo.stdout).toContain(`The issue, the comment and the follow-ups as GitHub shows them: ${path}\n`);
      // The terminal gets plain text: the fix command on its own line, no Markdown or HTML that only GitHub reads.
      expect(demo.stdout).toContain(
        "\n    gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
          "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest\n",
      );
      expect(demo.stdout).toContain("[diagram: drawn on the HTML page]");
      expect(found(demo.stdout, /```|<details|<summary|<!--|\\_|flowchart LR/)).toBeUndefined();

      const dom = await dumpDomInChromium(path);
      const page = shown(dom);
      expect(found(page, /<body[^>]*>/)).toBe('<body data-mermaid="rendered">');
      const text = textOf(page);
      expect(text).toContain("config-triage: 1 problem found");
      expect(text).toContain("JWT_SECRET_STAGING is missing on staging / netra-backend");
      expect(text).toContain(
        "gcloud run services update netra-backend --project=netra-staging --region=us-central1 " +
          "--update-secrets=JWT_SECRET_STAGING=jwt-secret-staging:latest",
      );
      expect(text).toContain("config-triage: every check passes");
      for (const title of ["Fix configuration: JWT_SECRET_STAGING missing on staging", "Monitor configuration health"])
        expect(text).toContain(title);
      // GitHub's rendering: a table, task-list checkboxes, <details>, the markers hidden.
      expect(found(page, /<td><code>netra-backend<\/code><\/td>/)).toBeDefined();
      // The follow-up list as task-list items, its issue references linked to the issues on the page.
      const task =
        /<li class="task-list-item"><input type="checkbox" disabled=""> <a href="#issue-931"[^>]*>#931<\/a> Fix/;
      expect(found(page, task)).toBeDefined();
      expect(found(page, /<section class="issue" id="issue-931">/)).toBeDefined();
      expect(found(page, /<details><summary>✅ 2 passing<\/summary>/)).toBeDefined();
      expect(found(page, /config-triage:diagnosis/)).toBeUndefined();
      // Every Mermaid block became an SVG drawn by Mermaid; no diagram source is left as text.
      const blocks = page.match(/<pre class="mermaid"[^>]*>/g) ?? [];
      const drawn = page.match(/<pre class="mermaid"[^>]*><svg [^>]*aria-roledescription="flowchart-v2"/g) ?? [];
      expect(blocks.length).toBeGreaterThan(0);
      expect(drawn).toHaveLength(blocks.length);
      expect(text).not.toContain("flowchart LR");
      expect(text).toContain("netra-backend-00042-abc (latest ready)");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("hostile issue text is shown as text and runs nothing, as on GitHub", async () => {
    const pwn = (how: string) => `document.body.setAttribute('data-pwned','${how}')`;
    const hostile = [
      `<script>${pwn("script")}</script>`,
      `<img src="x" onerror="${pwn("img")}">`,
      `<details open ontoggle="${pwn("details")}"><summary>open</summary>x</details>`,
      `<svg onload="${pwn("svg")}"></svg>`,
      `<iframe srcdoc="<script>parent.${pwn("iframe")}</script>"></iframe>`,
      `<a href="javascript:${pwn("link")}" id="click-me">click</a>`,
      `<style>body { display: none }</style>`,
      "</div></section><script>document.title='pwned'</script>",
      '```mermaid\nflowchart LR\n  A["<img src=x onerror=alert(1)>"] --> B\n  click A call alert()\n```',
      '```mermaid\nflowchart LR\n  A --> B["</script><script>alert(1)</script>"]\n```',
    ].join("\n\n");
    const page: DemoPage = {
      repo: "evil/repo",
      issue: {
        number: 1,
        title: "</title><script>document.title='pwned'</script>",
        state: "open",
        author: '"><img src=x onerror=alert(1)>',
        labels: ["<b onmouseover=alert(1)>label</b>"],
        body: hostile,
        comments: [{ author: "bot", body: "see #2" }],
      },
      followUps: [
        {
          number: 2,
          title: "<svg onload=alert(1)>",
          state: "open",
          author: "a",
          labels: [],
          body: hostile,
          comments: [],
        },
      ],
    };
    const html = renderDemoPage(page);
    // The sanitiser: one script (the page's own Mermaid), no event handler, no javascript: URL, no frame, no style.
    const content = shown(html);
    expect(found(content, /<script|<iframe|<svg|<[^>]*\son[a-z]+=|javascript:|<style/i)).toBeUndefined();
    expect(html.match(/<script/g)).toHaveLength(1);

    const dir = await mkdtemp(join(tmpdir(), "demo-page-hostile-"));
    try {
      const path = join(dir, "page.html");
      await writeFile(path, html);
      const dom = await dumpDomInChromium(path);
      const body = shown(dom);
      // No script of the content ran (each would set data-pwned or the title): the body has only the page's attribute.
      expect(found(body, /<body[^>]*>/)).toBe('<body data-mermaid="rendered">');
      expect(found(dom, /<title>.*<\/title>/)).toBe(
        "<title>evil/repo#1: &lt;/title&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;</title>",
      );
      const text = textOf(body);
      expect(text).toContain("<svg onload=alert(1)>");
      expect(text).toContain("<b onmouseover=alert(1)>label</b>");
      // The Mermaid blocks are drawn (strict mode: labels are text, no click handler).
      expect(body.match(/<pre class="mermaid"[^>]*><svg /g)).toHaveLength(4);
      expect(found(body, /<[^>]*\son[a-z]+=/)).toBeUndefined();
      // Issue references to issues on the page link to them.
      expect(found(body, /<a href="#issue-2" class="issue-link">#2<\/a>/)).toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the page loads nothing by URL: no script or stylesheet, and images only inline by its policy", async () => {
    const html = renderDemoPage({
      repo: "o/r",
      issue: {
        number: 1,
        title: "t",
        state: "open",
        author: "a",
        labels: [],
        body: "![x](https://example.com/x.png)",
        comments: [],
      },
      followUps: [],
    });
    expect(found(html, /<(script|link)[^>]+(src|href)=/)).toBeUndefined();
    expect(found(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*"/)).toMatch(
      /"default-src 'none'; script-src 'sha256-[^']+'; style-src 'unsafe-inline'; img-src data:; font-src data:;/,
    );
    expect(found(html, /<img [^>]*>/)).toBe('<img src="https://example.com/x.png" alt="x">');
  });
});
