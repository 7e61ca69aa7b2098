/**
 * Account administration on the database itself (DATABASE_URL, or the embedded one in DATA_DIR,
 * which the running service must not hold): the way to create the first admin of an empty
 * instance. `npm run admin` alone prints the commands. Exit status: 0 done, 1 refused (the
 * message says why; nothing changed), 2 usage.
 *
 *   printf 'PASSWORD\n' | npm run admin -- user add NAME --role admin --password-stdin
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { changeAccount, createAccount, listAccounts, resetPassword, type Account, type AccountChanges } from '../server/auth/accounts.js';
import { loadConfig } from '../server/config.js';
import { heavyOf } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
import { createsEmbeddedDatabase, openDb } from '../server/db/open.js';
import { ROLE_NAMES, type AccountRole } from '../server/http/account-messages.js';
import { HttpError } from '../server/http/errors.js';
import { message } from '../server/http/messages.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string' },
    'display-name': { type: 'string' },
    precinct: { type: 'string' },
    station: { type: 'string' },
    beat: { type: 'string' },
    villages: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

class Usage extends Error {}

/** The first line of standard input: a password piped in never shows in `ps` or the shell's history. */
async function passwordFromStdin(): Promise<string> {
  if (!values['password-stdin'] || process.stdin.isTTY) throw new Usage(message('admin_cli_password_stdin', undefined));
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!;
}

/** The scope flags given, as the API names them. */
const scope = () => ({
  precinct: values.precinct, station: values.station, beat: values.beat,
  villages: values.villages?.split(/[,，、\s]+/).filter(Boolean),
});

const role = (r: string | undefined): AccountRole => {
  if (!r || !(r in ROLE_NAMES)) throw new Usage(message('admin_cli_usage', undefined));
  return r as AccountRole;
};

const where = (a: Account) => a.beat?.name ?? a.station?.name ?? a.precinct?.name
  ?? (a.villages.length ? a.villages.map((v) => v.name).join('、') : a.drawnArea ? '（自繪範圍）' : '全市');

function printAccounts(accounts: Account[]): void {
  if (values.json) return console.log(JSON.stringify(accounts, null, 2));
  if (accounts.length === 0) return console.log(message('admin_cli_no_accounts', undefined));
  for (const a of accounts) {
    const last = a.lastLoginAt ? `最近登入 ${new Date(a.lastLoginAt).toLocaleString('zh-TW', { timeZone: 'Asia/Taipei', hour12: false })}` : '未曾登入';
    console.log([a.username, ROLE_NAMES[a.role], a.displayName ?? '—', where(a), a.disabled ? '已停用' : '啟用中', last].join('\t'));
  }
}

async function main(): Promise<number> {
  const [noun, verb, name, extra] = positionals;
  if (noun !== 'user' || !verb) throw new Usage(message('admin_cli_usage', undefined));
  if (verb !== 'list' && !name) throw new Usage(message('admin_cli_usage', undefined));
  const config = loadConfig(process.env);
  if (createsEmbeddedDatabase(config)) console.error(message('admin_cli_creating', { dir: config.DATA_DIR }));
  // Passwords are read before the database is opened: nothing waits on a pipe while it is held.
  const password = verb === 'add' || verb === 'reset-password' ? await passwordFromStdin() : '';
  const db = await openDb(config);
  const actor = `cli:${userInfo().username}`;
  const change = async (c: AccountChanges) => {
    const done = await changeAccount(db, actor, name!, c);
    console.log(done.changed ? message('account_changed', { username: name!, signedOut: done.signedOut }) : message('account_unchanged', { username: name! }));
  };
  try {
    await migrate(heavyOf(db));
    switch (verb) {
      case 'list': printAccounts(await listAccounts(db)); break;
      case 'add': {
        const a = await createAccount(db, actor, { username: name!, password, role: role(values.role), displayName: values['display-name'], ...scope() });
        console.log(message('account_created', { username: a.username, role: a.role }));
        break;
      }
      case 'set-role': await change({ role: role(extra), ...scope() }); break;
      case 'set-scope': await change(scope()); break;
      case 'rename': await change({ displayName: values['display-name'] ?? null }); break;
      case 'disable': await change({ disabled: true }); break;
      case 'enable': await change({ disabled: false }); break;
      case 'reset-password':
        await resetPassword(db, actor, name!, password);
        console.log(message('account_password_set', { username: name! }));
        break;
      default: throw new Usage(message('admin_cli_usage', undefined));
    }
    return 0;
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    console.error(err.message);
    return 1;
  } finally {
    await db.close();
  }
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = err instanceof Usage ? 2 : 1;
});
