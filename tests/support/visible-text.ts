import type { Page } from "playwright-core";

/**
 * What a person should never read where a name exists: an internal code in snake_case (`camera_update`,
 * `youth_room`) or an id as "#184". Both are looked for in the text the page shows (`innerText`: what is rendered,
 * not what a closed `<details>` or an input holds).
 */
const CODES = [/\b[a-z]+_[a-z_]+\b/g, /#\d+/g];

/** The codes in a text, each once. */
export function codesIn(text: string): string[] {
  return [...new Set(CODES.flatMap((re) => text.match(re) ?? []))];
}

/** The codes in what the page shows now, each with a little of the text around it to find it by. */
export async function codesShown(page: Page): Promise<string[]> {
  // biome-ignore lint/performance/useDomNodeTextContent: what a person reads: innerText leaves out hidden elements, textContent would not
  const text = await page.evaluate(() => document.body.innerText);
  return codesIn(text).map((code) => {
    const at = text.indexOf(code);
    return `${code} in “${text.slice(Math.max(0, at - 20), at + code.length + 20).replace(/\s+/g, " ")}”`;
  });
}
