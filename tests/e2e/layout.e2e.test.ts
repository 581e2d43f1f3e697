import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { type LayoutPage, PAGES, type Role, WAIT_MS } from "../support/page-list.ts";
import { frames, pageReady, usePageTour } from "../support/page-tour.ts";
import { codesShown } from "../support/visible-text.ts";

/**
 * The one layout test: every page of every role, on two phones (390×844 and 360×740) and at two desktop sizes, in
 * Chinese and English. On each it looks for what stops a person: content running off the side of the screen, a
 * control covered by something else (a panel, the attribution, another control), text squeezed to a character
 * or two per line, and, in Chinese, an internal code (snake_case or "#id") shown where a name belongs.
 */

type Viewport = { name: string; width: number; height: number; phone: boolean };
/** A common phone, and a small one as a resize of the same page. */
const PHONES: Viewport[] = [
  { name: "390x844", width: 390, height: 844, phone: true },
  { name: "360x740", width: 360, height: 740, phone: true },
];
const DESKTOPS: Viewport[] = [
  { name: "1280x800", width: 1280, height: 800, phone: false },
  { name: "1440x900", width: 1440, height: 900, phone: false },
];

const tour = usePageTour("e2elayout");

/** What a check found on the page, one line each: the kind, the element and what is wrong. */
type Offence = { kind: "overflow" | "covered" | "squeezed"; what: string };

/** Runs the three checks in the page. */
function findOffences(page: Page): Promise<Offence[]> {
  return page.evaluate(() => {
    const found: { kind: "overflow" | "covered" | "squeezed"; what: string }[] = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const describe = (el: Element): string => {
      const testId = el.getAttribute("data-testid");
      const cls =
        typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
      const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 24);
      return `${el.tagName.toLowerCase()}${testId ? `[data-testid=${testId}]` : cls}${text ? ` "${text}"` : ""}`;
    };
    const visible = (el: Element) =>
      el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) &&
      el.getBoundingClientRect().width > 0 &&
      el.getBoundingClientRect().height > 0;
    /** The part of the window an element may show in: its clipping and scrolling ancestors cut it. */
    const clipOf = (el: Element) => {
      let box = { left: 0, top: 0, right: vw, bottom: vh };
      let clipped = false;
      // The app's root clips at the window's edges: that is the overflow looked for, not a box that scrolls.
      const root = document.getElementById("root");
      for (let p = el.parentElement; p && p !== root && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== "visible" || s.overflowY !== "visible") {
          const r = p.getBoundingClientRect();
          box = {
            left: Math.max(box.left, r.left),
            top: Math.max(box.top, r.top),
            right: Math.min(box.right, r.right),
            bottom: Math.min(box.bottom, r.bottom),
          };
          clipped = true;
        }
      }
      return { box, clipped };
    };

    // Off the side: an element no clipping or scrolling box holds, reaching past the window's edges.
    for (const el of document.querySelectorAll("body *")) {
      if (!visible(el) || el.closest(".maplibregl-map")) continue;
      const r = el.getBoundingClientRect();
      if (r.right <= vw + 1 && r.left >= -1) continue;
      if (clipOf(el).clipped) continue;
      const parent = el.parentElement?.getBoundingClientRect();
      if (parent && (parent.right > vw + 1 || parent.left < -1) && !clipOf(el.parentElement!).clipped) continue;
      found.push({ kind: "overflow", what: `${describe(el)} spans ${Math.round(r.left)}–${Math.round(r.right)}px` });
    }

    // Covered: a control whose centre, where it is on screen, is not its own.
    const controls = "button, a[href], input:not([type=hidden]), select, textarea, [role=checkbox]";
    for (const el of document.querySelectorAll<HTMLElement>(controls)) {
      if (!visible(el) || el.closest(".maplibregl-canvas-container")) continue;
      // A link broken over two lines is hit on its first line, not between the two.
      const r = el.getClientRects()[0] ?? el.getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      const { box } = clipOf(el);
      // Scrolled out of its box: scrolling brings it back, nothing covers it.
      if (x < box.left || x > box.right || y < box.top || y > box.bottom) continue;
      const hit = document.elementFromPoint(x, y);
      if (!hit || hit === el || el.contains(hit)) continue;
      if (hit instanceof HTMLLabelElement && hit.control === el) continue;
      if (hit.closest("label") && (hit.closest("label") as HTMLLabelElement).control === el) continue;
      // What a person has just opened (a dropdown, a sheet of filters, marked data-overlay) covers the page on purpose.
      const overlay = hit.closest("[data-overlay]");
      if (overlay && !overlay.contains(el)) continue;
      found.push({ kind: "covered", what: `${describe(el)} under ${describe(hit)}` });
    }

    // Squeezed: text laid out in lines of a character or two.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? "").replace(/\s+/g, "");
      const owner = node.parentElement;
      if (text.length < 3 || !owner || !visible(owner) || owner.closest(".maplibregl-map, style, script")) continue;
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((q) => q.width > 0);
      const lines = new Set(rects.map((q) => Math.round(q.top)));
      // Squeezed text stands in a box a few characters wide; a link wrapping at the end of a sentence does not.
      let box: HTMLElement | null = owner;
      while (box?.parentElement && getComputedStyle(box).display === "inline") box = box.parentElement;
      const style = getComputedStyle(box ?? owner);
      const inner = (box ?? owner).clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const narrow = inner < 3.5 * parseFloat(getComputedStyle(owner).fontSize);
      if (lines.size >= 2 && narrow && text.length / lines.size <= 2.5) {
        found.push({ kind: "squeezed", what: `${describe(owner)} in ${lines.size} lines` });
      }
    }
    return found;
  });
}

/** Switches the UI language with the top bar's switch, as a person does, and waits for the page to follow. */
async function switchTo(page: Page, lang: "zh" | "en"): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)).startsWith(lang)) return;
  // The switch itself may be what a phone's layout covers (an offence found anyway): its click is sent to it.
  await page.getByTestId("lang-switch").first().dispatchEvent("click");
  await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), lang);
  await frames(page);
}

/** Checks `entry` in both languages at the viewport the page has, recording offences and a screenshot each. */
async function checkHere(page: Page, role: Role, entry: LayoutPage, viewport: Viewport, out: string[]) {
  // A page without the top bar (a printable list) is checked in the language it was opened in.
  const langs = (await page.getByTestId("lang-switch").count()) > 0 ? (["zh", "en"] as const) : (["zh"] as const);
  for (const lang of langs) {
    await switchTo(page, lang);
    for (const o of await findOffences(page)) {
      out.push(`${tour.nameOf(entry)} · ${role} · ${viewport.name} · ${lang} · ${o.kind}: ${o.what}`);
    }
    // The screenshot is the record for a person to look at; the checks above are the test. A capture the renderer
    // could not serve in time (SwiftShader on a busy machine) is said in the log and does not hide the next page.
    if (lang === "zh") {
      await saveScreenshot(page, `layout-${role}-${viewport.name}${tour.nameOf(entry)}`).catch((err: Error) => {
        console.warn(
          `layout ${role} ${viewport.name} ${tour.nameOf(entry)}: no screenshot: ${err.message.split("\n")[0]}`,
        );
      });
    }
    // Names, not codes (issue 17): in Chinese, once per page (the text is the same at every size).
    if (lang === "zh" && viewport.width === 1440) {
      for (const code of await codesShown(page)) out.push(`${tour.nameOf(entry)} · ${role} · zh · code shown: ${code}`);
    }
  }
  await switchTo(page, "zh");
}

/**
 * Brings `page` to `entry`: the first time by loading the app, then inside it (as its links do), so the base map,
 * loaded once per app, is not loaded again for every page.
 */
async function visit(page: Page, entry: LayoutPage): Promise<void> {
  const path = tour.pathOf(entry);
  if (page.url().startsWith(tour.server.url)) {
    await page.evaluate((to) => {
      history.pushState(null, "", to);
      dispatchEvent(new PopStateEvent("popstate"));
    }, path);
  } else {
    await page.goto(tour.server.url + path);
  }
  await pageReady(page, entry);
}

/** Checks every page of `role` at `viewports` (one context; sizes past the first are a resize) into `out`. */
async function checkAt(role: Role, viewports: Viewport[], out: string[]): Promise<void> {
  const entries = PAGES.filter((p) => p.roles.includes(role));
  const failed = await tour.walk(role, viewports[0]!, entries, async (page, entry) => {
    const t0 = Date.now();
    const found: string[] = [];
    await visit(page, entry);
    for (const viewport of viewports) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await frames(page);
      await checkHere(page, role, entry, viewport, found);
    }
    out.push(...found);
    console.log(
      [`layout ${role} ${viewports[0]!.name} ${tour.nameOf(entry)}: ${(Date.now() - t0) / 1000} s`, ...found].join(
        "\n",
      ),
    );
  });
  // A page that does not come up is an offence too.
  out.push(...failed.map((f) => `${f} (${viewports[0]!.name})`));
  if (failed.length) console.log(failed.join("\n"));
}

describe("the layout of every page, for every role, on a phone and on two desktops", () => {
  for (const role of ["anonymous", "admin", "planner", "leader", "secretary", "worker"] as const) {
    it(`${role}: nothing off the side, covered or squeezed`, { timeout: WAIT_MS * 20 }, async () => {
      const offences: string[] = [];
      // The phone has its own context: isMobile and touch cannot change on a live one.
      await checkAt(role, PHONES, offences);
      await checkAt(role, DESKTOPS, offences);
      console.log(`layout offences (${role}): ${offences.length}`);
      expect(offences).toEqual([]);
    });
  }
});
