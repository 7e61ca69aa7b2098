import type { AppContext } from '../app/context.js';
import { ROLE_LABELS, type Me } from '../app/session.js';
import { api, ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { openFormDialog, type FormDialog } from '../lib/form-dialog.js';
import { formatDateTime } from '../lib/format.js';

type Role = Exclude<Me['role'], 'public'>;
interface Named { code: string; name: string }
interface Account {
  username: string; displayName: string | null; role: Role;
  precinct: Named | null; station: Named | null; beat: Named | null; villages: Named[]; drawnArea: boolean;
  disabled: boolean; lastLoginAt: string | null; changedAt: string | null; changedBy: string | null;
}
interface Scopes { precincts: Named[]; stations: Named[]; beats: Named[]; villages: Named[] }
type ScopeBody = { precinct?: string; station?: string; beat?: string; villages?: string[] };

const ROLES: Role[] = ['officer', 'planner', 'community', 'admin'];
/** What each role is for, under the role chooser. */
const ROLE_HINTS: Record<Role, string> = {
  officer: '看得到所屬分局的資料，可紀錄查訪、回報監視器狀態；轄區選警勤區時，勤前簡報就是他的警勤區。',
  planner: '維護分局的重點處所、監視器、治安區塊與空拍區，匯入資料、列印巡簽 QR code。',
  community: '里長、守望相助隊、管委會：看得到村里內公開的監視器與治安區塊。',
  admin: '警察局：看得到全市資料，管理帳號。不分轄區。',
};

const where = (a: Account) => a.beat?.name ?? a.station?.name ?? a.precinct?.name
  ?? (a.villages.length ? a.villages.map((v) => v.name).join('、') : a.drawnArea ? '自繪範圍' : '全市');

/**
 * 帳號管理 (admin accounts): every account with its role, area and state; add one, change its
 * role, area or name, disable or enable it (accounts are never deleted), reset its password.
 * The server checks everything again and its refusals are shown as they come.
 */
export async function adminView(_ctx: AppContext, main: HTMLElement): Promise<void> {
  const notice = h('p', { class: 'notice', role: 'status', hidden: true });
  const list = h('div', { class: 'account-list' }, h('p', { class: 'hint' }, '讀取中…'));
  const scopes = api.get<Scopes>('/api/admin/scopes');
  const say = (text: string) => { notice.textContent = text; notice.hidden = false; };
  // After a change the list is read again; if that fails, the admin changed their own account
  // (signed out, or no longer an admin): the page is loaded again and says where they stand.
  const refresh = async () => {
    try {
      const { accounts } = await api.get<{ accounts: Account[] }>('/api/admin/accounts');
      replace(list, accountTable(accounts, actions));
    } catch {
      location.reload();
    }
  };
  const actions: RowActions = {
    edit: async (a) => openAccountDialog(await scopes, a, async (msg) => { say(msg); await refresh(); }),
    password: (a) => openPasswordDialog(a, say),
    toggle: async (a) => {
      if (!a.disabled && !window.confirm(`停用帳號「${a.username}」？它已登入的裝置會登出，之後不能再登入；帳號與紀錄都會保留，可再啟用。`)) return;
      try {
        say((await api.patch<{ message: string }>(`/api/admin/accounts/${encodeURIComponent(a.username)}`, { disabled: !a.disabled })).body.message);
      } catch (err) {
        say(err instanceof ApiError ? err.message : '無法變更，請稍後再試。');
      }
      await refresh();
    },
  };
  main.append(h('section', { class: 'admin-accounts' },
    h('h1', {}, '帳號管理'),
    h('div', { class: 'toolbar actions start' },
      h('p', { class: 'hint' }, '帳號不會刪除：離職或調職請停用，紀錄仍以帳號名稱保留。每一項變更都記在稽核紀錄。'),
      h('button', { type: 'button', class: 'primary', dataset: { action: 'add-account' },
        onclick: async () => openAccountDialog(await scopes, null, async (msg) => { say(msg); await refresh(); }) }, '新增帳號')),
    notice, list));
  await refresh();
}

interface RowActions { edit(a: Account): void; password(a: Account): void; toggle(a: Account): void }

function accountTable(accounts: Account[], act: RowActions): HTMLElement {
  // Each cell names its column too: on a phone the rows become cards and the header is hidden.
  const cell = (label: string, text: string, cls = '') => h('td', { class: cls, dataset: { label } }, text);
  return h('table', { class: 'compact accounts' },
    h('thead', {}, h('tr', {}, ['帳號', '名稱', '角色', '轄區', '狀態', '最近登入', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, accounts.map((a) => h('tr', { class: a.disabled ? 'disabled' : '', dataset: { account: a.username } },
      cell('帳號', a.username, 'username'), cell('名稱', a.displayName ?? '—'), cell('角色', ROLE_LABELS[a.role]), cell('轄區', where(a), 'where'),
      cell('狀態', a.disabled ? '已停用' : '啟用中'), cell('最近登入', a.lastLoginAt ? formatDateTime(a.lastLoginAt) : '未曾登入'),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', class: 'small secondary', dataset: { action: 'edit' }, onclick: () => act.edit(a) }, '修改'),
        h('button', { type: 'button', class: 'small secondary', dataset: { action: 'password' }, onclick: () => act.password(a) }, '重設密碼'),
        h('button', { type: 'button', class: 'small secondary', dataset: { action: 'toggle' }, onclick: () => act.toggle(a) }, a.disabled ? '啟用' : '停用'))))));
}

/** Shows the server's refusal in the form (and marks its field); the form stays open. */
function refused(d: FormDialog, err: unknown, fields: Record<string, HTMLElement>): never {
  d.say(err instanceof ApiError ? err.message : '無法儲存，請稍後再試。');
  const field = err instanceof ApiError && err.field ? fields[err.field] : undefined;
  field?.focus();
  throw err;
}

/**
 * The area chooser for a role: a precinct for planners; any unit (typed or picked by name) for
 * officers; one or more 村里 for community accounts; nothing for admins.
 */
function scopeChooser(scopes: Scopes, current: Account | null) {
  const unitOptions = [
    ...scopes.precincts.map((u) => ({ ...u, field: 'precinct' as const })),
    ...scopes.stations.map((u) => ({ ...u, field: 'station' as const })),
    ...scopes.beats.map((u) => ({ ...u, field: 'beat' as const })),
  ];
  const unitList = h('datalist', { id: 'unit-choices' }, unitOptions.map((u) => h('option', { value: u.name })));
  const villageList = h('datalist', { id: 'village-choices' }, scopes.villages.map((v) => h('option', { value: v.name })));
  const precinct = h('select', { name: 'precinct' }, h('option', { value: '' }, '請選擇分局'), scopes.precincts.map((p) => h('option', { value: p.code }, p.name)));
  const unit = h('input', { name: 'unit', list: 'unit-choices', placeholder: '輸入名稱，例如 大樹派出所第1警勤區', autocomplete: 'off' });
  const villageInput = h('input', { name: 'villages', list: 'village-choices', placeholder: '輸入區與村里名稱，例如 桃園區中山里', autocomplete: 'off' });
  const chosen = new Map<string, string>((current?.villages ?? []).map((v) => [v.code, v.name]));
  const chips = h('ul', { class: 'chips' });
  const drawChips = () => replace(chips, [...chosen].map(([code, name]) => h('li', {}, name,
    h('button', { type: 'button', class: 'chip-remove', 'aria-label': `移除${name}`, onclick: () => { chosen.delete(code); drawChips(); } }, '✕'))));
  const addVillage = () => {
    const v = scopes.villages.find((x) => x.name === villageInput.value.trim());
    if (v) chosen.set(v.code, v.name);
    villageInput.value = '';
    drawChips();
  };
  villageInput.addEventListener('change', addVillage);
  if (current?.role === 'planner' && current.precinct) precinct.value = current.precinct.code;
  if (current?.role === 'officer') unit.value = (current.beat ?? current.station ?? current.precinct)?.name ?? '';
  drawChips();
  const parts: Record<Role, HTMLElement> = {
    admin: h('p', { class: 'hint' }, '警察局管理者不分轄區。'),
    planner: h('label', {}, '分局', precinct),
    officer: h('label', {}, '轄區（分局、派出所或警勤區）', unit),
    community: h('div', { class: 'village-chooser' }, h('label', {}, '村里（可加入多個）', villageInput), chips),
  };
  const element = h('div', { class: 'scope-chooser' }, unitList, villageList, Object.values(parts));
  return {
    element,
    fields: { precinct, station: unit, beat: unit, villages: villageInput } as Record<string, HTMLElement>,
    show: (role: Role) => { for (const [r, el] of Object.entries(parts)) el.hidden = r !== role; },
    /** What the form says, as the API takes it (the server says what is missing); null for a typed name that is no unit. */
    body(role: Role): ScopeBody | null {
      if (role === 'planner') return precinct.value ? { precinct: precinct.value } : {};
      if (role === 'community') return chosen.size ? { villages: [...chosen.keys()] } : {};
      if (role === 'officer' && unit.value.trim()) {
        // A name two units share (two 分局 may each have a 中正派出所) is no choice: it must be told apart.
        const named = unitOptions.filter((x) => x.name === unit.value.trim());
        return named.length === 1 ? { [named[0]!.field]: named[0]!.code } : null;
      }
      return {};
    },
  };
}

/** 新增帳號 (current null) or 修改: the role, name and area; a new account also its password. */
function openAccountDialog(scopes: Scopes, current: Account | null, done: (message: string) => Promise<void>): void {
  const username = h('input', { name: 'username', autocomplete: 'off', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]{2,39}', placeholder: '例如 wang.xm' });
  const displayName = h('input', { name: 'displayName', maxlength: '60', value: current?.displayName ?? '', placeholder: '例如 王小明、大樹派出所所長' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: '12' });
  const role = h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, ROLE_LABELS[r])));
  role.value = current?.role ?? 'officer';
  const roleHint = h('p', { class: 'hint' });
  const scope = scopeChooser(scopes, current);
  const showRole = () => { scope.show(role.value as Role); roleHint.textContent = ROLE_HINTS[role.value as Role]; };
  role.addEventListener('change', showRole);
  showRole();
  const fields = { username, displayName, password, role, ...scope.fields };
  openFormDialog({
    className: 'account-dialog', title: current ? `修改帳號「${current.username}」` : '新增帳號', submitLabel: current ? '儲存' : '新增',
    fields: [
      current ? null : h('label', {}, '帳號（登入用，英文字母與數字）', username),
      h('label', {}, '顯示名稱', displayName),
      h('label', {}, '角色', role), roleHint,
      scope.element,
      current ? null : h('label', {}, '密碼（至少 12 個字，可用一句中文）', password),
    ].filter((x) => x !== null),
    submit: async (d) => {
      const r = role.value as Role;
      const area = scope.body(r);
      if (!area) {
        d.say(`找不到名為「${(scope.fields.station as HTMLInputElement).value.trim()}」的單位，或有多個同名單位；請從清單中選擇分局、派出所或警勤區。`);
        throw new Error('unknown unit');
      }
      try {
        const res = current
          ? await api.patch<{ message: string }>(`/api/admin/accounts/${encodeURIComponent(current.username)}`,
            { role: r, displayName: displayName.value.trim() || null, ...area })
          : await api.post<{ message: string }>('/api/admin/accounts',
            { username: username.value.trim(), password: password.value, role: r, displayName: displayName.value.trim() || undefined, ...area });
        await done(res.body.message);
      } catch (err) {
        refused(d, err, fields);
      }
    },
  });
  (current ? displayName : username).focus();
}

function openPasswordDialog(a: Account, say: (message: string) => void): void {
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: '12' });
  openFormDialog({
    className: 'account-dialog', title: `重設「${a.username}」的密碼`, submitLabel: '重設密碼',
    fields: [h('p', { class: 'hint' }, '重設後，這個帳號已登入的裝置都會登出。請當面或以電話告知新密碼，不要用通訊軟體傳送。'),
      h('label', {}, '新密碼（至少 12 個字，可用一句中文）', password)],
    submit: async (d) => {
      try {
        say((await api.post<{ message: string }>(`/api/admin/accounts/${encodeURIComponent(a.username)}/password`, { password: password.value })).body.message);
      } catch (err) {
        refused(d, err, { password });
      }
    },
  });
  password.focus();
}
