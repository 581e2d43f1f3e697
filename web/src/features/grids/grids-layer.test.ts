import type { ExpressionSpecification } from "maplibre-gl";
import { describe, expect, it } from "vitest";
import { gridsLayers } from "./grids-layer.ts";

/** The few expression operators the grid label uses, evaluated for one feature at one zoom. */
function evaluate(e: unknown, zoom: number, props: Record<string, string>): unknown {
  if (!Array.isArray(e)) return e;
  const [op, ...args] = e as [string, ...unknown[]];
  switch (op) {
    case "get":
      return props[args[0] as string];
    case "zoom":
      return zoom;
    case "slice":
      return String(evaluate(args[0], zoom, props)).slice(args[1] as number);
    case "concat":
      return args.map((a) => evaluate(a, zoom, props)).join("");
    case "step": {
      let out = args[1];
      for (let i = 2; i < args.length; i += 2) if (zoom >= (args[i] as number)) out = args[i + 1];
      return evaluate(out, zoom, props);
    }
    default:
      throw new Error(`no evaluator for ${op}`);
  }
}

describe("the grid label", () => {
  const label = (title: string, zoom: number) => {
    const layer = gridsLayers({ focus: null, title }).find((l) => l.id === "grids-label");
    const field = (layer as { layout: { "text-field": ExpressionSpecification } }).layout["text-field"];
    return evaluate(field, zoom, { code: "150571003014010" });
  };

  it("is the grid's number, then its title where there is room, never the 15-digit code", () => {
    expect(label("第 {seq} 网格", 14)).toBe("010");
    expect(label("第 {seq} 网格", 18)).toBe("第 010 网格");
    expect(label("Grid {seq}", 18)).toBe("Grid 010");
    for (const zoom of [12.5, 15, 16.5, 18, 20]) expect(String(label("第 {seq} 网格", zoom))).not.toMatch(/\d{15}/);
  });
});
