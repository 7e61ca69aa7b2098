import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordProblem } from '../server/auth/password-policy.js';
import { upsertUser } from '../server/auth/users.js';
import { startTsx } from '../scripts/lib/child.js';
import { asAdmin } from './support/db.js';
import { pgliteTemplatePath, postgresTemplateName, withDatabase } from './support/template.js';
import { PASSWORD, openWorld, type World } from './support/world.js';
import { execFileSync } from 'node:child_process';

/**
 * Account administration (issue 17): the API behind /admin, its rules (who may, weak passwords,
 * scopes checked against the registers, the last admin), what a change does to sessions, the
 * audit log, and npm run admin setting up an empty instance. World: test/support/world.ts.
 */
let w: World;
const NEW_PASSWORD = '東門路巡邏箱旁那棵老榕樹下';
const login = (username: string, password: string) => request(w.app).post('/api/login').send({ username, password });
const counts = async () => (await w.db.query<{ users: number; audit: number; changed: number }>(
  `SELECT (SELECT count(*)::int FROM users) AS users,
          (SELECT count(*)::int FROM audit_log WHERE action LIKE 'account%' OR action = 'password_reset') AS audit,
          (SELECT count(*)::int FROM users WHERE changed_at IS NOT NULL) AS changed`)).rows[0]!;
const audits = async (action: string) => (await w.db.query<{ actor: string; detail: Record<string, unknown> }>(
  `SELECT actor, detail FROM audit_log WHERE action = $1 ORDER BY id`, [action])).rows;

beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

describe('passwords', () => {
  it('refuses the short, the common and the guessable, and takes a long phrase in any script', () => {
    const cases: [string, string | null][] = [
      ['short1!', 'short'], ['123456789012', 'digits'], ['aaaaaaaaaaaa', 'repeated'], ['abababababab', 'repeated'],
      ['Password2026!', 'common'], ['P@ssw0rd1234', 'common'], ['1qaz2wsx3edc', 'common'], ['police2020!!', 'common'],
      ['!@#$%^&*()12', 'common'], ['adminadmin12', 'common'], ['wang.xm-2026-spring', 'username'],
      // Full-width letters are hashed as their ASCII selves (NFKC), so they are judged so too.
      ['Ｐａｓｓｗｏｒｄ２０２６！', 'common'],
      [PASSWORD, null], [NEW_PASSWORD, null], ['tea kettle under 3 moons', null],
    ];
    for (const [password, why] of cases) expect(passwordProblem(password, 'wang.xm'), password).toBe(why);
  });
});

describe('who may administer', () => {
  it('only admin accounts; others are told whom to ask and nothing is written', async () => {
    const before = await counts();
    const body = { username: 'intruder', password: NEW_PASSWORD, role: 'admin' };
    for (const role of ['planner', 'officer', 'community'] as const) {
      const res = await w.as(role).post('/api/admin/accounts').send(body).expect(403);
      expect(res.body.error.code).toBe('admin_only');
      expect(res.body.error.message).toMatch(/只有警察局管理者/);
      await w.as(role).get('/api/admin/accounts').expect(403);
      await w.as(role).patch('/api/admin/accounts/officer').send({ disabled: true }).expect(403);
      await w.as(role).post('/api/admin/accounts/admin/password').send({ password: NEW_PASSWORD }).expect(403);
    }
    const anonymous = await w.as('public').get('/api/admin/accounts').expect(401);
    expect(anonymous.body.error.code).toBe('sign_in_required');
    expect(await counts()).toEqual(before);
  });
});

describe('listing', () => {
  it('names each account\'s units and 村里, never its password', async () => {
    const { body } = await w.as('admin').get('/api/admin/accounts').expect(200);
    const officer = body.accounts.find((a: { username: string }) => a.username === 'officer');
    expect(officer).toMatchObject({
      role: 'officer', disabled: false, drawnArea: false,
      precinct: { code: 'P1', name: '第一分局' }, station: { code: 'S1', name: '東門派出所' }, beat: { code: 'B1', name: '東門派出所第1警勤區' },
    });
    expect(officer.lastLoginAt).not.toBeNull();
    expect(body.accounts.find((a: { username: string }) => a.username === 'community')).toMatchObject({ drawnArea: true, villages: [] });
    expect(JSON.stringify(body)).not.toMatch(/scrypt|password/i);
    const scopes = await w.as('admin').get('/api/admin/scopes').expect(200);
    expect(scopes.body.beats).toContainEqual({ code: 'B2', name: '東門派出所第2警勤區', station: 'S1' });
    expect(scopes.body.villages).toContainEqual({ code: '67000320002', name: '東區大學里' });
  });
});

describe('creating accounts', () => {
  it('an officer scoped to a beat gets its station and precinct, signs in, and the creation is audited without the password', async () => {
    const res = await w.as('admin').post('/api/admin/accounts')
      .send({ username: 'li.officer', password: NEW_PASSWORD, role: 'officer', displayName: '李警員', beat: 'B2' }).expect(201);
    expect(res.body.message).toBe('已新增警勤區員警帳號「li.officer」。');
    expect(res.body.account).toMatchObject({ precinct: { code: 'P1' }, station: { code: 'S1' }, beat: { code: 'B2' }, changedBy: 'admin' });
    const { body } = await login('li.officer', NEW_PASSWORD).expect(200);
    expect(body.user).toMatchObject({ role: 'officer', precinctCode: 'P1', stationCode: 'S1', beatCode: 'B2' });
    const [row] = (await audits('account_created')).filter((a) => a.detail.username === 'li.officer');
    expect(row!.actor).toBe('admin');
    expect(JSON.stringify(row)).not.toContain(NEW_PASSWORD);
  });

  it('a community account scoped to 村里 covers exactly their area and sees what is in it', async () => {
    await w.as('admin').post('/api/admin/accounts')
      .send({ username: 'daxue.li', password: NEW_PASSWORD, role: 'community', villages: ['67000320002'] }).expect(201);
    const { rows } = await w.db.query<{ area: number; village: number }>(
      `SELECT ST_Area(u.area::geography) AS area, (SELECT ST_Area(geom::geography) FROM villages WHERE code = '67000320002') AS village
         FROM users u WHERE username = 'daxue.li'`);
    expect(rows[0]!.area).toBeGreaterThan(1_000_000);
    expect(Math.abs(rows[0]!.area - rows[0]!.village)).toBeLessThan(0.01);
    const token = (await login('daxue.li', NEW_PASSWORD).expect(200)).body.token;
    const area = await request(w.app).get('/api/me/area').set('Authorization', `Bearer ${token}`).expect(200);
    expect(JSON.stringify(area.body)).toContain('大學里');
  });

  it('keeps a community account\'s area until its 村里 change, and keeps it editable when a 里 is deleted', async () => {
    const areaM2 = async () => (await w.db.query<{ m2: number }>(`SELECT ST_Area(area::geography) AS m2 FROM users WHERE username = 'daxue.li'`)).rows[0]!.m2;
    const taken = await areaM2();
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
      UPDATE villages SET geom = ST_Multi(ST_MakeEnvelope(120.215, 22.98, 120.24, 23.0, 4326)) WHERE code = '67000320002';
      SELECT set_config('app.actor', '', false);`);
    // What the page sends for a new name: the same 村里 with it. The area is not taken again.
    await w.as('admin').patch('/api/admin/accounts/daxue.li').send({ role: 'community', displayName: '大學里長', villages: ['67000320002'] }).expect(200);
    const same = await w.as('admin').patch('/api/admin/accounts/daxue.li').send({ villages: ['67000320002'] }).expect(200);
    expect(same.body.message).toMatch(/沒有變更/);
    expect(await areaM2()).toBeCloseTo(taken, 3);
    // Choosing the 村里 again (another, then it) takes the redrawn area, on purpose.
    await w.as('admin').patch('/api/admin/accounts/daxue.li').send({ villages: ['67000320001'] }).expect(200);
    await w.as('admin').patch('/api/admin/accounts/daxue.li').send({ villages: ['67000320002'] }).expect(200);
    expect(await areaM2()).toBeGreaterThan(taken * 1.5);
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
      UPDATE villages SET deleted_at = now() WHERE code = '67000320002'; SELECT set_config('app.actor', '', false);`);
    await w.as('admin').patch('/api/admin/accounts/daxue.li').send({ role: 'community', displayName: '前大學里長', villages: ['67000320002'] }).expect(200);
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
      UPDATE villages SET deleted_at = NULL, geom = ST_Multi(ST_MakeEnvelope(120.215, 22.99, 120.23, 23.0, 4326)) WHERE code = '67000320002';
      SELECT set_config('app.actor', '', false);`);
  });

  it('refuses, in words that say what to do, and writes nothing', async () => {
    const before = await counts();
    const base = { username: 'new.one', password: NEW_PASSWORD, role: 'officer', precinct: 'P1' };
    const refusals: [object, number, string, RegExp][] = [
      [{ ...base, password: 'short' }, 400, 'password_weak', /少於 12 個字/],
      [{ ...base, password: 'Password2026!' }, 400, 'password_weak', /常見密碼/],
      [{ ...base, password: 'new.one-is-my-name' }, 400, 'password_weak', /含有帳號名稱/],
      [{ ...base, username: '王小明' }, 400, 'account_username', /英文字母、數字/],
      [{ ...base, username: 'a' }, 400, 'account_username', /3 到 40/],
      [{ ...base, username: 'officer' }, 409, 'account_exists', /已經存在/],
      [{ ...base, username: 'Officer' }, 409, 'account_exists', /帳號「officer」已經存在/],
      [{ ...base, displayName: '王\u001b[2J小明' }, 400, 'account_body', /displayName/],
      [{ ...base, precinct: undefined }, 400, 'account_scope_missing', /分局、派出所或警勤區其中一個/],
      [{ ...base, station: 'S1' }, 400, 'account_scope_one', /只指定/],
      [{ ...base, precinct: undefined, beat: 'B9' }, 400, 'account_scope_unknown', /「B9」的警勤區/],
      [{ ...base, precinct: undefined, beat: 'B3' }, 201, '', /./],
      [{ ...base, role: 'planner', precinct: undefined, station: 'S1' }, 400, 'account_scope_extra', /分局承辦人帳號不能指定派出所/],
      [{ ...base, role: 'admin' }, 400, 'account_scope_extra', /不分轄區/],
      [{ ...base, role: 'community', precinct: undefined, villages: ['67000320009'] }, 400, 'account_scope_unknown', /67000320009/],
      [{ ...base, role: 'community', precinct: undefined }, 400, 'account_scope_missing', /村里/],
      [{ ...base, role: 'chief' }, 400, 'account_body', /role/],
      [{ ...base, isAdmin: true }, 400, 'account_body', /isAdmin/],
    ];
    for (const [body, status, code, text] of refusals) {
      if (status === 201) continue; // B3 exists: the positive control of the unknown-beat case, made below
      const res = await w.as('admin').post('/api/admin/accounts').send(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code, JSON.stringify(body)).toBe(code);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(text);
    }
    expect(await counts()).toEqual(before);
    await w.as('admin').post('/api/admin/accounts').send({ ...base, precinct: undefined, beat: 'B3' }).expect(201);
    expect((await counts()).users).toBe(before.users + 1);
  });
});

describe('changing accounts', () => {
  it('a new role keeps what of the scope it can, and signs the account out; a new name alone does not', async () => {
    const token = (await login('li.officer', NEW_PASSWORD).expect(200)).body.token;
    const asLi = () => request(w.app).get('/api/me').set('Authorization', `Bearer ${token}`);
    const renamed = await w.as('admin').patch('/api/admin/accounts/li.officer').send({ displayName: '李小明' }).expect(200);
    expect(renamed.body.message).toBe('已更新帳號「li.officer」。');
    await asLi().expect(200);
    const promoted = await w.as('admin').patch('/api/admin/accounts/li.officer').send({ role: 'planner' }).expect(200);
    expect(promoted.body.message).toMatch(/已登入的裝置都已登出/);
    expect(promoted.body.account).toMatchObject({ role: 'planner', precinct: { code: 'P1' }, station: null, beat: null, displayName: '李小明' });
    await asLi().expect(401);
    const [audit] = (await audits('account_changed')).filter((a) => a.detail.username === 'li.officer').slice(-1);
    expect(audit!.detail.changes).toEqual({ role: { from: 'officer', to: 'planner' }, station: { from: 'S1', to: null }, beat: { from: 'B2', to: null } });
    // To community there is nothing to keep: it must be given 村里.
    const toCommunity = await w.as('admin').patch('/api/admin/accounts/li.officer').send({ role: 'community' }).expect(400);
    expect(toCommunity.body.error.code).toBe('account_scope_missing');
    const moved = await w.as('admin').patch('/api/admin/accounts/li.officer').send({ precinct: 'P2' }).expect(200);
    expect(moved.body.account.precinct).toEqual({ code: 'P2', name: '第二分局' });
  });

  it('an unchanged save changes, writes and audits nothing; odd names are unknown accounts, not errors', async () => {
    const before = await counts();
    const version = async () => (await w.db.query<{ v: string }>(`SELECT xmin::text AS v FROM users WHERE username = 'li.officer'`)).rows[0]!.v;
    const row = await version();
    for (const body of [{ role: 'planner', precinct: 'P2', disabled: false }, {}]) {
      const res = await w.as('admin').patch('/api/admin/accounts/li.officer').send(body).expect(200);
      expect(res.body.message).toMatch(/沒有變更/);
    }
    expect(await version()).toBe(row);
    expect(await counts()).toEqual(before);
    await w.as('admin').patch('/api/admin/accounts/nobody').send({ disabled: true }).expect(404);
    for (const odd of ['%00', 'officer%00', 'x'.repeat(300), '%E7%8E%8B']) {
      const res = await w.as('admin').patch(`/api/admin/accounts/${odd}`).send({ disabled: true });
      expect(res.status, odd).toBe(404);
      expect(res.body.error.code).toBe('account_unknown');
      await w.as('admin').post(`/api/admin/accounts/${odd}/password`).send({ password: NEW_PASSWORD }).expect(404);
    }
  });

  it('the demo\'s accounts written again at start leave an account administration changed as it is', async () => {
    await upsertUser(w.db, { username: 'li.officer', password: 'the demo password again', role: 'officer', precinctCode: 'P1' });
    const row = (await w.db.query<{ role: string; precinct_code: string }>(`SELECT role, precinct_code FROM users WHERE username = 'li.officer'`)).rows[0];
    expect(row).toEqual({ role: 'planner', precinct_code: 'P2' });
    await login('li.officer', 'the demo password again').expect(401);
    await login('li.officer', NEW_PASSWORD).expect(200);
  });

  it('disabling ends the sessions and the sign-in; enabling restores the sign-in; the account and its history stay', async () => {
    const token = (await login('li.officer', NEW_PASSWORD).expect(200)).body.token;
    await w.as('admin').patch('/api/admin/accounts/li.officer').send({ disabled: true }).expect(200);
    await request(w.app).get('/api/layers').set('Authorization', `Bearer ${token}`).expect(401);
    await login('li.officer', NEW_PASSWORD).expect(401);
    const listed = (await w.as('admin').get('/api/admin/accounts').expect(200)).body.accounts;
    expect(listed.find((a: { username: string }) => a.username === 'li.officer')).toMatchObject({ disabled: true });
    await w.as('admin').patch('/api/admin/accounts/li.officer').send({ disabled: false }).expect(200);
    await login('li.officer', NEW_PASSWORD).expect(200);
  });

  it('a reset password replaces the old one, ends the sessions, and weak ones are refused', async () => {
    const token = (await login('li.officer', NEW_PASSWORD).expect(200)).body.token;
    const weak = await w.as('admin').post('/api/admin/accounts/li.officer/password').send({ password: 'li.officer2026' }).expect(400);
    expect(weak.body.error.code).toBe('password_weak');
    await login('li.officer', NEW_PASSWORD).expect(200);
    const next = '第二條巷子口那個紅色的郵筒';
    const res = await w.as('admin').post('/api/admin/accounts/li.officer/password').send({ password: next }).expect(200);
    expect(res.body.message).toMatch(/已重設帳號「li.officer」的密碼/);
    await request(w.app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
    await login('li.officer', NEW_PASSWORD).expect(401);
    await login('li.officer', next).expect(200);
    const [audit] = (await audits('password_reset')).slice(-1);
    expect(audit).toEqual({ actor: 'admin', detail: { username: 'li.officer' } });
  });

  it('no session outlives a password reset it overlaps: a sign-in with the old password during the reset is refused or ended', async () => {
    const next = '第三盞路燈下面那個藍色信箱';
    const reset = (password: string) => w.as('admin').post('/api/admin/accounts/li.officer/password').send({ password });
    let current = '第二條巷子口那個紅色的郵筒';
    for (let i = 0; i < 4; i++) {
      const fresh = i % 2 ? '第二條巷子口那個紅色的郵筒' : next;
      const [signIn] = await Promise.all([login('li.officer', current), reset(fresh).expect(200)]);
      if (signIn.status === 200) await request(w.app).get('/api/me').set('Authorization', `Bearer ${signIn.body.token}`).expect(401);
      else expect(signIn.status).toBe(401);
      current = fresh;
    }
    await login('li.officer', current).expect(200);
  });

  it('two admins disabling each other at once: one is done, the other refused, never an error', async () => {
    await w.as('admin').post('/api/admin/accounts').send({ username: 'chief3', password: NEW_PASSWORD, role: 'admin' }).expect(201);
    const chief3 = (await login('chief3', NEW_PASSWORD).expect(200)).body.token;
    const enabledAdmins = async () => (await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled`)).rows[0]!.n;
    expect(await enabledAdmins()).toBe(2);
    const [a, b] = await Promise.all([
      w.as('admin').patch('/api/admin/accounts/chief3').send({ disabled: true }),
      request(w.app).patch('/api/admin/accounts/admin').set('Authorization', `Bearer ${chief3}`).send({ disabled: true }),
    ]);
    // The loser is refused as the last admin (409), or finds itself already disabled and signed out (401).
    expect([a.status, b.status].filter((x) => x === 200)).toHaveLength(1);
    expect([409, 401]).toContain(a.status === 200 ? b.status : a.status);
    expect(await enabledAdmins()).toBe(1);
    // Left as before for the tests below: admin the one enabled admin (chief3 hands back if it won).
    if (b.status === 200) {
      await request(w.app).patch('/api/admin/accounts/admin').set('Authorization', `Bearer ${chief3}`).send({ disabled: false }).expect(200);
      w.tokens.admin = (await login('admin', PASSWORD).expect(200)).body.token;
      await w.as('admin').patch('/api/admin/accounts/chief3').send({ disabled: true }).expect(200);
    }
    expect(await enabledAdmins()).toBe(1);
  });

  it('keeps one enabled admin: the last can be neither disabled nor demoted', async () => {
    const before = await counts();
    const off = await w.as('admin').patch('/api/admin/accounts/admin').send({ disabled: true }).expect(409);
    expect(off.body.error).toMatchObject({ code: 'account_last_admin' });
    await w.as('admin').patch('/api/admin/accounts/admin').send({ role: 'planner', precinct: 'P1' }).expect(409);
    expect(await counts()).toEqual(before);
    await w.as('admin').post('/api/admin/accounts').send({ username: 'chief2', password: NEW_PASSWORD, role: 'admin' }).expect(201);
    const chief2 = (await login('chief2', NEW_PASSWORD).expect(200)).body.token;
    await w.as('admin').patch('/api/admin/accounts/admin').send({ disabled: true }).expect(200);
    // Now chief2 is the last: it may not disable itself either.
    const self = await request(w.app).patch('/api/admin/accounts/chief2').set('Authorization', `Bearer ${chief2}`).send({ disabled: true }).expect(409);
    expect(self.body.error.code).toBe('account_last_admin');
    await request(w.app).patch('/api/admin/accounts/admin').set('Authorization', `Bearer ${chief2}`).send({ disabled: false }).expect(200);
  });
});

/** Runs npm run admin's script; resolves with its exit code and output. */
function admin(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    child.stdin!.end(stdin ?? '');
  });
}

describe('npm run admin on an empty instance', () => {
  it('creates the first admin, who then signs in to the service; refuses weak passwords; the embedded folder is one process\'s', { timeout: 240_000 }, async () => {
    const pgUrl = process.env.DATABASE_URL;
    const dataDir = mkdtempSync(join(tmpdir(), 'emap-admin-'));
    const scratch = `emap_admin_${randomBytes(4).toString('hex')}`;
    // A migrated, empty instance (the template), as SEED_DEMO=no leaves it.
    if (pgUrl) await asAdmin(pgUrl, (a) => a.query(`CREATE DATABASE ${scratch} TEMPLATE ${postgresTemplateName()}`));
    else execFileSync('tar', ['-xzf', pgliteTemplatePath(), '-C', dataDir]);
    const env = { DATA_DIR: dataDir, DATABASE_URL: pgUrl ? withDatabase(pgUrl, scratch) : '', REDIS_URL: '' };
    try {
      // Usage errors are found before any database is opened or created: an empty folder stays empty.
      const untouched = mkdtempSync(join(tmpdir(), 'emap-admin-usage-'));
      const usageEnv = { ...env, DATA_DIR: untouched, DATABASE_URL: '' };
      for (const args of [['user', 'add', 'x.y.z', '--role', 'chief', '--password-stdin'], ['user', 'list', '--password=hunter2hunter2']]) {
        const bad = await admin(args, usageEnv, 'a long enough phrase here\n');
        expect(bad.code, args.join(' ')).toBe(2);
        expect(bad.stderr, args.join(' ')).toMatch(/^用法：npm run admin/);
        expect(bad.stderr).not.toContain('hunter2');
      }
      expect(readdirSync(untouched)).toEqual([]);
      rmSync(untouched, { recursive: true });
      const weak = await admin(['user', 'add', 'chief', '--role', 'admin', '--password-stdin'], env, 'chief123\n');
      expect(weak.code).toBe(1);
      expect(weak.stderr).toMatch(/密碼少於 12 個字，沒有變更/);
      const noStdin = await admin(['user', 'add', 'chief', '--role', 'admin'], env);
      expect(noStdin.code).toBe(2);
      expect(noStdin.stderr).toMatch(/--password-stdin/);
      const added = await admin(['user', 'add', 'chief', '--role', 'admin', '--display-name', '資訊室', '--password-stdin'], env, `${NEW_PASSWORD}\n`);
      expect(added, added.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('已新增警察局管理者帳號「chief」') });
      const server = await startTsx(['server/main.ts'], { ...env, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'no' }, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
      try {
        const base = `http://127.0.0.1:${server.match[1]}`;
        const signIn = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: NEW_PASSWORD }) });
        expect(signIn.status).toBe(200);
        const token = ((await signIn.json()) as { token: string }).token;
        const list = await fetch(`${base}/api/admin/accounts`, { headers: { Authorization: `Bearer ${token}` } });
        expect(((await list.json()) as { accounts: { username: string; displayName: string }[] }).accounts).toEqual([expect.objectContaining({ username: 'chief', displayName: '資訊室' })]);
        // Beside the running service: PostgreSQL serves both; the embedded folder is the service's alone.
        const beside = await admin(['user', 'list', '--json'], env);
        if (pgUrl) expect(JSON.parse(beside.stdout)).toEqual([expect.objectContaining({ username: 'chief', lastLoginAt: expect.any(String) })]);
        else expect(beside).toMatchObject({ code: 1, stderr: expect.stringMatching(/正由另一個程序（PID \d+）使用/) });
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (pgUrl) await asAdmin(pgUrl, (a) => a.query(`DROP DATABASE IF EXISTS ${scratch}`));
    }
  });
});
