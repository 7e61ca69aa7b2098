import { api } from '../lib/api.js';

/** Who is signed in (GET /api/me); the public has role `public` and no units. */
export interface Me {
  username: string;
  role: 'admin' | 'planner' | 'officer' | 'community' | 'public';
  precinctCode: string | null;
  stationCode: string | null;
  beatCode: string | null;
  userId: number | null;
}

export const ROLE_LABELS: Record<Me['role'], string> = {
  admin: '警察局', planner: '分局承辦人', officer: '警勤區員警', community: '社區', public: '民眾',
};

export const isInternal = (me: Me) => me.role === 'admin' || me.role === 'planner' || me.role === 'officer';

/** Planners and the bureau's admin: those who keep the registers (imports). */
export const isPlanner = (me: Me) => me.role === 'admin' || me.role === 'planner';

export async function currentUser(): Promise<Me> {
  try {
    return await api.get<Me>('/api/me');
  } catch {
    // An expired session: the server cleared its cookie with the 401, so the next call is public.
    return await api.get<Me>('/api/me');
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  await api.post('/api/login', { username, password });
}

export async function signOut(): Promise<void> {
  await api.post('/api/logout');
}
