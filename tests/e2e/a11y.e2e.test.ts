import fs from "node:fs";
import path from "node:path";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, saveScreenshot } from "../support/browser.ts";
import { type LayoutPage, PAGES, type Role, WAIT_MS } from "../support/page-list.ts";
import { frames, pageReady, usePageTour } from "../support/page-tour.ts";
import { mapSettled } from "../support/pages.ts";

/**
 * Accessibility as public-sector software is expected to have it (GB/T 37668-2019, which follows WCAG 2.1 AA):
 * axe-core over every page of every role (the layout test's list) in Chinese and English, with no critical or
 * serious violation (names and labels, contrast, roles, focus); and the map's controls reached by the keyboard alone.
 */

const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
type Finding = { rule: string; impact: string; help: string; targets: string[] };

const tour = usePageTour("e2ea11y");
/** Every violation found, whatever its impact, for the summary written to tests/artifacts/a11y-summary.json. */
const summary: { page: string; role: Role; lang: string; findings: Finding[] }[] = [];

afterAll(async () => {
  await fs.promises.mkdir(ARTIFACTS_DIR, { recursive: true });
  await fs.promises.writeFile(path.join(ARTIFACTS_DIR, "a11y-summary.json"), JSON.stringify(summary, null, 1));
});

/** The desktop the audit runs at. */
const DESKTOP = { width: 1440, height: 900 };

async function open(page: Page, entry: LayoutPage): Promise<void> {
  await page.goto(tour.server.url + tour.pathOf(entry));
  await pageReady(page, entry);
}

/** axe-core's WCAG 2.1 A and AA rules over the page as it is; axe is evaluated in the page, not loaded from it. */
async function audit(page: Page): Promise<Finding[]> {
  await page.evaluate(axe.source);
  return page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")} (${(n.failureSummary ?? "").split("\n")[1]})`),
    }));
  }, WCAG_AA);
}

async function switchTo(page: Page, lang: "zh" | "en"): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)).startsWith(lang)) return;
  // A page may hide the switch (the printable list's top bar is not printed): its click is sent to it.
  await page.getByTestId("lang-switch").first().dispatchEvent("click");
  await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), lang, { timeout: WAIT_MS });
  await frames(page);
}

describe("accessibility (GB/T 37668, WCAG 2.1 AA) of every page, for every role", () => {
  for (const role of ["anonymous", "admin", "planner", "leader", "secretary", "worker"] as const) {
    it(`${role}: no critical or serious axe violation, in Chinese and English`, { timeout: WAIT_MS * 20 }, async () => {
      const serious: string[] = [];
      const entries = PAGES.filter((p) => p.roles.includes(role));
      const failed = await tour.walk(role, DESKTOP, entries, async (page, entry) => {
        await open(page, entry);
        // A page without a visible switch (the printable list) is checked in the language it opened in.
        const opened = (await page.evaluate(() => document.documentElement.lang)).startsWith("en") ? "en" : "zh";
        const langs = (await page.getByTestId("lang-switch").first().isVisible())
          ? (["zh", "en"] as const)
          : ([opened] as const);
        const found: typeof summary = [];
        for (const lang of langs) {
          await switchTo(page, lang);
          const findings = await audit(page);
          // <html lang> says the language the page is in (WCAG 3.1.1): the switch offers the other one.
          const offered = langs.length > 1 && (await page.getByTestId("lang-switch").first().textContent())?.trim();
          if (offered && offered !== (lang === "zh" ? "English" : "中文")) {
            findings.push({
              rule: "html-lang-matches-ui",
              impact: "serious",
              help: "<html lang> is the UI's language",
              targets: [`offers ${offered}`],
            });
          }
          found.push({ page: tour.nameOf(entry), role, lang, findings });
        }
        // Only a page audited to the end counts (a retried page is not reported twice).
        for (const { lang, findings } of found) {
          summary.push({ page: tour.nameOf(entry), role, lang, findings });
          for (const f of findings.filter((f) => f.impact === "critical" || f.impact === "serious")) {
            serious.push(
              `${tour.nameOf(entry)} · ${role} · ${lang} · ${f.impact} ${f.rule}: ${f.help} — ${f.targets.join("; ")}`,
            );
          }
          console.log(
            `a11y ${role} ${lang} ${tour.nameOf(entry)}: ${findings.map((f) => `${f.impact} ${f.rule}`).join(", ") || "clean"}`,
          );
        }
      });
      serious.push(...failed);
      console.log(serious.join("\n"));
      expect(serious).toEqual([]);
    });
  }

  it("the map's controls are reached with the keyboard alone, each with a visible focus", {
    timeout: WAIT_MS * 3,
  }, async () => {
    // A fresh sign-in: once, in a full run, the planner's map never came after the role walk above (the legend did
    // not show in 120 s); a session of its own rules out whatever that walk left behind, and the screenshot says more.
    tour.forget("planner");
    const context = await tour.contextFor("planner", DESKTOP);
    const page = await context.newPage();
    try {
      await page.goto(tour.server.url);
      await page
        .getByTestId("legend")
        .waitFor({ timeout: WAIT_MS })
        .catch(async (e: unknown) => {
          await saveScreenshot(page, "a11y-keyboard-no-map");
          throw e;
        });
      await mapSettled(page, [{ source: "grids", sourceLayer: "grids" }], {
        timeout_ms: WAIT_MS,
        name: "a11y-keyboard",
      });
      const reached = new Map<string, boolean>();
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return null;
          const s = getComputedStyle(el);
          const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
          const name = el.classList.contains("maplibregl-canvas")
            ? "canvas"
            : (el.getAttribute("aria-label") ?? el.getAttribute("title") ?? el.className);
          return { name, inMap: !!el.closest(".maplibregl-map"), ring };
        });
        if (focused?.inMap) reached.set(focused.name, focused.ring);
      }
      await saveScreenshot(page, "a11y-keyboard-map");
      const names = [...reached.keys()];
      // The canvas pans and zooms with the arrow keys and + / − once focused; the zoom buttons and compass are buttons.
      expect(names).toContain("canvas");
      expect(names.some((n) => /放大|Zoom in/.test(n))).toBe(true);
      expect(names.some((n) => /缩小|Zoom out/.test(n))).toBe(true);
      expect([...reached].filter(([, ring]) => !ring).map(([n]) => n)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
