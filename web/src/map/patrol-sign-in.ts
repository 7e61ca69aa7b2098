import { api, ApiError } from '../lib/api.js';

/**
 * 電子巡簽 from the phone: the officer's position (or the scanned QR code) sent to the point's
 * sign-in; the answer is the server's sentence, accepted or refused with its reason.
 */
interface Answer { message: string }

/** The phone's position, or undefined when it is refused, unavailable or too slow. */
function position(): Promise<GeolocationPosition | undefined> {
  if (!('geolocation' in navigator)) return Promise.resolve(undefined);
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(resolve, () => resolve(undefined),
    // A fresh fix: a cached one may be from the last point, hundreds of metres back.
    { enableHighAccuracy: true, timeout: 15_000, maximumAge: 0 }));
}

export interface SignInOutcome { message: string; refused: boolean }

async function send(pointId: number, body: object): Promise<SignInOutcome> {
  try {
    const r = await api.post<Answer>(`/api/patrol-points/${pointId}/sign-in`, body);
    return { message: r.body.message, refused: false };
  } catch (err) {
    return { message: err instanceof ApiError || err instanceof Error ? err.message : String(err), refused: true };
  }
}

/** Signs in at a point by the phone's position; without one, the server says what to do. */
export async function signInHere(pointId: number): Promise<SignInOutcome> {
  const at = await position();
  return send(pointId, at ? { lon: at.coords.longitude, lat: at.coords.latitude, accuracy: at.coords.accuracy } : {});
}

/** The point a scanned code names (`<id>.<mac>`), or undefined for anything else. */
export const pointOfCode = (token: string): number | undefined => {
  const m = /^(\d{1,15})\.[A-Za-z0-9_-]{22}$/.exec(token);
  return m ? Number(m[1]) : undefined;
};

/** Signs in with a point's QR code (the code's link opened the app). */
export const signInWithCode = (pointId: number, token: string): Promise<SignInOutcome> => send(pointId, { token });
