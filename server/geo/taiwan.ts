/**
 * Where a coordinate may lie: Taiwan and its islands, as generous boxes so that harbour and
 * coastal points stay valid. Each box has a name so a rejection can say what was checked.
 */
interface Box {
  readonly name: string;
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
}

const TERRITORY: readonly Box[] = [
  // Main island with Green Island, Orchid Island, Liuqiu and Guishan Island.
  { name: '臺灣本島', minLon: 119.95, minLat: 21.85, maxLon: 122.05, maxLat: 25.35 },
  { name: '澎湖', minLon: 119.25, minLat: 23.15, maxLon: 119.75, maxLat: 23.8 },
  // Kinmen lies within sight of Xiamen, so it takes three tight boxes rather than one that
  // would let Xiamen's coast (e.g. Gaoqi airport, 118.13, 24.54) through.
  { name: '大金門', minLon: 118.26, minLat: 24.38, maxLon: 118.5, maxLat: 24.54 },
  { name: '烈嶼', minLon: 118.2, minLat: 24.38, maxLon: 118.27, maxLat: 24.46 },
  { name: '大膽、二膽', minLon: 118.12, minLat: 24.36, maxLon: 118.16, maxLat: 24.39 },
  { name: '馬祖', minLon: 119.85, minLat: 25.9, maxLon: 120.55, maxLat: 26.4 },
  { name: '東沙', minLon: 116.65, minLat: 20.65, maxLon: 116.8, maxLat: 20.75 },
  { name: '太平島', minLon: 114.35, minLat: 10.37, maxLon: 114.38, maxLat: 10.39 },
  // Keelung islets (Pengjia, Mianhua, Huaping) lie north-east of the main-island box.
  { name: '基隆嶼群', minLon: 121.9, minLat: 25.35, maxLon: 122.1, maxLat: 25.65 },
];

/** [west, south, east, north] around all of them, for extents and TileJSON bounds. */
export const TAIWAN_BOUNDS = [114.3, 10.3, 122.1, 26.4] as const;

const inBox = (b: Box, lon: number, lat: number) =>
  lon >= b.minLon && lon <= b.maxLon && lat >= b.minLat && lat <= b.maxLat;

export const insideTaiwan = (lon: number, lat: number) => TERRITORY.some((b) => inBox(b, lon, lat));

/** TWD97 TM2 (EPSG:3826/3825) eastings and northings in metres, as seen in Taiwanese registers. */
const looksLikeTwd97 = (x: number, y: number) => x > 100_000 && x < 400_000 && y > 2_300_000 && y < 2_950_000;

/** Why a (lon, lat) position is refused, or null when it is fine. */
export function positionProblem(lon: number, lat: number): string | null {
  if (looksLikeTwd97(lon, lat) || looksLikeTwd97(lat, lon)) {
    return `(${lon}, ${lat}) looks like TWD97 metres (EPSG:3826), not degrees; send WGS84 longitude, latitude (e.g. 120.2, 23.0)`;
  }
  if (insideTaiwan(lon, lat)) return null;
  if (insideTaiwan(lat, lon)) {
    return `(${lon}, ${lat}) has latitude and longitude swapped; the order is longitude, latitude, i.e. (${lat}, ${lon})`;
  }
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    return `(${lon}, ${lat}) is not a longitude/latitude in degrees`;
  }
  return `(${lon}, ${lat}) is outside Taiwan and its islands (本島, 澎湖, 金門, 馬祖, 綠島, 蘭嶼, 東沙, 太平島)`;
}
