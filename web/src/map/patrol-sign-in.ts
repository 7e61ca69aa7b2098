import { api, ApiError } from '../lib/api.js';

/**
 * 電子巡簽 from the phone: a fresh position of the phone, and the scanned QR code if any, sent
 * to the point's sign-in; the answer is the server's sentence, accepted or refused with its
 * reason. Without a position nothing is sent: the phone says why there is none.
 */
interface Answer { message: string }
export interface SignInOutcome { message: string; refused: boolean }

/** Why the phone gave no position, in words for the officer (GeolocationPositionError codes). */
const NO_POSITION: Record<number, string> = {
  1: '簽到須有手機的定位：請在瀏覽器的網站設定中允許「位置」，再簽到。',
  2: '手機目前無法定位：請到戶外或靠近窗邊，稍後再簽到。',
  3: '手機定位逾時（訊號不佳）：請到戶外或靠近窗邊，再簽到一次。',
};

/** The phone's position now (a fresh fix: a cached one may be from the last point, hundreds of metres back). */
function position(): Promise<GeolocationPosition | { error: string }> {
  if (!('geolocation' in navigator)) return Promise.resolve({ error: NO_POSITION[2]! });
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(resolve,
    (err) => resolve({ error: NO_POSITION[err.code] ?? NO_POSITION[2]! }), { enableHighAccuracy: true, timeout: 15_000, maximumAge: 0 }));
}

/** Signs in at a point by the phone's position, with the point's scanned code if there is one. */
export async function signIn(pointId: number, token?: string): Promise<SignInOutcome> {
  const at = await position();
  if ('error' in at) return { message: at.error, refused: true };
  try {
    const r = await api.post<Answer>(`/api/patrol-points/${pointId}/sign-in`,
      { lon: at.coords.longitude, lat: at.coords.latitude, accuracy: Math.max(at.coords.accuracy, 0.1), ...(token ? { token } : {}) });
    return { message: r.body.message, refused: false };
  } catch (err) {
    return { message: err instanceof ApiError || err instanceof Error ? err.message : String(err), refused: true };
  }
}

/** The point a scanned code names (`<id>.<mac>`), or undefined for anything else. */
export const pointOfCode = (token: string): number | undefined => {
  const m = /^(\d{1,15})\.[A-Za-z0-9_-]{22}$/.exec(token);
  return m ? Number(m[1]) : undefined;
};

/**
 * A scanned code from the page's address (`?signin=`), taken out of it at once (so it is not in
 * a shared link or the history for long) and kept for this tab until it is used: one who must
 * sign in first finds it waiting after the reload.
 */
const KEPT = 'emap:signin';
export function takeScannedCode(): string | undefined {
  const url = new URL(location.href);
  const given = url.searchParams.get('signin');
  if (given !== null) {
    url.searchParams.delete('signin');
    history.replaceState(history.state, '', url);
    sessionStorage.setItem(KEPT, given);
  }
  return sessionStorage.getItem(KEPT) ?? undefined;
}
export const forgetScannedCode = () => sessionStorage.removeItem(KEPT);
