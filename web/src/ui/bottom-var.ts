import { type RefObject, useLayoutEffect } from "react";

/**
 * Publishes where an element floating over the map ends, as the CSS variable `name` on the document (in px from the
 * top of the window), kept up to date as it wraps onto more lines, grows, or is moved down by what floats above it
 * (whose own variable changing is seen on the document's style). Whatever floats below it places itself with
 * `top: calc(var(name, <one-line guess>) + gap)` instead of assuming the heights above it.
 */
export function useBottomVar(ref: RefObject<HTMLElement | null>, name: `--${string}`, active = true): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!active || !el) return;
    const root = document.documentElement;
    const update = () => {
      const bottom = `${Math.ceil(el.getBoundingClientRect().bottom)}px`;
      // Only a change is written, so the elements reacting to each other's variables settle at once.
      if (root.style.getPropertyValue(name) !== bottom) root.style.setProperty(name, bottom);
    };
    update();
    const resized = new ResizeObserver(update);
    resized.observe(el);
    const moved = new MutationObserver(update);
    moved.observe(root, { attributes: true, attributeFilter: ["style"] });
    window.addEventListener("resize", update);
    return () => {
      resized.disconnect();
      moved.disconnect();
      window.removeEventListener("resize", update);
      root.style.removeProperty(name);
    };
  }, [ref, name, active]);
}
