import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * The 桃園市 police-unit list (taoyuan-police-units/police.csv) read as published, with its two
 * known faults mended: the `lat` and `lon` columns are labelled the wrong way round, and one row
 * (大溪交通分隊) has 1121.277736 for 121.277736. Membership is not a column: each 分局 row is
 * followed by its stations, up to the next 分局 or the bureau's own row.
 */

export type UnitKind = 'bureau' | 'precinct' | 'station' | 'substation' | 'traffic' | 'other';

export interface PoliceUnitRow {
  name: string;
  nameEng: string;
  address: string;
  phone: string;
  lon: number;
  lat: number;
  kind: UnitKind;
  /** The town (區) named in the address, e.g. 桃園區. */
  town: string;
  /** Index of the 分局 row this unit follows (stations only). */
  precinctIndex: number | null;
}

const kindOf = (name: string): UnitKind => {
  if (name.endsWith('警察局')) return 'bureau';
  if (name.endsWith('分局')) return 'precinct';
  if (name.endsWith('派出所')) return 'station';
  if (name.endsWith('分駐所')) return 'substation';
  if (/交通/.test(name)) return 'traffic';
  return 'other';
};

/** 03 3323811 → 03-3323811, as the numbers are written on the units' own pages. */
const tidyPhone = (raw: string): string => raw.trim().replace(/^(0\d{1,2})[\s-]+/, '$1-');

export function readPoliceUnits(path: string): { rows: PoliceUnitRow[]; mended: string[] } {
  const records = parse(readFileSync(path), { bom: true, columns: true, trim: true }) as Record<string, string>[];
  const mended: string[] = [];
  let precinctIndex: number | null = null;
  const rows = records.map((r, i): PoliceUnitRow => {
    const name = r.name!;
    // The file's `lat` holds longitudes and its `lon` latitudes.
    let lon = Number(r.lat);
    const lat = Number(r.lon);
    if (lon > 1000 && lon < 1200) {
      mended.push(`${name}: longitude ${lon} read as ${lon - 1000}`);
      lon -= 1000;
    }
    if (!(lon > 118 && lon < 123 && lat > 21 && lat < 27)) throw new Error(`${path}: row ${i + 2} (${name}) is not in Taiwan: ${lon}, ${lat}`);
    const kind = kindOf(name);
    if (kind === 'precinct') precinctIndex = i;
    if (kind === 'bureau') precinctIndex = null;
    const town = /^桃園市(\S+?區)/.exec(r.address!)?.[1];
    if (!town) throw new Error(`${path}: row ${i + 2} (${name}) has no 區 in its address`);
    return {
      name, nameEng: r.name_eng!, address: r.address!, phone: tidyPhone(r.telephone!), lon, lat, kind, town,
      precinctIndex: kind === 'station' || kind === 'substation' ? precinctIndex : null,
    };
  });
  return { rows, mended };
}
