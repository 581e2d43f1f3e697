import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { freeText } from "../../http/input.ts";
import { communityCode, gridCode, lngLat } from "../../http/schemas.ts";

const id = z.coerce
  .number()
  .int(bi("应为整数", "an integer"))
  .positive(bi("应为正整数", "a positive integer"))
  .max(2_000_000_000);
export const PlanParam = z.object({ id });
export const PlanGridParam = z.object({ id, code: gridCode });
export const CompareParam = z.object({ a: id, b: id });
export const RebalanceJobParam = z.object({ id, job: z.uuid(bi("任务编号格式不正确", "not a job id")) });

export const version = z
  .number()
  .int()
  .min(0)
  .max(2_000_000_000)
  .openapi({ description: "The plan version the edit was made against; a stale version gets 409" });

export const CreatePlan = z.object({
  from: z.union([z.literal("published"), z.number().int().positive().max(2_000_000_000)]),
  name: z.string().trim().min(1, bi("请填写方案名称", "name the plan")).max(80),
});

export const Assign = z.object({
  version,
  parcels: z
    .array(z.number().int().positive().max(2_000_000_000))
    .min(1, bi("至少选择一个地块", "choose at least one parcel"))
    .max(20_000),
  grid: z.union([gridCode, z.literal("new")]),
});

export const VersionOnly = z.object({ version });

export const Lock = z.object({ version, locked: z.boolean() });

export const Merge = z.object({ version, grids: z.tuple([gridCode, gridCode]) });

export const DeleteGrid = z.object({
  version,
  /** The neighbour that takes every parcel; without it each parcel goes to the neighbour it shares most boundary with. */
  into: gridCode.optional(),
});

export const LineString = z
  .object({
    type: z.literal("LineString"),
    coordinates: z
      .array(lngLat)
      .min(2, bi("线至少两个点", "a line has at least 2 points"))
      .max(2000, bi("线最多2000个点", "a line has at most 2000 points")),
  })
  .openapi("LineString");

export const Split = z.object({
  version,
  line: LineString,
  /**
   * `buildings` (the default): every building goes wholly to the side holding most of its footprint, so a straight
   * cut never splits a building between grids (entrances are never split anyway: a parcel is one entrance's).
   * `none`: each parcel follows the line exactly.
   */
  snap: z.enum(["buildings", "none"]).default("buildings"),
});

export const Renumber = z.object({ version, community: communityCode });

export const Publish = z.object({
  version,
  /** Required with a reason when the plan has warnings (grids out of band, buildings or compounds split). */
  confirm: z.boolean().default(false),
  reason: freeText(z.string().trim().max(500)).optional(),
});

export const Rebalance = z.object({
  version,
  community: communityCode,
  /** Repair only these grids (and their parcels); all grids of the community when absent. */
  grids: z.array(gridCode).max(500).optional(),
  mode: z.enum(["full", "repair"]).default("repair"),
  min: z.number().int().min(1).max(100_000).optional(),
  max: z.number().int().min(1).max(100_000).optional(),
  grid_count: z.number().int().min(1).max(2000).optional(),
  /**
   * Seconds of search to the limit per community after the fast answer (issue 19): exact covers, local search and
   * the proven lower bound on grids out of band. 0 (the default here) gives the fast answer alone.
   */
  budget_s: z.number().min(0).max(120).default(0),
  /**
   * A grid above the maximum only when one parcel forces it (split: buildings split along entrances) or also a whole
   * building (keep). Every answer follows it, the fast answer (budget 0) included.
   */
  over_full: z.enum(["split", "keep"]).default("split"),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .default(1),
});
