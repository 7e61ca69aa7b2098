import type { Polygon } from 'geojson';
import type { Random } from './random.js';
import { gaussianPointIn, nearRoad, randomPointIn, roundPoint } from './geography.js';
import type { DemoCamera, LonLat, PlantedHotSpot } from './model.js';
import { addressAt, mobile, personName, taipeiFields } from './people.js';

// Cameras (錄影監視系統)

export const CAMERAS_AT_SCALE_1 = 1600;

export function generateCameras(rng: Random, outline: Polygon, hotSpots: readonly PlantedHotSpot[], count: number, now: number): DemoCamera[] {
  const thisYear = taipeiFields(now).getUTCFullYear();
  return Array.from({ length: count }, (): DemoCamera => {
    const where = rng.weighted([['road', 0.55], ['hot spot', 0.2], ['anywhere', 0.25]] as const);
    let point: LonLat;
    let street: string | undefined;
    let azimuth: number;
    if (where === 'road') {
      const spot = nearRoad(rng, outline, 12);
      point = spot.at;
      street = spot.road;
      // Most road cameras look along the road; some look at the houses beside it.
      azimuth = rng.chance(0.75) ? spot.bearing + (rng.chance(0.5) ? 0 : 180) + rng.normal(0, 20) : rng.uniform(0, 360);
    } else if (where === 'hot spot') {
      const hot = rng.pick(hotSpots);
      point = gaussianPointIn(rng, outline, hot.centre, hot.sigmaM * 1.5);
      azimuth = rng.uniform(0, 360);
    } else {
      point = randomPointIn(rng, outline);
      azimuth = rng.uniform(0, 360);
    }
    const owner = rng.weighted([['police', 0.45], ['community', 0.3], ['private', 0.25]] as const);
    const fisheye = rng.chance(0.06);
    const address = addressAt(rng, point, street);
    const contact = owner === 'police' ? null : `${personName(rng)} ${mobile(rng)}`;
    return {
      name: `${address.full}${owner === 'police' ? '路口' : ''}監視器`,
      azimuth: (Math.round((((azimuth % 360) + 360) % 360) * 10) / 10) % 360,
      fov: fisheye ? 360 : 5 * rng.int(8, 24),
      range_m: fisheye ? rng.int(20, 35) : rng.int(20, 80),
      owner_kind: owner,
      status: rng.weighted([['working', 0.89], ['broken', 0.08], ['offline', 0.03]]),
      lpr: owner === 'police' && where === 'road' ? rng.chance(0.35) : rng.chance(0.03),
      networked: rng.chance(owner === 'police' ? 0.9 : owner === 'community' ? 0.5 : 0.2),
      adjustable: !fisheye && rng.chance(0.7),
      install_year: rng.int(2008, thisYear),
      is_public: rng.chance(owner === 'police' ? 0.9 : owner === 'community' ? 0.6 : 0.05),
      contact,
      point: roundPoint(point),
    };
  });
}
