import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/db.js';
import type { Role } from '../layers/types.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';

export const SESSION_HOURS = 12;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

interface UserRow {
  id: number;
  username: string;
  role: Role;
  precinct_code: string | null;
  station_code: string | null;
  beat_code: string | null;
}

const toPrincipal = (u: UserRow): Principal => ({
  username: u.username,
  role: u.role,
  precinctCode: u.precinct_code,
  stationCode: u.station_code,
  beatCode: u.beat_code,
  userId: Number(u.id),
});

/**
 * A hash no password matches, checked when the username is unknown (or disabled), so that such a
 * sign-in costs the same scrypt time as a wrong password and timing does not tell which it was.
 */
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(randomBytes(24).toString('base64')));

const USER_COLUMNS = 'u.id::int AS id, u.username, u.role, u.precinct_code, u.station_code, u.beat_code';

/** Checks a password and opens a session; null when the username or password is wrong. */
export async function login(db: Db, username: string, password: string): Promise<{ token: string; principal: Principal } | null> {
  const { rows } = await db.query<UserRow & { password_hash: string }>(
    `SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1 AND NOT u.disabled`, [username]);
  const user = rows[0];
  const matches = await verifyPassword(password, user?.password_hash ?? await decoy());
  if (!user || !matches) {
    await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'login-failed', '{}')`, [username]);
    return null;
  }
  const token = randomBytes(32).toString('base64url');
  const opened = await db.transaction(async (tx) => {
    // The password was checked against the hash read above; an administrator may have reset it
    // or disabled the account during the check, deleting its sessions: then no session is opened.
    const { rows: still } = await tx.query(
      `SELECT 1 FROM users WHERE id = $1 AND password_hash = $2 AND NOT disabled FOR UPDATE`, [user.id, user.password_hash]);
    if (still.length === 0) return false;
    await tx.query(
      `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))`,
      [hashToken(token), user.id, SESSION_HOURS]);
    await tx.query(`DELETE FROM sessions WHERE expires_at < now()`);
    await tx.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [user.id]);
    await tx.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'login', '{}')`, [user.username]);
    return true;
  });
  if (!opened) {
    await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'login-failed', '{"changed": true}')`, [username]);
    return null;
  }
  return { token, principal: toPrincipal(user) };
}

/** The account a session token belongs to, or null when unknown or expired. */
export async function principalForToken(db: Db, token: string): Promise<Principal | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, [hashToken(token)]);
  return rows[0] ? toPrincipal(rows[0]) : null;
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(token)]);
}
