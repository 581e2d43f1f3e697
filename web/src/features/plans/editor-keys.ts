import { useEffect } from "react";
import { TOOLS, type Tool, UNITS } from "./editor-tools.tsx";
import type { PaintUnit } from "./plan-model.ts";

/** What the editor's keys do; the editor decides what each means in its state (a leader's tools stay "select"). */
export type EditorKeyActions = {
  undo: () => void;
  redo: () => void;
  tool: (tool: Tool) => void;
  newGrid: () => void;
  unit: (unit: PaintUnit) => void;
  nextProblem: () => void;
  tooltips: () => void;
  escape: () => void;
};

/**
 * The editor's keyboard: a tool's letter, G a new grid, 1–3 the paint unit, Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y)
 * undo and redo, N the next problem, T the tooltips, Escape backs out. Not while typing in a field, nor while a
 * dialog is open (`on` false). Bound anew at each render, so the actions see the editor's latest state.
 */
export function useEditorKeys(on: boolean, actions: EditorKeyActions): void {
  useEffect(() => {
    const keys = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (!on) return;
      const k = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && k === "z") {
        e.preventDefault();
        if (e.shiftKey) actions.redo();
        else actions.undo();
        return;
      }
      if ((e.ctrlKey || e.metaKey) && k === "y") {
        e.preventDefault();
        actions.redo();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const chosen = TOOLS.find((x) => x.key === k);
      if (chosen) actions.tool(chosen.tool);
      else if (k === "g") actions.newGrid();
      else if (k === "1" || k === "2" || k === "3") actions.unit(UNITS[Number(k) - 1] as PaintUnit);
      else if (k === "n") actions.nextProblem();
      else if (k === "t") actions.tooltips();
      else if (e.key === "Escape") actions.escape();
    };
    window.addEventListener("keydown", keys);
    return () => window.removeEventListener("keydown", keys);
  });
}
