import { differenceCiede2000, filterDeficiencyDeuter, filterDeficiencyProt, filterGrayscale, formatHex, parse, type Color } from 'culori';
import { describe, expect, it } from 'vitest';
import { legendOf, type LegendEntries } from '../server/layers/legend.js';
import { LAYERS } from '../server/layers/registry.js';
import type { LayerDef } from '../server/layers/types.js';

/**
 * The map's colours as people with the commonest colour-vision deficiencies and a black-and-white
 * printer see them. Simulated with culori (Machado, Oliveira & Fernandes 2009 at full severity
 * for protanopia and deuteranopia; greyscale by CIELAB lightness); differences are CIEDE2000.
 * Two values of one layer must either look different in every vision, or be told apart by
 * shape (icons, the ✕ and the hollow ring), as the legend and the map draw them.
 */
const VISIONS: Record<string, (c: Color) => Color> = {
  typical: (c) => c,
  deuteranopia: filterDeficiencyDeuter(1),
  protanopia: filterDeficiencyProt(1),
  greyscale: filterGrayscale(1),
};

/** A difference a person sees at a glance on a map symbol (ΔE00 ≈ 2.3 is the bare threshold). */
const DISTINCT = 10;
/**
 * Greyscale carries about five steps of lightness a reader tells apart at a glance; a layer with
 * more values (incidents' nine 案類) is read on a black-and-white print by its 案類 filter, and
 * is checked here for colour vision only.
 */
const GREY_STEPS = 5;
/** Values that are meant to look alike (a substation drawn as its station). */
const SAME_ON_PURPOSE = new Set(['station|substation']);

const delta = differenceCiede2000();
/** The map's background (server/tiles/style.ts), under every layer. */
const BACKGROUND = '#f4f1ea';

interface Clash { layer: string; vision: string; a: string; b: string; deltaE: number }

/** Pairs of a legend's values that look alike in a vision and are not told apart by shape. */
function clashes(layer: LayerDef, legend: LegendEntries): Clash[] {
  const out: Clash[] = [];
  const byShape = layer.style?.icons === true;
  for (const [vision, see] of Object.entries(VISIONS)) {
    if (vision === 'greyscale' && new Set(legend.entries.map((e) => e.colour)).size > GREY_STEPS) continue;
    const seen = legend.entries.map((e) => ({ ...e, c: see(parse(e.colour)!) }));
    for (let i = 0; i < seen.length; i++) {
      for (let j = i + 1; j < seen.length; j++) {
        const a = seen[i]!;
        const b = seen[j]!;
        if (byShape || (a.mark ?? '') !== (b.mark ?? '') || SAME_ON_PURPOSE.has(`${a.value}|${b.value}`)) continue;
        const deltaE = delta(a.c, b.c);
        if (deltaE < DISTINCT) out.push({ layer: layer.id, vision, a: `${a.label} ${a.colour}→${formatHex(a.c)}`, b: `${b.label} ${b.colour}→${formatHex(b.c)}`, deltaE: Math.round(deltaE * 10) / 10 });
      }
      // A point must also stand out from the map's background (areas are translucent washes).
      const ground = see(parse(BACKGROUND)!);
      const deltaE = delta(seen[i]!.c, ground);
      if (layer.geometry === 'Point' && !byShape && deltaE < DISTINCT) {
        out.push({ layer: layer.id, vision, a: `${seen[i]!.label} ${seen[i]!.colour}`, b: `background ${BACKGROUND}`, deltaE: Math.round(deltaE * 10) / 10 });
      }
    }
  }
  return out;
}

const legends = LAYERS.flatMap((layer) => {
  const legend = legendOf(layer);
  return [legend.fill, legend.outline].filter((l): l is LegendEntries => l !== undefined).map((l) => [layer, l] as const);
});

describe('the palette', () => {
  it('has layers with colours by value to check', () => {
    expect(legends.map(([l, e]) => `${l.id}.${e.property}`)).toEqual(expect.arrayContaining(['cameras.status', 'cameras.owner_kind', 'watch-blocks.adopter_kind']));
  });

  it.each(legends.map(([layer, legend]) => [`${layer.id}.${legend.property}`, layer, legend] as const))(
    '%s: every two values (and a point and the ground) look different to typical, deuteranopic and protanopic eyes and in greyscale, or differ in shape',
    (_, layer, legend) => {
      expect(clashes(layer, legend)).toEqual([]);
    });
});
