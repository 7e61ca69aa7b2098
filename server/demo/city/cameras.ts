import type { Random } from './random.js';
import { type Fabric, roundPoint } from './fabric.js';
import type { DemoCamera, DemoCameraChange, PlantedHotSpot } from './model.js';
import { addressIn, DAY_MS, mobile, personName, taipeiFields, taipeiTimestamp } from './people.js';
import type { GroundBlock, LonLat } from '../ground.js';

// Cameras (錄影監視系統), on the streets of the real block fabric

export const CAMERAS_AT_SCALE_1 = 2400;

export function generateCameras(rng: Random, fabric: Fabric, hotSpots: readonly PlantedHotSpot[], count: number, now: number): DemoCamera[] {
  const thisYear = taipeiFields(now).getUTCFullYear();
  return Array.from({ length: count }, (): DemoCamera => {
    const where = rng.weighted([['street', 0.75], ['hot spot', 0.15], ['anywhere', 0.1]] as const);
    let point: LonLat;
    let block: GroundBlock;
    let azimuth: number;
    if (where === 'street') {
      const spot = fabric.streetSpot(rng);
      ({ at: point, block } = spot);
      // Most street cameras look along the street; some look at the houses beside it.
      azimuth = rng.chance(0.8) ? spot.bearing + (rng.chance(0.5) ? 0 : 180) + rng.normal(0, 12) : rng.uniform(0, 360);
    } else if (where === 'hot spot') {
      ({ at: point, block } = fabric.gaussianPoint(rng, rng.pick(hotSpots).centre, 250));
      azimuth = rng.uniform(0, 360);
    } else {
      ({ at: point, block } = fabric.populatedPoint(rng));
      azimuth = rng.uniform(0, 360);
    }
    const owner = rng.weighted([['police', 0.45], ['community', 0.3], ['private', 0.25]] as const);
    const fisheye = rng.chance(0.06);
    const address = addressIn(rng, fabric, block);
    const contact = owner === 'police' ? null : `${personName(rng)} ${mobile(rng)}`;
    const camera: Omit<DemoCamera, 'created_at'> = {
      name: `${address.village}${address.neighbourhood}${owner === 'police' ? '路口' : ''}監視器`,
      azimuth: (Math.round((((azimuth % 360) + 360) % 360) * 10) / 10) % 360,
      fov: fisheye ? 360 : 5 * rng.int(8, 24),
      range_m: fisheye ? rng.int(20, 35) : rng.int(20, 80),
      owner_kind: owner,
      status: rng.weighted([['working', 0.89], ['broken', 0.08], ['offline', 0.03]]),
      lpr: owner === 'police' && where === 'street' ? rng.chance(0.35) : rng.chance(0.03),
      networked: rng.chance(owner === 'police' ? 0.9 : owner === 'community' ? 0.5 : 0.2),
      adjustable: !fisheye && rng.chance(0.7),
      install_year: rng.int(2008, thisYear),
      is_public: rng.chance(owner === 'police' ? 0.9 : owner === 'community' ? 0.6 : 0.05),
      contact,
      point: roundPoint(point),
      beat_code: block.beatCode,
    };
    return { ...camera, created_at: `${camera.install_year}-01-01T00:00:00+08:00` };
  });
}

/**
 * A year of status history for the cameras, ending in each one's present status: a camera 故障
 * broke within the last four months, one 離線 dropped off within the last month, and about a
 * quarter of those working now were down for a while during the year and repaired. Drawn from
 * its own random stream, so the cameras themselves do not change with it.
 */
export function generateCameraHistory(rng: Random, cameras: readonly DemoCamera[], now: number): DemoCameraChange[] {
  const out: DemoCameraChange[] = [];
  cameras.forEach((c, camera_index) => {
    const since = Date.parse(c.created_at);
    const steps: { at: number; became: string }[] = [];
    if (rng.chance(c.status === 'working' ? 0.25 : 0.2)) {
      const broke = now - rng.int(150, 360) * DAY_MS + rng.int(0, 86_399) * 1000;
      steps.push({ at: broke, became: rng.chance(0.8) ? 'broken' : 'offline' }, { at: broke + rng.int(1, 20) * DAY_MS, became: 'working' });
    }
    if (c.status !== 'working') {
      steps.push({ at: now - rng.int(1, c.status === 'broken' ? 120 : 30) * DAY_MS + rng.int(0, 86_399) * 1000, became: c.status });
    }
    let was = 'working';
    for (const s of steps) {
      if (s.at <= since) continue;
      out.push({ camera_index, at: taipeiTimestamp(s.at), was, became: s.became });
      was = s.became;
    }
  });
  return out;
}
