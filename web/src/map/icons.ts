import type * as maplibregl from 'maplibre-gl';
import type { Registry } from '../app/registry.js';

/**
 * Key-place symbols, drawn in the browser when the map first needs one (the style names them
 * `key-places:<category>`; MapLibre asks the resolver): a rounded square, a shape no other layer
 * uses (every other point is a disc), in the category's legend colour with the first character
 * of its name, e.g. 鐵 for 鐵皮（貨櫃）屋. No sprite sheet is fetched; the legend uses the same
 * drawing, so map and legend cannot disagree.
 */
const SIZE = 26;
const FONT = "'Noto Sans CJK TC', 'Noto Sans TC', 'Microsoft JhengHei', 'PingFang TC', sans-serif";

/** Whether dark text reads better than white on a colour (relative luminance, WCAG). */
function isLight(hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.4;
}

function drawIcon(colour: string, char: string, ratio: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE * ratio;
  const c = canvas.getContext('2d')!;
  c.scale(ratio, ratio);
  c.beginPath();
  c.roundRect(1.5, 1.5, SIZE - 3, SIZE - 3, 5);
  c.fillStyle = colour;
  c.fill();
  // A dark edge inside a white one: the square stands out on light ground and on dark dots.
  c.lineWidth = 2.5;
  c.strokeStyle = '#ffffff';
  c.stroke();
  c.beginPath();
  c.roundRect(3, 3, SIZE - 6, SIZE - 6, 4);
  c.lineWidth = 1;
  c.strokeStyle = 'rgba(0, 0, 0, 0.55)';
  c.stroke();
  c.fillStyle = isLight(colour) ? '#1d1d1f' : '#ffffff';
  c.font = `bold 14px ${FONT}`;
  c.textAlign = 'center';
  c.textBaseline = 'middle';
  c.fillText(char, SIZE / 2, SIZE / 2 + 1);
  return canvas;
}

/** The icon of a value of a layer's colour-by property, or undefined if it has none. */
function iconFor(registry: Registry, name: string, ratio: number): HTMLCanvasElement | undefined {
  const [layerId, value] = name.split(':');
  const entry = registry.get(layerId ?? '')?.legend?.fill?.entries.find((e) => e.value === value);
  return entry ? drawIcon(entry.colour, [...entry.label][0] ?? '?', ratio) : undefined;
}

export function drawMissingIcons(map: maplibregl.Map, registry: Registry): void {
  map.setMissingStyleImageResolver((id) => {
    const ratio = Math.min(window.devicePixelRatio || 1, 3);
    const canvas = iconFor(registry, id, ratio);
    if (!canvas || map.hasImage(id)) return;
    map.addImage(id, canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height), { pixelRatio: ratio });
  });
}

/** The same icon as a data URL, for the legend. */
export function iconDataUrl(registry: Registry, layerId: string, value: string): string | undefined {
  return iconFor(registry, `${layerId}:${value}`, 2)?.toDataURL();
}
