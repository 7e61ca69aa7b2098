/**
 * Beats (警勤區) drawn from basic statistical areas: real beats are not published, so each
 * station's areas are split into contiguous groups of about BLOCKS_PER_BEAT areas. The number of
 * areas stands in for households (a basic area holds a few dozen), so a beat is a few hundred to
 * about 1,500 households in built-up areas and larger in the hills, as real beats are.
 */
export const BLOCKS_PER_BEAT = 12;

export interface BlockNode {
  /** Grouping key: beats never cross it (station and town). */
  group: string;
  /** A point inside the block in metres (any planar frame), for seeds and growth order. */
  x: number;
  y: number;
}

/** Connected components of the nodes of one group, by the adjacency lists. */
function components(members: readonly number[], adjacent: readonly (readonly number[])[], group: readonly string[]): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const start of members) {
    if (seen.has(start)) continue;
    const component: number[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length) {
      const i = stack.pop()!;
      component.push(i);
      for (const j of adjacent[i]!) {
        if (!seen.has(j) && group[j] === group[i]) {
          seen.add(j);
          stack.push(j);
        }
      }
    }
    out.push(component.sort((a, b) => a - b));
  }
  return out;
}

const dist2 = (a: BlockNode, b: BlockNode) => (a.x - b.x) ** 2 + (a.y - b.y) ** 2;

/** k well-spread seeds: the north-westernmost node, then each next one farthest from those chosen. */
function spreadSeeds(nodes: readonly BlockNode[], component: readonly number[], k: number): number[] {
  const first = component.reduce((best, i) => (nodes[i]!.y - nodes[i]!.x > nodes[best]!.y - nodes[best]!.x ? i : best));
  const seeds = [first];
  const nearest = new Map(component.map((i) => [i, dist2(nodes[i]!, nodes[first]!)]));
  while (seeds.length < k) {
    let far = component[0]!;
    for (const i of component) if (nearest.get(i)! > nearest.get(far)!) far = i;
    seeds.push(far);
    for (const i of component) nearest.set(i, Math.min(nearest.get(i)!, dist2(nodes[i]!, nodes[far]!)));
  }
  return seeds;
}

/**
 * Grows k regions from their seeds at once, always extending the smallest region that still
 * has an unclaimed neighbour by the neighbour closest to its seed: regions stay contiguous and
 * about equal in size.
 */
function growRegions(nodes: readonly BlockNode[], adjacent: readonly (readonly number[])[], component: readonly number[], seeds: readonly number[]): Map<number, number> {
  const inComponent = new Set(component);
  const region = new Map<number, number>();
  const sizes = seeds.map(() => 1);
  const frontiers = seeds.map(() => new Set<number>());
  seeds.forEach((s, r) => region.set(s, r));
  const addFrontier = (r: number, i: number) => {
    for (const j of adjacent[i]!) if (inComponent.has(j) && !region.has(j)) frontiers[r]!.add(j);
  };
  seeds.forEach((s, r) => addFrontier(r, s));
  while (region.size < component.length) {
    let r = -1;
    for (let q = 0; q < seeds.length; q++) {
      for (const j of frontiers[q]!) if (region.has(j)) frontiers[q]!.delete(j);
      if (frontiers[q]!.size && (r < 0 || sizes[q]! < sizes[r]!)) r = q;
    }
    if (r < 0) throw new Error('a connected component could not be covered by its regions');
    const seed = nodes[seeds[r]!]!;
    let pick = -1;
    for (const j of frontiers[r]!) if (pick < 0 || dist2(nodes[j]!, seed) < dist2(nodes[pick]!, seed)) pick = j;
    region.set(pick, r);
    sizes[r]!++;
    frontiers[r]!.delete(pick);
    addFrontier(r, pick);
  }
  return region;
}

/** Pieces smaller than this (a cut-off corner, an islet) join the nearest beat of their group. */
const MIN_PIECE = 4;

/**
 * Splits nodes into beats: inside one group, about BLOCKS_PER_BEAT nodes each, contiguous but
 * for small cut-off pieces. Returns each node's beat number and each beat's group.
 */
export function groupIntoBeats(nodes: readonly BlockNode[], adjacent: readonly (readonly number[])[]): { beat: number[]; beatGroup: string[] } {
  const group = nodes.map((n) => n.group);
  const byGroup = new Map<string, number[]>();
  nodes.forEach((n, i) => byGroup.set(n.group, [...(byGroup.get(n.group) ?? []), i]));
  const beat = new Array<number>(nodes.length).fill(-1);
  const beatGroup: string[] = [];
  for (const [key, members] of [...byGroup].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const pieces = components(members, adjacent, group).sort((a, b) => b.length - a.length);
    const small: number[] = [];
    pieces.forEach((piece, p) => {
      if (p > 0 && piece.length < MIN_PIECE) {
        small.push(...piece);
        return;
      }
      const k = Math.max(1, Math.round(piece.length / BLOCKS_PER_BEAT));
      const regions = growRegions(nodes, adjacent, piece, spreadSeeds(nodes, piece, k));
      const first = beatGroup.length;
      for (let r = 0; r < k; r++) beatGroup.push(key);
      for (const [i, r] of regions) beat[i] = first + r;
    });
    const placed = members.filter((i) => beat[i]! >= 0);
    for (const i of small) {
      const nearest = placed.reduce((best, j) => (dist2(nodes[j]!, nodes[i]!) < dist2(nodes[best]!, nodes[i]!) ? j : best));
      beat[i] = beat[nearest]!;
    }
  }
  return { beat, beatGroup };
}
