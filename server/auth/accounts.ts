import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import type { AccountRole, ScopeField } from '../http/account-messages.js';
import { refusal } from '../http/messages.js';
import { MAX_PASSWORD_LENGTH, passwordProblem } from './password-policy.js';
import { hashPassword } from './passwords.js';
import { unknownVillages, villagesArea, writeUser } from './users.js';

/**
 * Account administration, shared by the API (admin-routes.ts, the /admin page) and the CLI
 * (npm run admin): list, create, change role, scope or name, disable and enable, reset a
 * password. Every refusal is a 4xx from the catalogue and changes nothing; every change is one
 * transaction with its audit-log row, naming who made it. Accounts are never deleted.
 */

export const ACCOUNT_ROLES = ['admin', 'planner', 'officer', 'community'] as const satisfies readonly AccountRole[];
/** Most 村里 one community account may cover (a 守望相助隊 spans a few; a precinct is a police account). */
export const MAX_VILLAGES = 50;

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$/;
/** Whether a name can be an account's: anything else (a NUL, 400 characters) names none, without asking the database. */
export const isUsername = (name: string) => USERNAME.test(name);
const code = z.string().trim().min(1).max(40);

/** Where an account works: one police unit (the narrowest; the others follow) or 村里. */
const scopeFields = {
  precinct: code.optional(),
  station: code.optional(),
  beat: code.optional(),
  villages: z.array(code).min(1).max(MAX_VILLAGES).optional(),
};
type ScopeInput = { [K in ScopeField]?: K extends 'villages' ? string[] : string };

/** A name people read, in lists and a terminal's: no control characters (a newline, an escape sequence). */
const displayName = z.string().trim().max(60).regex(/^[^\p{Cc}]*$/u);

export const newAccountBody = z.strictObject({
  username: z.string().max(100),
  password: z.string().max(MAX_PASSWORD_LENGTH * 4),
  role: z.enum(ACCOUNT_ROLES),
  displayName: displayName.min(1).optional(),
  ...scopeFields,
});
export type NewAccount = z.infer<typeof newAccountBody>;

export const accountChangesBody = z.strictObject({
  role: z.enum(ACCOUNT_ROLES).optional(),
  displayName: displayName.nullable().optional(),
  disabled: z.boolean().optional(),
  ...scopeFields,
});
export type AccountChanges = z.infer<typeof accountChangesBody>;

export const passwordBody = z.strictObject({ password: z.string().max(MAX_PASSWORD_LENGTH * 4) });

const named = z.object({ code: z.string(), name: z.string() });
/** An account as administration shows it: units and 村里 by name as well as code. */
export interface Account {
  username: string;
  displayName: string | null;
  role: AccountRole;
  precinct: z.infer<typeof named> | null;
  station: z.infer<typeof named> | null;
  beat: z.infer<typeof named> | null;
  villages: z.infer<typeof named>[];
  /** A community account whose area was drawn rather than given as 村里. */
  drawnArea: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  changedAt: string | null;
  changedBy: string | null;
}

const ACCOUNT_SELECT = `
  SELECT u.username, u.display_name AS "displayName", u.role,
         CASE WHEN p.code IS NULL THEN NULL ELSE json_build_object('code', p.code, 'name', p.name) END AS precinct,
         CASE WHEN s.code IS NULL THEN NULL ELSE json_build_object('code', s.code, 'name', s.name) END AS station,
         CASE WHEN b.code IS NULL THEN NULL ELSE json_build_object('code', b.code, 'name', coalesce(s.name, '') || b.name) END AS beat,
         coalesce((SELECT json_agg(json_build_object('code', c, 'name', coalesce(v.town_name || v.name, c)) ORDER BY c)
                     FROM unnest(u.village_codes) c LEFT JOIN villages v ON v.code = c AND v.deleted_at IS NULL), '[]'::json) AS villages,
         (u.area IS NOT NULL AND u.village_codes IS NULL) AS "drawnArea", u.disabled,
         u.created_at AS "createdAt", u.last_login_at AS "lastLoginAt", u.changed_at AS "changedAt", u.changed_by AS "changedBy"
    FROM users u
    LEFT JOIN precincts p ON p.code = u.precinct_code AND p.deleted_at IS NULL
    LEFT JOIN stations s ON s.code = u.station_code AND s.deleted_at IS NULL
    LEFT JOIN beats b ON b.code = u.beat_code AND b.deleted_at IS NULL`;

export async function listAccounts(db: Queryable): Promise<Account[]> {
  const { rows } = await db.query<Account>(`${ACCOUNT_SELECT} ORDER BY u.disabled, u.role, u.username`);
  return rows;
}

async function accountNamed(db: Queryable, username: string): Promise<Account> {
  const { rows } = await db.query<Account>(`${ACCOUNT_SELECT} WHERE u.username = $1`, [username]);
  if (!rows[0]) throw refusal(404, 'account_unknown', { username });
  return rows[0];
}

/** The units and 村里 an administrator chooses scopes from, by name. */
export async function scopeChoices(db: Queryable) {
  const { rows } = await db.query<{ choices: object }>(`SELECT json_build_object(
    'precincts', coalesce((SELECT json_agg(json_build_object('code', code, 'name', name) ORDER BY code) FROM precincts WHERE deleted_at IS NULL), '[]'),
    'stations', coalesce((SELECT json_agg(json_build_object('code', code, 'name', name, 'precinct', precinct_code) ORDER BY code) FROM stations WHERE deleted_at IS NULL), '[]'),
    'beats', coalesce((SELECT json_agg(json_build_object('code', b.code, 'name', coalesce(s.name, '') || b.name, 'station', b.station_code) ORDER BY b.code)
                         FROM beats b LEFT JOIN stations s ON s.code = b.station_code AND s.deleted_at IS NULL WHERE b.deleted_at IS NULL), '[]'),
    'villages', coalesce((SELECT json_agg(json_build_object('code', code, 'name', coalesce(town_name, '') || name) ORDER BY code) FROM villages WHERE deleted_at IS NULL), '[]')
  ) AS choices`);
  return rows[0]!.choices;
}

interface Scope { precinctCode: string | null; stationCode: string | null; beatCode: string | null; villageCodes: string[] | null }
const NO_SCOPE: Scope = { precinctCode: null, stationCode: null, beatCode: null, villageCodes: null };

/** Which scope fields a role takes: officers one unit at any level, planners a precinct, community 村里. */
const ROLE_SCOPES: Record<AccountRole, readonly ScopeField[]> = {
  admin: [], planner: ['precinct'], officer: ['precinct', 'station', 'beat'], community: ['villages'],
};

/**
 * Checks a scope against the role and the database, filling in the units above the one given.
 * `kept`: 村里 the account has now, accepted even if a 里 has been deleted since (an account is
 * not made uneditable by a redrawing of the villages).
 */
async function resolveScope(db: Queryable, role: AccountRole, given: ScopeInput, kept: readonly string[] = []): Promise<Scope> {
  const fields = (Object.keys(scopeFields) as ScopeField[]).filter((f) => given[f] !== undefined);
  const extra = fields.find((f) => !ROLE_SCOPES[role].includes(f));
  if (extra) throw refusal(400, 'account_scope_extra', { role, field: extra }, { field: extra });
  if (role === 'admin') return NO_SCOPE;
  if (fields.length === 0) throw refusal(400, 'account_scope_missing', { role }, { field: ROLE_SCOPES[role][0] });
  if (fields.length > 1) throw refusal(400, 'account_scope_one', undefined, { field: fields[1] });
  const field = fields[0]!;
  if (field === 'villages') {
    const villages = [...new Set(given.villages)];
    const missing = (await unknownVillages(db, villages)).filter((c) => !kept.includes(c));
    if (missing.length) throw refusal(400, 'account_scope_unknown', { field, codes: missing }, { field });
    return { ...NO_SCOPE, villageCodes: villages };
  }
  const unit = given[field]!;
  // The unit and those above it, as the registers hold them now.
  const { rows } = await db.query<{ precinct: string | null; station: string | null; beat: string | null }>(
    field === 'beat'
      ? `SELECT s.precinct_code AS precinct, b.station_code AS station, b.code AS beat FROM beats b JOIN stations s ON s.code = b.station_code AND s.deleted_at IS NULL WHERE b.code = $1 AND b.deleted_at IS NULL`
      : field === 'station'
        ? `SELECT precinct_code AS precinct, code AS station, NULL AS beat FROM stations WHERE code = $1 AND deleted_at IS NULL`
        : `SELECT code AS precinct, NULL AS station, NULL AS beat FROM precincts WHERE code = $1 AND deleted_at IS NULL`, [unit]);
  if (!rows[0]?.precinct) throw refusal(400, 'account_scope_unknown', { field, codes: [unit] }, { field });
  return { precinctCode: rows[0].precinct, stationCode: rows[0].station, beatCode: rows[0].beat, villageCodes: null };
}

function checkPassword(password: string, username: string): void {
  const why = passwordProblem(password, username);
  if (why) throw refusal(400, 'password_weak', { why }, { field: 'password' });
}

/** Who acted, and how: an admin account through the API, or the CLI run by an operating-system user. */
async function audit(tx: Queryable, actor: string, action: string, detail: object): Promise<void> {
  await tx.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3::jsonb)`, [actor, action, JSON.stringify(detail)]);
}

export async function createAccount(db: Db, actor: string, a: NewAccount): Promise<Account> {
  if (!USERNAME.test(a.username)) throw refusal(400, 'account_username', undefined, { field: 'username' });
  checkPassword(a.password, a.username);
  const scope = await resolveScope(db, a.role, a);
  const passwordHash = await hashPassword(a.password);
  return db.transaction(async (tx) => {
    // Admin and admin would be two accounts people cannot tell apart (users_username_lower guards the race).
    const { rows: alike } = await tx.query<{ username: string }>(`SELECT username FROM users WHERE lower(username) = lower($1)`, [a.username]);
    if (alike[0]) throw refusal(409, 'account_exists', { username: alike[0].username }, { field: 'username' });
    const created = await writeUser(tx, {
      username: a.username, passwordHash, role: a.role, displayName: a.displayName,
      precinctCode: scope.precinctCode ?? undefined, stationCode: scope.stationCode ?? undefined, beatCode: scope.beatCode ?? undefined,
      villageCodes: scope.villageCodes ?? undefined,
    }, { replace: false, actor });
    if (!created) throw refusal(409, 'account_exists', { username: a.username }, { field: 'username' });
    const account = await accountNamed(tx, a.username);
    await audit(tx, actor, 'account_created', { username: a.username, account: withoutTimes(account) });
    return account;
  });
}

/** The parts of an account a change compares and the audit log records. */
const withoutTimes = (a: Account) => ({
  role: a.role, displayName: a.displayName, disabled: a.disabled,
  precinct: a.precinct?.code ?? null, station: a.station?.code ?? null, beat: a.beat?.code ?? null,
  villages: a.villages.map((v) => v.code),
});

/** The scope an account keeps when only its role changes: what of it the new role can take. */
function keptScope(a: Account, role: AccountRole): ScopeInput {
  if (role === 'community') return a.villages.length ? { villages: a.villages.map((v) => v.code) } : {};
  if (role === 'planner') return a.precinct ? { precinct: a.precinct.code } : {};
  if (role === 'officer') {
    const unit = a.beat ? 'beat' : a.station ? 'station' : 'precinct';
    return a[unit] ? { [unit]: a[unit].code } : {};
  }
  return {};
}

/**
 * Changes an account's role, scope, name or whether it is disabled. A change of role, scope or
 * state signs the account out everywhere (its sessions are deleted; an instance's few seconds of
 * remembered sessions aside, see Principals). The last enabled admin can be neither disabled nor
 * given another role.
 */
export async function changeAccount(db: Db, actor: string, username: string, c: AccountChanges): Promise<{ account: Account; changed: boolean; signedOut: boolean }> {
  if (!USERNAME.test(username)) throw refusal(404, 'account_unknown', { username: username.replace(/\p{Cc}/gu, '').slice(0, 40) });
  return db.transaction(async (tx) => {
    // The account and every enabled admin, locked in one statement in one order: two
    // administrators disabling each other at once wait in turn instead of deadlocking.
    const { rows: locked } = await tx.query<{ id: number; username: string }>(
      `SELECT id::int AS id, username FROM users WHERE username = $1 OR (role = 'admin' AND NOT disabled) ORDER BY id FOR UPDATE`, [username]);
    const self = locked.find((r) => r.username === username);
    if (!self) throw refusal(404, 'account_unknown', { username });
    const before = await accountNamed(tx, username);
    const role = c.role ?? before.role;
    const scopeGiven = (Object.keys(scopeFields) as ScopeField[]).some((f) => c[f] !== undefined);
    const scope = scopeGiven || role !== before.role
      ? await resolveScope(tx, role, scopeGiven ? c : keptScope(before, role), before.villages.map((v) => v.code)) : null;
    const disabled = c.disabled ?? before.disabled;
    if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled) && locked.length < 2) {
      throw refusal(409, 'account_last_admin', undefined);
    }
    const displayName = c.displayName === undefined ? before.displayName : c.displayName || null;
    // Written only where something differs (an unchanged save writes nothing); a community
    // account's area is taken again only when its 村里 change.
    await tx.query(
      `UPDATE users SET role = $2, display_name = $3, disabled = $4,
              precinct_code = CASE WHEN $5 THEN $6 ELSE precinct_code END,
              station_code = CASE WHEN $5 THEN $7 ELSE station_code END,
              beat_code = CASE WHEN $5 THEN $8 ELSE beat_code END,
              village_codes = CASE WHEN $5 THEN $9::text[] ELSE village_codes END,
              area = CASE WHEN $5 AND village_codes IS DISTINCT FROM $9::text[] THEN ${villagesArea('$9')} ELSE area END
        WHERE username = $1
          AND (role IS DISTINCT FROM $2 OR display_name IS DISTINCT FROM $3 OR disabled IS DISTINCT FROM $4
               OR ($5 AND (precinct_code IS DISTINCT FROM $6 OR station_code IS DISTINCT FROM $7 OR beat_code IS DISTINCT FROM $8
                           OR village_codes IS DISTINCT FROM $9::text[])))`,
      [username, role, displayName, disabled, scope !== null, scope?.precinctCode ?? null, scope?.stationCode ?? null,
        scope?.beatCode ?? null, scope?.villageCodes ?? null]);
    const after = await accountNamed(tx, username);
    const changes = diff(withoutTimes(before), withoutTimes(after));
    if (Object.keys(changes).length === 0) return { account: before, changed: false, signedOut: false };
    const signedOut = Object.keys(changes).some((k) => k !== 'displayName');
    if (signedOut) await tx.query(`DELETE FROM sessions WHERE user_id = $1`, [self.id]);
    await tx.query(`UPDATE users SET changed_at = now(), changed_by = $2 WHERE username = $1`, [username, actor]);
    await audit(tx, actor, 'account_changed', { username, changes });
    return { account: await accountNamed(tx, username), changed: true, signedOut };
  });
}

/** Sets a new password; the account is signed out everywhere. */
export async function resetPassword(db: Db, actor: string, username: string, password: string): Promise<void> {
  if (!USERNAME.test(username)) throw refusal(404, 'account_unknown', { username: username.replace(/\p{Cc}/gu, '').slice(0, 40) });
  const known = await db.query(`SELECT 1 FROM users WHERE username = $1`, [username]);
  if (known.rows.length === 0) throw refusal(404, 'account_unknown', { username });
  checkPassword(password, username);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number }>(
      `UPDATE users SET password_hash = $2, changed_at = now(), changed_by = $3 WHERE username = $1 RETURNING id::int AS id`,
      [username, passwordHash, actor]);
    if (!rows[0]) throw refusal(404, 'account_unknown', { username });
    await tx.query(`DELETE FROM sessions WHERE user_id = $1`, [rows[0].id]);
    await audit(tx, actor, 'password_reset', { username });
  });
}

/** Fields whose value differs, with both values. */
function diff<T extends Record<string, unknown>>(before: T, after: T): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(after)) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = { from: before[k], to: after[k] };
  }
  return out;
}
