import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { message } from '../http/messages.js';

const LOCK_FILE = 'emap.lock';
/** A lock file that cannot be read as ours is someone's being written, unless it is older than this. */
const UNREADABLE_GRACE_MS = 10_000;
/** Folders this process holds: a second open here would corrupt the database as surely as another process's. */
const held = new Set<string>();

interface Holder { pid: number; host: string; ns: string | null; token: string }

/** This process's pid namespace (Linux): a pid means nothing across containers sharing the folder. */
const pidNamespace = (() => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
})();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function holderOf(file: string): Promise<Holder | 'unreadable' | 'gone'> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Holder;
    return Number.isInteger(h.pid) && typeof h.token === 'string' ? h : 'unreadable';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
}

/**
 * Whether a lock's holder is certainly gone: a process of this machine and pid namespace that
 * no longer runs. A holder elsewhere (another container on a shared volume) cannot be checked
 * and is taken to be running: its lock must be removed by hand.
 */
async function isStale(file: string, h: Holder | 'unreadable'): Promise<boolean> {
  if (h === 'unreadable') return Date.now() - (await stat(file)).mtimeMs > UNREADABLE_GRACE_MS;
  return h.host === hostname() && h.ns === pidNamespace && !alive(h.pid);
}

/**
 * Claims an embedded database's folder for this process: PGlite keeps one writer's files, and a
 * second process opening them (a CLI beside the running service) would corrupt them. The lock
 * file is created whole and atomically (written aside, then linked into place); a lock whose
 * holder is certainly gone is moved aside (only one claimant's move succeeds) and claimed again.
 * Returns the release, which removes the file only while it is still this claim's.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const folder = resolve(dir);
  const file = resolve(folder, LOCK_FILE);
  const refuse = (pid: number) => Object.assign(new Error(message('data_dir_in_use', { dir, pid })), { code: 'data_dir_in_use' });
  if (held.has(folder)) throw refuse(process.pid);
  const me: Holder = { pid: process.pid, host: hostname(), ns: pidNamespace, token: randomBytes(12).toString('hex') };
  const aside = `${file}.${me.token}`;
  await writeFile(aside, JSON.stringify(me));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(aside, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await holderOf(file);
      if (holder === 'gone') continue;
      if (attempt > 3 || !(await isStale(file, holder))) throw refuse(holder === 'unreadable' ? 0 : holder.pid);
      // Moved aside under a name of our own; if what moved is not the stale lock we read (another
      // claimant replaced it meanwhile), it is put back where it was and we look again.
      const moved = `${file}.stale.${me.token}`;
      try {
        await rename(file, moved);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const took = await holderOf(moved);
      if (holder !== 'unreadable' && (took === 'unreadable' || took === 'gone' || took.token !== holder.token)) {
        await link(moved, file).catch(() => undefined);
      }
      await unlink(moved).catch(() => undefined);
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
  held.add(folder);
  return async () => {
    held.delete(folder);
    const now = await holderOf(file);
    if (now !== 'gone' && now !== 'unreadable' && now.token === me.token) await unlink(file).catch(() => undefined);
  };
}
