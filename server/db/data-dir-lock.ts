import { readFile, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { message } from '../http/messages.js';

const LOCK_FILE = 'emap.lock';
/** Folders this process holds: a second open here would corrupt the database as surely as another process's. */
const held = new Set<string>();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Claims an embedded database's folder for this process: PGlite keeps one writer's files, and a
 * second process opening them (a CLI beside the running service) would corrupt them. A lock left
 * by a process that has died (or by this process's pid in an earlier life, as in a container) is
 * taken over. Returns the release.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const folder = resolve(dir);
  const file = resolve(folder, LOCK_FILE);
  const refuse = (pid: number) => Object.assign(new Error(message('data_dir_in_use', { dir, pid })), { code: 'data_dir_in_use' });
  if (held.has(folder)) throw refuse(process.pid);
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw refuse(pid);
    await writeFile(file, String(process.pid));
  }
  held.add(folder);
  return async () => {
    held.delete(folder);
    await unlink(file).catch(() => undefined);
  };
}
