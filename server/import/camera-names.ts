import { directionInName } from './direction.js';

/**
 * What a camera's name tells when the list has no column for it, as the 新竹市 list names them:
 * the view direction ("…路口往北"), a fisheye or panorama lens ("-魚眼", "-全景": it sees all
 * round) and a licence-plate camera ("-車牌"). Used only for new cameras, and said in the report.
 */
export interface NameHints {
  values: Record<string, unknown>;
  phrases: Record<string, string>;
}

const ALL_ROUND = /魚眼|全景|360\s*度|360°/;
const PLATES = /車牌|車辨/;

export function cameraNameHints(name: string): NameHints {
  const values: Record<string, unknown> = {};
  const phrases: Record<string, string> = {};
  const allRound = ALL_ROUND.exec(name);
  const direction = directionInName(name);
  if (allRound) {
    values.fov = 360;
    phrases.fov = allRound[0];
    // A lens that sees all round has no direction to speak of; north by convention.
    values.azimuth = direction?.bearing ?? 0;
    phrases.azimuth = direction?.phrase ?? allRound[0];
  } else if (direction) {
    values.azimuth = direction.bearing;
    phrases.azimuth = direction.phrase;
  }
  const plates = PLATES.exec(name);
  if (plates) {
    values.lpr = true;
    phrases.lpr = plates[0];
  }
  return { values, phrases };
}
