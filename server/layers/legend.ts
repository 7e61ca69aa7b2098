import type { LayerDef } from './types.js';

/** Colours for the values of a layer's colorBy property, in choice order. */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324',
  '#808000', '#469990', '#000075', '#a9a9a9', '#bfef45', '#dcbeff', '#800000', '#ffd8b1', '#aaffc3'];

export interface LegendEntries {
  /** The property whose value picks the colour. */
  property: string;
  entries: { value: string; label: string; colour: string; mark?: 'hollow' | 'cross' }[];
}

export interface Legend {
  /** The layer's colour, and the colour of values not in the list. */
  colour: string;
  /** Its points are rings (LayerStyle.ring). */
  ring?: true;
  /** Fill colour by value; absent when the layer has one colour. */
  fill?: LegendEntries;
  /** Outline colour by value (points). */
  outline?: LegendEntries;
}

/** The shape a value is drawn with besides its colour (LayerStyle.marks), for the fill's property. */
function markOf(layer: LayerDef, property: string, value: string): { mark?: 'hollow' | 'cross' } {
  const marks = layer.style?.colorBy === property ? layer.style.marks : undefined;
  if (marks?.hollow?.includes(value)) return { mark: 'hollow' };
  if (marks?.cross?.includes(value)) return { mark: 'cross' };
  return {};
}

function entriesOf(layer: LayerDef, property: string | undefined): LegendEntries | undefined {
  const prop = property ? layer.properties.find((p) => p.name === property) : undefined;
  if (!prop || prop.type.kind !== 'enum') return undefined;
  const fixed = layer.style?.colours ?? {};
  return {
    property: prop.name,
    entries: prop.type.choices.map((c, i) => ({
      value: c.value, label: c.label, colour: fixed[c.value] ?? PALETTE[i % PALETTE.length]!, ...markOf(layer, property!, c.value),
    })),
  };
}

/**
 * The colour of each value of the layer's colorBy (and outlineBy) property: the one place
 * colours are chosen, read by the map style (server/tiles/style.ts) and the web legend
 * (through /api/layers), so the two always agree.
 */
export function legendOf(layer: LayerDef): Legend {
  const fill = entriesOf(layer, layer.style?.colorBy);
  const outline = entriesOf(layer, layer.style?.outlineBy);
  return { colour: layer.style?.color ?? '#555555', ...(layer.style?.ring ? { ring: true as const } : {}), ...(fill ? { fill } : {}), ...(outline ? { outline } : {}) };
}
