import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { LruBytes } from '../cache/lru.js';
import type { Queryable } from '../db/db.js';

/**
 * Answers of outsiders' analyses (the public's and community accounts'), kept until the data
 * changes. They are the same for everyone of a scope (the public, or one community account),
 * so the map's first view, asked for by every visitor, is computed once. An answer is current
 * while every tiled table's version (layer_versions, advanced in the transaction of every
 * change, on any instance) is what it was when the answer was computed; the versions are part
 * of the key, so a change simply makes the old answers unreachable and the LRU forgets them.
 * Answers also age out after AGE_MS, because a default period ends "now" and a community
 * account's area is not versioned.
 */
const AGE_MS = 10 * 60_000;

/** JSON with object keys in sorted order, so that the same input always gives the same key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class OutsiderAnswers {
  private readonly kept: LruBytes;
  /** When each kept answer was computed. */
  private readonly born = new Map<string, number>();
  /** Answers being computed: a second request for one waits for it instead of computing it again. */
  private readonly computing = new Map<string, Promise<Buffer>>();

  constructor(private readonly db: Queryable, budgetBytes: number) {
    this.kept = new LruBytes(budgetBytes, (key) => this.born.delete(key));
  }

  private async key(name: string, p: Principal, input: unknown): Promise<string> {
    const { rows } = await this.db.query<{ versions: string }>(
      `SELECT string_agg(layer_table || ':' || version, ',' ORDER BY layer_table) AS versions FROM layer_versions`);
    const scope = p.role === 'public' ? 'public' : `${p.role}:${p.userId}`;
    return createHash('sha256').update(canonical([name, scope, rows[0]?.versions ?? '', input])).digest('base64url');
  }

  /** The answer as JSON bytes, computed by `compute` unless it is kept or being computed. */
  async answer(name: string, p: Principal, input: unknown, compute: () => Promise<Buffer>): Promise<Buffer> {
    const key = await this.key(name, p, input);
    const kept = this.kept.get(key);
    if (kept && Date.now() - this.born.get(key)! < AGE_MS) return kept;
    let pending = this.computing.get(key);
    if (!pending) {
      pending = compute();
      this.computing.set(key, pending);
      pending.then((bytes) => {
        if (this.kept.set(key, bytes)) this.born.set(key, Date.now());
      }, () => undefined).finally(() => this.computing.delete(key));
    }
    return pending;
  }
}
