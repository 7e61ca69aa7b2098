import type { Role } from '../layers/types.js';

/** Who is making a request: a signed-in account, or the anonymous public. */
export interface Principal {
  readonly username: string;
  readonly role: Role;
  readonly precinctCode: string | null;
  readonly stationCode: string | null;
  readonly beatCode: string | null;
  readonly userId: number | null;
}

export const PUBLIC: Principal = {
  username: 'public',
  role: 'public',
  precinctCode: null,
  stationCode: null,
  beatCode: null,
  userId: null,
};
