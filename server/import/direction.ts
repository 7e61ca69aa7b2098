/**
 * Camera directions as registers write them: degrees ("135", "135°", "135度"), compass points in
 * Chinese with the verbs and endings people add ("朝北", "往東南", "向西方", "面向北北東", "北偏東30度")
 * or in English ("N", "NE", "north-east"). To a bearing in degrees clockwise from north.
 */

const POINTS_ZH: Record<string, number> = {
  北: 0, 北北東: 22.5, 東北: 45, 東北東: 67.5, 東: 90, 東南東: 112.5, 東南: 135, 南南東: 157.5,
  南: 180, 南南西: 202.5, 西南: 225, 西南西: 247.5, 西: 270, 西北西: 292.5, 西北: 315, 北北西: 337.5,
};
const POINTS_EN: Record<string, number> = {
  n: 0, nne: 22.5, ne: 45, ene: 67.5, e: 90, ese: 112.5, se: 135, sse: 157.5,
  s: 180, ssw: 202.5, sw: 225, wsw: 247.5, w: 270, wnw: 292.5, nw: 315, nnw: 337.5,
};
const WORDS_EN: Record<string, string> = { north: 'n', south: 's', east: 'e', west: 'w' };

/** Verbs of looking before a compass point, and endings after it. */
const VERB = '(?:面向|面朝|拍攝|朝|往|向|照|面)';
const END = '(?:方向|方|側|邊|向)?';
const POINT = '(?:北北東|東北東|東南東|南南東|南南西|西南西|西北西|北北西|東北|東南|西南|西北|北|東|南|西)';
/** 北偏東30度: from the first point, turn the given degrees toward the second. */
const OFFSET = new RegExp(`^${VERB}?([北南東西])偏([北南東西])\\s*(\\d+(?:\\.\\d+)?)\\s*(?:度|°)?${END}$`);
const COMPASS = new RegExp(`^${VERB}?(${POINT})${END}$`);

const normalise = (a: number) => ((a % 360) + 360) % 360;

function offsetBearing(from: string, toward: string, degrees: number): number | null {
  const a = POINTS_ZH[from]!;
  const b = POINTS_ZH[toward]!;
  const turn = normalise(b - a);
  if (turn !== 90 && turn !== 270) return null; // 北偏南 is no direction
  return normalise(a + (turn === 90 ? degrees : -degrees));
}

/** The bearing a text names, or null when it names none (a road: "朝中正路"). */
export function parseDirection(input: string): number | null {
  const s = input.normalize('NFKC').trim().replace(/\s+/g, ' ');
  const degrees = /^(?:方位角?)?\s*(-?\d+(?:\.\d+)?)\s*(?:度|°|deg|degrees?)?$/i.exec(s);
  if (degrees) return Number(degrees[1]);
  const offset = OFFSET.exec(s);
  if (offset) return offsetBearing(offset[1]!, offset[2]!, Number(offset[3]));
  const compass = COMPASS.exec(s);
  if (compass) return POINTS_ZH[compass[1]!]!;
  const en = s.toLowerCase().replace(/[-\s]/g, '').replace(/north|south|east|west/g, (w) => WORDS_EN[w]!);
  return POINTS_EN[en] ?? null;
}

/**
 * A direction at the end of a camera's name, as in the 新竹市 list: "中山路與北門街口往北",
 * "經國路與延平路口朝北-車牌". Only a compass point standing alone after its verb counts:
 * "朝北新竹車站" (toward 北新竹 station) and "往南寮" (toward 南寮) name places, and "照南下"
 * the southbound lanes.
 */
const IN_NAME = new RegExp(`${VERB}(${POINT})${END}(?=$|[-_－—(（\\s,，、/])`, 'g');

export function directionInName(name: string): { bearing: number; phrase: string } | null {
  const found = [...name.normalize('NFKC').matchAll(IN_NAME)].pop();
  return found ? { bearing: POINTS_ZH[found[1]!]!, phrase: found[0] } : null;
}
