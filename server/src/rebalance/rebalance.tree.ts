import type { CommunityGraph } from "./rebalance.graph.ts";
import type { Random } from "./rebalance.random.ts";

/**
 * A region of units contracted into nodes ("super-units"): a whole block when its households fit in one grid,
 * else its compounds that fit, else their buildings that fit, else single units. Cutting only between nodes keeps
 * what they hold whole by construction; the finer levels exist for when the band needs a cut inside them.
 */
export interface Contracted {
  nodes: number[][];
  hh: Float64Array;
  /** Node of each unit of the graph, -1 outside the region. */
  nodeOf: Int32Array;
  /** Undirected edges between nodes, each once, with the summed weighted cost of the boundary between them. */
  eu: Int32Array;
  ev: Int32Array;
  ecost: Float64Array;
}

/** Contraction levels: 3 block, 2 compound, 1 building, 0 unit. */
export type Level = 0 | 1 | 2 | 3;

export function contract(g: CommunityGraph, region: readonly number[], level: Level, maxHH: number): Contracted {
  const mark = new Int32Array(g.n);
  let stamp = 0;
  const nodes: number[][] = [];
  const keyOf = (l: Level): Int32Array | null =>
    l === 3 ? g.block : l === 2 ? g.compound : l === 1 ? g.building : null;
  const group = (units: readonly number[], l: Level): void => {
    const key = keyOf(l);
    if (!key) {
      for (const u of units) nodes.push([u]);
      return;
    }
    const buckets = new Map<number, number[]>();
    const loose: number[] = [];
    for (const u of units) {
      const k = key[u]!;
      if (k < 0) loose.push(u);
      else {
        let b = buckets.get(k);
        if (!b) {
          b = [];
          buckets.set(k, b);
        }
        b.push(u);
      }
    }
    for (const bucket of buckets.values()) {
      stamp++;
      for (const u of bucket) mark[u] = stamp;
      const inBucket = stamp;
      stamp++;
      for (const s of bucket) {
        if (mark[s] !== inBucket) continue;
        const comp = [s];
        mark[s] = stamp;
        let hh = 0;
        for (let i = 0; i < comp.length; i++) {
          const u = comp[i]!;
          hh += g.hh[u]!;
          for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
            const v = g.adj[e]!;
            if (mark[v] !== inBucket) continue;
            mark[v] = stamp;
            comp.push(v);
          }
        }
        if (hh <= maxHH || comp.length === 1) nodes.push(comp);
        else group(comp, (l - 1) as Level);
      }
    }
    if (loose.length) group(loose, (l - 1) as Level);
  };
  group(region, level);
  const nodeOf = new Int32Array(g.n).fill(-1);
  const hh = new Float64Array(nodes.length);
  nodes.forEach((members, i) => {
    for (const u of members) {
      nodeOf[u] = i;
      hh[i]! += g.hh[u]!;
    }
  });
  const edge = new Map<number, number>();
  const count = nodes.length;
  for (const u of region) {
    const a = nodeOf[u]!;
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
      const b = nodeOf[g.adj[e]!]!;
      if (b <= a) continue;
      const k = a * count + b;
      edge.set(k, (edge.get(k) ?? 0) + g.cost[e]!);
    }
  }
  const eu = new Int32Array(edge.size);
  const ev = new Int32Array(edge.size);
  const ecost = new Float64Array(edge.size);
  let i = 0;
  for (const [k, c] of edge) {
    eu[i] = Math.floor(k / count);
    ev[i] = k % count;
    ecost[i] = c;
    i++;
  }
  return { nodes, hh, nodeOf, eu, ev, ecost };
}

/** A rooted spanning tree of a contracted region, with what evaluating all its single-edge cuts needs. */
export interface Tree {
  parent: Int32Array;
  /** Nodes in depth-first preorder: a subtree is the preorder range [tin[x], tin[x] + size[x]). */
  order: Int32Array;
  tin: Int32Array;
  size: Int32Array;
  depth: Int32Array;
}

/**
 * A random spanning tree by Kruskal on random keys. An edge's key is Exp(1) / cost^bias: with bias 0 every
 * spanning forest order is equally likely, with bias > 0 long (and in-block) shared boundaries tend to be tree edges,
 * so the single edge the caller cuts tends to separate loosely joined parts. Returns null when the region is not
 * connected.
 */
export function randomTree(c: Contracted, random: Random, bias: number): Tree | null {
  const n = c.nodes.length;
  const m = c.eu.length;
  const logCost = logCostOf(c);
  // The order of Exp(1)/cost^bias is that of log(Exp(1)) − bias·log(cost); log(Exp(1)) comes from a table.
  // Sorting packed (quantised key, index) doubles natively is many times faster than sorting indexes with a
  // comparator; keys that collide after quantisation are ordered by index, which is as good as random here.
  const packed = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const key = logExp[random.int(logExpSize)]! - bias * logCost[e]!;
    const q = Math.min(4294967295, Math.max(0, Math.floor((key + 64) * 33554432)));
    packed[e] = q * 1048576 + e;
  }
  packed.sort();
  const uf = new Int32Array(n);
  for (let i = 0; i < n; i++) uf[i] = i;
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(2 * Math.max(0, n - 1));
  const to = new Int32Array(2 * Math.max(0, n - 1));
  let used = 0;
  let joined = 0;
  for (let i = 0; i < m && joined < n - 1; i++) {
    const e = packed[i]! % 1048576;
    const a = c.eu[e]!;
    const b = c.ev[e]!;
    let ra = a;
    while (uf[ra] !== ra) {
      uf[ra] = uf[uf[ra]!]!;
      ra = uf[ra]!;
    }
    let rb = b;
    while (uf[rb] !== rb) {
      uf[rb] = uf[uf[rb]!]!;
      rb = uf[rb]!;
    }
    if (ra === rb) continue;
    uf[ra] = rb;
    joined++;
    to[used] = b;
    next[used] = head[a]!;
    head[a] = used++;
    to[used] = a;
    next[used] = head[b]!;
    head[b] = used++;
  }
  if (joined !== n - 1) return null;
  const root = random.int(n);
  const parent = new Int32Array(n).fill(-1);
  const pre = new Int32Array(n);
  const tin = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  const depth = new Int32Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  stack[top++] = root;
  parent[root] = root;
  let t = 0;
  while (top > 0) {
    const x = stack[--top]!;
    tin[x] = t;
    pre[t++] = x;
    for (let k = head[x]!; k >= 0; k = next[k]!) {
      const y = to[k]!;
      if (parent[y] !== -1) continue;
      parent[y] = x;
      depth[y] = depth[x]! + 1;
      stack[top++] = y;
    }
  }
  for (let i = n - 1; i > 0; i--) {
    const x = pre[i]!;
    size[parent[x]!]! += size[x]!;
  }
  parent[root] = -1;
  return { parent, order: pre, tin, size, depth };
}

/** log(Exp(1)) at the midpoints of 4096 equal-probability bins: fine enough to order a region's edges. */
const logExpSize = 4096;
const logExp = Float64Array.from({ length: logExpSize }, (_, i) => Math.log(-Math.log(1 - (i + 0.5) / logExpSize)));

const logCosts = new WeakMap<Contracted, Float64Array>();

function logCostOf(c: Contracted): Float64Array {
  let v = logCosts.get(c);
  if (!v) {
    v = new Float64Array(c.ecost.length);
    for (let e = 0; e < v.length; e++) v[e] = Math.log(1 + c.ecost[e]!);
    logCosts.set(c, v);
  }
  return v;
}

/** Sums of a per-node value over every subtree. */
export function subtreeSums(tree: Tree, values: ArrayLike<number>): Float64Array {
  const n = tree.order.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i]!;
  for (let i = n - 1; i > 0; i--) {
    const x = tree.order[i]!;
    out[tree.parent[x]!]! += out[x]!;
  }
  return out;
}

/**
 * Cost of the boundary that cutting the tree edge above each node would create: every region edge (a, b) is cut
 * exactly by the tree edges on the path from a to b, so adding its cost at a and b and taking it twice off at
 * their lowest common ancestor makes the subtree sum at x the cut above x.
 */
export function cutCosts(tree: Tree, c: Contracted): Float64Array {
  const acc = new Float64Array(c.nodes.length);
  const { parent, depth } = tree;
  for (let e = 0; e < c.eu.length; e++) {
    let a = c.eu[e]!;
    let b = c.ev[e]!;
    const w = c.ecost[e]!;
    acc[a]! += w;
    acc[b]! += w;
    while (depth[a]! > depth[b]!) a = parent[a]!;
    while (depth[b]! > depth[a]!) b = parent[b]!;
    while (a !== b) {
      a = parent[a]!;
      b = parent[b]!;
    }
    acc[a]! -= 2 * w;
  }
  return subtreeSums(tree, acc);
}

/**
 * Buildings and compounds that lie in more than one node of the region: the only ones a cut can split.
 * Each entry lists the preorder-independent node ids; {@link splitCount} counts, for a subtree, how many are split.
 */
export interface SplitIndex {
  buildings: Int32Array[];
  compounds: Int32Array[];
}

export function splitIndex(g: CommunityGraph, c: Contracted): SplitIndex {
  const collect = (key: Int32Array) => {
    const byKey = new Map<number, Set<number>>();
    c.nodes.forEach((members, node) => {
      for (const u of members) {
        const k = key[u]!;
        if (k < 0) continue;
        let s = byKey.get(k);
        if (!s) {
          s = new Set();
          byKey.set(k, s);
        }
        s.add(node);
      }
    });
    const out: Int32Array[] = [];
    for (const s of byKey.values()) if (s.size > 1) out.push(Int32Array.from(s));
    return out;
  };
  return { buildings: collect(g.building), compounds: collect(g.compound) };
}

/** How many of the entities have nodes both inside and outside the subtree under x. */
export function splitCount(entities: readonly Int32Array[], tree: Tree, x: number): number {
  const lo = tree.tin[x]!;
  const hi = lo + tree.size[x]!;
  let split = 0;
  for (const nodes of entities) {
    let inside = 0;
    for (let i = 0; i < nodes.length; i++) {
      const t = tree.tin[nodes[i]!]!;
      if (t >= lo && t < hi) inside++;
    }
    if (inside > 0 && inside < nodes.length) split++;
  }
  return split;
}

/** The nodes of the subtree under x. */
export function subtreeNodes(tree: Tree, x: number): Int32Array {
  const lo = tree.tin[x]!;
  return tree.order.subarray(lo, lo + tree.size[x]!);
}

/**
 * Coarsens a contraction by rounds of heavy-edge matching (as METIS does): each node joins the unmatched
 * neighbour it shares the most boundary with, as long as the pair holds at most `cap` households, until at most
 * `target` nodes remain or nothing can merge. For the first cuts of a region that will hold many grids, where
 * single parcels are far too fine to matter and cost time.
 */
export function coarsen(c: Contracted, cap: number, target: number, random: Random): Contracted {
  let cur = c;
  while (cur.nodes.length > target) {
    const n = cur.nodes.length;
    const degree = new Int32Array(n + 1);
    for (let e = 0; e < cur.eu.length; e++) {
      degree[cur.eu[e]!]!++;
      degree[cur.ev[e]!]!++;
    }
    const xadj = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) xadj[i + 1] = xadj[i]! + degree[i]!;
    const fill = xadj.slice(0, n);
    const adj = new Int32Array(xadj[n]!);
    const w = new Float64Array(xadj[n]!);
    for (let e = 0; e < cur.eu.length; e++) {
      const a = cur.eu[e]!;
      const b = cur.ev[e]!;
      adj[fill[a]!] = b;
      w[fill[a]!++] = cur.ecost[e]!;
      adj[fill[b]!] = a;
      w[fill[b]!++] = cur.ecost[e]!;
    }
    const match = new Int32Array(n).fill(-1);
    const visit = new Int32Array(n);
    for (let i = 0; i < n; i++) visit[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1);
      const t = visit[i]!;
      visit[i] = visit[j]!;
      visit[j] = t;
    }
    let merged = 0;
    for (const a of visit) {
      if (match[a] !== -1) continue;
      let best = -1;
      let bestW = -1;
      for (let k = xadj[a]!; k < xadj[a + 1]!; k++) {
        const b = adj[k]!;
        if (match[b] !== -1 || cur.hh[a]! + cur.hh[b]! > cap || w[k]! <= bestW) continue;
        best = b;
        bestW = w[k]!;
      }
      if (best < 0) continue;
      match[a] = best;
      match[best] = a;
      merged++;
    }
    if (merged === 0) break;
    const newOf = new Int32Array(n).fill(-1);
    const nodes: number[][] = [];
    for (let a = 0; a < n; a++) {
      if (newOf[a] !== -1) continue;
      const id = nodes.length;
      newOf[a] = id;
      const members = cur.nodes[a]!.slice();
      const b = match[a]!;
      if (b >= 0) {
        newOf[b] = id;
        members.push(...cur.nodes[b]!);
      }
      nodes.push(members);
    }
    const hh = new Float64Array(nodes.length);
    for (let a = 0; a < n; a++) hh[newOf[a]!]! += cur.hh[a]!;
    const nodeOf = new Int32Array(cur.nodeOf.length).fill(-1);
    for (let u = 0; u < cur.nodeOf.length; u++) if (cur.nodeOf[u]! >= 0) nodeOf[u] = newOf[cur.nodeOf[u]!]!;
    const edge = new Map<number, number>();
    const count = nodes.length;
    for (let e = 0; e < cur.eu.length; e++) {
      const a = newOf[cur.eu[e]!]!;
      const b = newOf[cur.ev[e]!]!;
      if (a === b) continue;
      const k = a < b ? a * count + b : b * count + a;
      edge.set(k, (edge.get(k) ?? 0) + cur.ecost[e]!);
    }
    const eu = new Int32Array(edge.size);
    const ev = new Int32Array(edge.size);
    const ecost = new Float64Array(edge.size);
    let i = 0;
    for (const [k, v] of edge) {
      eu[i] = Math.floor(k / count);
      ev[i] = k % count;
      ecost[i++] = v;
    }
    cur = { nodes, hh, nodeOf, eu, ev, ecost };
  }
  return cur;
}
