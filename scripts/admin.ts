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
import { heavyOf, type Db } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
import { createsEmbeddedDatabase, openDb } from '../server/db/open.js';
import { ROLE_NAMES, type AccountRole } from '../server/http/account-messages.js';
import { HttpError } from '../server/http/errors.js';
import { message } from '../server/http/messages.js';

class Usage extends Error {}

const OPTIONS = {
  role: { type: 'string' },
  'display-name': { type: 'string' },
  precinct: { type: 'string' },
  station: { type: 'string' },
  beat: { type: 'string' },
  villages: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

/** The command line; an unknown option is a usage error (its value is not repeated: it may be a password). */
function parseCommandLine() {
  try {
    return parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch {
    throw new Usage(message('admin_cli_usage', undefined));
  }
}

/** The first line of standard input: a password piped in never shows in `ps` or the shell's history. */
async function passwordFromStdin(asked: boolean | undefined): Promise<string> {
  if (!asked || process.stdin.isTTY) throw new Usage(message('admin_cli_password_stdin', undefined));
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!;
}

const where = (a: Account) => a.beat?.name ?? a.station?.name ?? a.precinct?.name
  ?? (a.villages.length ? a.villages.map((v) => v.name).join('、') : a.drawnArea ? '（自繪範圍）' : '全市');

function printAccounts(accounts: Account[], json: boolean | undefined): void {
  if (json) return console.log(JSON.stringify(accounts, null, 2));
  if (accounts.length === 0) return console.log(message('admin_cli_no_accounts', undefined));
  for (const a of accounts) {
    const last = a.lastLoginAt ? `最近登入 ${new Date(a.lastLoginAt).toLocaleString('zh-TW', { timeZone: 'Asia/Taipei', hour12: false })}` : '未曾登入';
    console.log([a.username, ROLE_NAMES[a.role], a.displayName ?? '—', where(a), a.disabled ? '已停用' : '啟用中', last].join('\t'));
  }
}

/** Who acts, for the audit log: the operating-system user (a uid when it has no name, as in some containers). */
function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`}`;
  }
}

type Action = (db: Db, actor: string) => Promise<void>;

/** The command, checked whole before the database is opened: a usage error creates or changes nothing. */
async function commandOf(): Promise<Action> {
  const { values, positionals } = parseCommandLine();
  const [noun, verb, name, extra, ...rest] = positionals;
  const usage = () => new Usage(message('admin_cli_usage', undefined));
  if (noun !== 'user' || !verb || rest.length || (verb !== 'list' && !name)) throw usage();
  const role = (r: string | undefined): AccountRole => {
    if (!r || !(r in ROLE_NAMES)) throw usage();
    return r as AccountRole;
  };
  const scope = {
    precinct: values.precinct, station: values.station, beat: values.beat,
    villages: values.villages?.split(/[,，、\s]+/).filter(Boolean),
  };
  const change = (c: AccountChanges): Action => async (db, by) => {
    const done = await changeAccount(db, by, name!, c);
    console.log(done.changed ? message('account_changed', { username: name!, signedOut: done.signedOut }) : message('account_unchanged', { username: name! }));
  };
  switch (verb) {
    case 'list': return async (db) => printAccounts(await listAccounts(db), values.json);
    case 'add': {
      const r = role(values.role);
      // Passwords are read before the database is opened: nothing waits on a pipe while it is held.
      const password = await passwordFromStdin(values['password-stdin']);
      return async (db, by) => {
        const a = await createAccount(db, by, { username: name!, password, role: r, displayName: values['display-name'], ...scope });
        console.log(message('account_created', { username: a.username, role: a.role }));
      };
    }
    case 'set-role': return change({ role: role(extra), ...scope });
    case 'set-scope': return change(scope);
    case 'rename':
      if (values['display-name'] === undefined) throw usage();
      return change({ displayName: values['display-name'] || null });
    case 'disable': return change({ disabled: true });
    case 'enable': return change({ disabled: false });
    case 'reset-password': {
      const password = await passwordFromStdin(values['password-stdin']);
      return async (db, by) => {
        await resetPassword(db, by, name!, password);
        console.log(message('account_password_set', { username: name! }));
      };
    }
    default: throw usage();
  }
}

async function main(): Promise<number> {
  const action = await commandOf();
  const by = actor();
  const config = loadConfig(process.env);
  if (createsEmbeddedDatabase(config)) console.error(message('admin_cli_creating', { dir: config.DATA_DIR }));
  const db = await openDb(config);
  try {
    await migrate(heavyOf(db));
    await action(db, by);
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
