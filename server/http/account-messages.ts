import type { PasswordProblem } from '../auth/password-policy.js';
import { MIN_PASSWORD_LENGTH } from '../auth/password-policy.js';

/** Accounts' roles as the app names them (web/src/app/session.ts has the same words). */
export const ROLE_NAMES = { admin: '警察局管理者', planner: '分局承辦人', officer: '警勤區員警', community: '社區' } as const;
export type AccountRole = keyof typeof ROLE_NAMES;

const SCOPE_NAMES = { precinct: '分局', station: '派出所', beat: '警勤區', villages: '村里' } as const;
export type ScopeField = keyof typeof SCOPE_NAMES;

const PASSWORD_PROBLEMS: Record<PasswordProblem, string> = {
  short: `少於 ${MIN_PASSWORD_LENGTH} 個字`,
  long: '超過 200 個字',
  digits: '只有數字',
  repeated: '幾乎都是同一個字',
  common: '是常見密碼或常見字詞加上數字、符號（例如 Password2026!、1qaz2wsx3edc），很容易被猜中',
  username: '含有帳號名稱',
};

/** What a role's scope must be, as a refusal says it. */
const SCOPE_RULES: Record<AccountRole, string> = {
  admin: '警察局管理者不分轄區，不能指定分局、派出所、警勤區或村里',
  planner: '分局承辦人須指定一個分局（precinct）',
  officer: '警勤區員警須指定分局、派出所或警勤區其中一個（precinct、station 或 beat；指定越細，勤前簡報越貼近他的轄區）',
  community: '社區帳號須指定一個以上的村里（villages，村里代碼）',
};

/**
 * Account administration (server/auth/accounts.ts, npm run admin, /admin): refusals and what
 * each change did. Part of the one catalogue (messages.ts).
 */
export const ACCOUNT_MESSAGES = {
  admin_only: () => '只有警察局管理者（admin）帳號能管理帳號；需要新增或修改帳號時，請洽警察局的系統管理者。',
  account_body: (p: { field: string }) =>
    `帳號資料的「${p.field}」不正確：新增帳號請送出 username、password、role（admin、planner、officer 或 community）與轄區（precinct、station、beat 或 villages），displayName 可省略。`,
  account_username: () => '帳號名稱須為 3 到 40 個英文字母、數字或「. _ -」，以字母或數字開頭（例如 wang.xm）；請換一個名稱。',
  account_exists: (p: { username: string }) => `帳號「${p.username}」已經存在，沒有變更；要改它的角色或轄區請用修改，要換密碼請用重設密碼。`,
  account_unknown: (p: { username: string }) => `沒有帳號「${p.username}」；請在帳號清單（/admin 或 npm run admin -- user list）確認名稱。`,
  password_weak: (p: { why: PasswordProblem }) =>
    `密碼${PASSWORD_PROBLEMS[p.why]}，沒有變更。請改用至少 ${MIN_PASSWORD_LENGTH} 個字、不易猜到的密碼，例如幾個不相干的詞或一句只有自己知道的話。`,
  account_scope_missing: (p: { role: AccountRole }) => `${SCOPE_RULES[p.role]}；沒有變更。`,
  account_scope_extra: (p: { role: AccountRole; field: ScopeField }) =>
    `${ROLE_NAMES[p.role]}帳號不能指定${SCOPE_NAMES[p.field]}（${p.field}）：${SCOPE_RULES[p.role]}。沒有變更。`,
  account_scope_one: () => '請只指定分局、派出所或警勤區其中一個（最細的那一個；上層單位會自動帶入）；沒有變更。',
  account_scope_unknown: (p: { field: ScopeField; codes: readonly string[] }) =>
    `沒有代碼為「${p.codes.join('、')}」的${SCOPE_NAMES[p.field]}；請在 /admin 頁面選擇，或以 GET /api/admin/scopes 查詢代碼。沒有變更。`,
  account_last_admin: () =>
    '這是最後一個啟用中的警察局管理者（admin）帳號，不能停用或改成其他角色，否則就沒有人能管理帳號；請先新增或啟用另一個 admin 帳號。沒有變更。',
  account_created: (p: { username: string; role: AccountRole }) => `已新增${ROLE_NAMES[p.role]}帳號「${p.username}」。`,
  account_changed: (p: { username: string; signedOut: boolean }) =>
    `已更新帳號「${p.username}」${p.signedOut ? '；它已登入的裝置都已登出，須重新登入' : ''}。`,
  account_unchanged: (p: { username: string }) => `帳號「${p.username}」沒有變更（送出的內容與現況相同）。`,
  /** The embedded database's folder, open in another process (server/db/data-dir-lock.ts). */
  data_dir_in_use: (p: { dir: string; pid: number }) =>
    `資料夾 ${p.dir} 的內嵌資料庫正由另一個程序${p.pid ? `（PID ${p.pid}）` : ''}使用，一次只能由一個程序開啟。請先停止它（例如執行中的 npm start）再執行；` +
    `服務執行中要管理帳號，請以 admin 帳號使用 /admin 頁面。若確定沒有任何程序在使用（例如它在另一個容器中已停止），可刪除 ${p.dir}/emap.lock 後再試。`,
  account_password_set: (p: { username: string }) => `已重設帳號「${p.username}」的密碼；它已登入的裝置都已登出，須以新密碼登入。`,

  // npm run admin (scripts/admin.ts)
  admin_cli_usage: () => [
    '用法：npm run admin -- user <動作> …',
    '  list [--json]                                 列出所有帳號',
    '  add 帳號 --role 角色 [轄區] [--display-name 名稱] --password-stdin',
    '  set-role 帳號 角色 [轄區]                      改角色（轄區可省略時沿用）',
    '  set-scope 帳號 轄區                            改轄區',
    '  rename 帳號 --display-name 名稱                改顯示名稱',
    '  disable 帳號 | enable 帳號                     停用／啟用（不刪除，歷史紀錄保留）',
    '  reset-password 帳號 --password-stdin           重設密碼（已登入的裝置會登出）',
    '角色：admin（警察局管理者）、planner（分局承辦人）、officer（警勤區員警）、community（社區）',
    '轄區：--precinct 分局代碼、--station 派出所代碼、--beat 警勤區代碼（擇一），或 --villages 村里代碼,村里代碼',
    '資料庫：設定 DATABASE_URL 時用 PostgreSQL，否則用 DATA_DIR（預設 ./data）的內嵌資料庫（此時須先停止服務）。',
    "例：printf '一句只有自己知道的話\\n' | npm run admin -- user add chief --role admin --password-stdin",
  ].join('\n'),
  admin_cli_password_stdin: () => '請以 --password-stdin 從標準輸入提供密碼（例如 printf \'密碼\\n\' | npm run admin -- …）；密碼不會出現在命令列或畫面上。',
  admin_cli_creating: (p: { dir: string }) => `在 ${p.dir} 建立內嵌資料庫（第一次約需 15 秒）…`,
  admin_cli_no_accounts: () => '還沒有任何帳號；以 npm run admin -- user add 帳號 --role admin --password-stdin 建立第一個管理者帳號。',
} satisfies Record<string, (p: never) => string>;
